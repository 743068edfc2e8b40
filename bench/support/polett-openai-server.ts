/**
 * Polett as the proxy benchmark runs it: a fresh data folder whose configuration has one
 * `openai-compatible` provider pointing at the upstream, served by `createApp` on
 * @hono/node-server on 127.0.0.1, with an API key made by `storage.apiKeys.create`.
 *
 * Run as a process: `node --import tsx bench/support/polett-openai-server.ts <upstream base URL>`
 * prints `{"url":"http://127.0.0.1:<port>/v1","apiKey":"plt_…"}` when it listens, and stops (and
 * removes its data folder) when standard input closes. Started with `--cpu-prof`, it writes its
 * profile on that exit. Further arguments:
 * - `--instrument`: times the suspects on the request path (see polett-instrumentation.ts), forgets
 *   them when the parent sends `reset`, and prints them as one JSON line before it exits;
 * - `--profile <file>`: CPU-profiles from the parent's `reset` (after its warm-up) until exit, with
 *   the inspector (as `node --cpu-prof` would, minus the start-up and warm-up), into that file.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { pathToFileURL } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from '../../src/server/app.js';
import { buildPolett } from '../../test-support/builders.js';
import { onParentLine, parentGone } from './child-process.js';
import { instrumentPolett } from './polett-instrumentation.js';

export interface PolettServerReady {
  url: string;
  apiKey: string;
}

/**
 * Model aliases served by the benchmark's Polett. Each alias names the upstream model of the same
 * name, so that the client sends byte-for-byte the same body to Polett and to the upstream.
 */
export const PROXIED_MODEL = 'ok';
export const PROXIED_PACED_MODEL = 'ok-paced';
/** The paced model again, through a provider left at the default `maxConcurrency` (8). */
export const PROXIED_PACED_MODEL_DEFAULT_LIMIT = 'ok-paced-default-limit';

function benchConfiguration(upstreamUrl: string) {
  // maxRetries 0: a retry would hide an upstream error from the error count and add its time.
  // maxConcurrency 256: the benchmark sends 200 streams at once and means all of them to run.
  // Rate limits raised out of reach (not switched off): their middleware still runs on every
  // request, as in production, but thousands of requests a minute from one address are the point.
  const unreachableLimit = { requests: 1_000_000, windowSeconds: 1 };
  return {
    server: { rateLimit: { perIp: unreachableLimit, perApiKey: unreachableLimit } },
    providers: {
      upstream: {
        type: 'openai-compatible' as const,
        baseURL: upstreamUrl,
        maxRetries: 0,
        maxConcurrency: 256,
      },
      'upstream-default-limit': { type: 'openai-compatible' as const, baseURL: upstreamUrl, maxRetries: 0 },
    },
    models: {
      [PROXIED_MODEL]: { provider: 'upstream', model: 'ok' },
      [PROXIED_PACED_MODEL]: { provider: 'upstream', model: 'ok-paced' },
      [PROXIED_PACED_MODEL_DEFAULT_LIMIT]: { provider: 'upstream-default-limit', model: 'ok-paced' },
    },
    tasks: { chat: [PROXIED_MODEL] },
  };
}

/** A CPU profiler on this very process, started and stopped on the parent's word. */
function inspectorProfiler(file: string) {
  const session = new Session();
  session.connect();
  let started: Promise<unknown> | undefined;
  return {
    start() {
      started ??= session
        .post('Profiler.enable')
        .then(() => session.post('Profiler.setSamplingInterval', { interval: 250 }))
        .then(() => session.post('Profiler.start'));
    },
    async stop() {
      if (started === undefined) return;
      await started;
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

async function main(upstreamUrl: string, flags: string[]): Promise<void> {
  const polett = buildPolett(benchConfiguration(upstreamUrl));
  const { secret } = polett.storage.apiKeys.create({ name: 'bench', scopes: ['inference'] });
  const app = createApp(polett);
  const instrumentation = flags.includes('--instrument') ? instrumentPolett(polett, app) : undefined;
  const profileFile = flags.includes('--profile') ? flags[flags.indexOf('--profile') + 1] : undefined;
  const profiler = profileFile === undefined ? undefined : inspectorProfiler(profileFile);
  onParentLine((line) => {
    if (line !== 'reset') return;
    instrumentation?.reset();
    profiler?.start();
  });
  const server: ServerType = await new Promise((resolve) => {
    const started = serve(
      { fetch: instrumentation?.fetch ?? app.fetch, port: 0, hostname: '127.0.0.1' },
      () => resolve(started),
    );
  });
  const { port } = server.address() as { port: number };
  const ready: PolettServerReady = { url: `http://127.0.0.1:${port}/v1`, apiKey: secret };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
  await parentGone();
  (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
  server.close();
  await profiler?.stop();
  await polett.close();
  // Exit only once the line is written: a pipe write is asynchronous and exit would cut it short.
  const report = instrumentation ? `${JSON.stringify(instrumentation.report())}\n` : '';
  process.stdout.write(report, () => process.exit(0));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const upstreamUrl = process.argv[2];
  if (upstreamUrl === undefined) throw new Error('usage: polett-openai-server.ts <upstream base URL>');
  await main(upstreamUrl, process.argv.slice(3));
}
