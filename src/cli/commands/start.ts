import { serve } from '@hono/node-server';
import { PolettError } from '../../errors.js';
import { openPolett } from '../../polett.js';
import { createApp } from '../../server/app.js';
import { cliLocale, say } from '../output.js';

export interface StartedServer {
  url: string;
  close(): Promise<void>;
}

/** Starts the HTTP server on the configured host and port; resolves once it listens. */
export async function startServer(options: { dataDir?: string; port?: number } = {}): Promise<StartedServer> {
  const polett = openPolett(options.dataDir ? { dataDir: options.dataDir } : {});
  const app = createApp(polett);
  polett.startWorkers();
  const port = options.port ?? polett.config.server.port;
  const host = polett.config.server.host;
  return new Promise((resolve, reject) => {
    let server: ReturnType<typeof serve> & { closeAllConnections?: () => void };
    try {
      server = serve({ fetch: app.fetch, port, hostname: host }, (info) => {
        const url = `http://${host.includes(':') ? `[${host}]` : host}:${info.port}`;
        resolve({
          url,
          close: async () => {
            // Open streams (a chat, a job's progress) must not hold shutdown: stop the workers
            // beside the server, and cut the connections still open after a short grace.
            const grace = setTimeout(() => server.closeAllConnections?.(), 2000);
            await Promise.all([new Promise<void>((done) => server.close(() => done())), polett.close()]);
            clearTimeout(grace);
          },
        });
      }) as ReturnType<typeof serve> & { closeAllConnections?: () => void };
    } catch (error) {
      void polett.close();
      reject(error);
      return;
    }
    server.once('error', (error: NodeJS.ErrnoException) => {
      void polett.close();
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') {
        reject(
          new PolettError({
            code: 'port_unavailable',
            status: 503,
            field: 'server.port',
            message: {
              sv: `Porten ${port} på ${host} kan inte användas (${error.code}); stoppa det som lyssnar där eller välj en annan med POLETT_PORT.`,
              en: `The port ${port} on ${host} cannot be used (${error.code}); stop what listens there or choose another with POLETT_PORT.`,
            },
            cause: error,
          }),
        );
      } else reject(error);
    });
  });
}

export async function runStart(options: { port?: string }): Promise<void> {
  const locale = cliLocale();
  const port = options.port === undefined ? undefined : Number(options.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65_535)) {
    throw new PolettError({
      code: 'invalid_option',
      status: 400,
      field: 'port',
      message: {
        sv: `Porten "${options.port}" är inget portnummer; ange ett heltal mellan 0 och 65535.`,
        en: `The port "${options.port}" is not a port number; give a whole number from 0 to 65535.`,
      },
    });
  }
  const started = await startServer(port === undefined ? {} : { port });
  process.stdout.write(
    say(
      {
        sv: `Polett kör på ${started.url} (hälsa: ${started.url}/health). Avsluta med Ctrl+C.\n`,
        en: `Polett is running at ${started.url} (health: ${started.url}/health). Stop with Ctrl+C.\n`,
      },
      locale,
    ),
  );
  const stop = () => {
    void started.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
