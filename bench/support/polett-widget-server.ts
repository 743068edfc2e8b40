/**
 * Polett as the widget benchmark runs it: a fresh data folder whose chat task is an
 * `openai-compatible` upstream on loopback (the argument), a workspace whose knowledge holds a few
 * documents, and an assistant that allows the benchmark's origin. Limits are raised so that the
 * benchmark measures rather than being refused.
 *
 * Run as a process: `node --expose-gc --import tsx bench/support/polett-widget-server.ts <upstream
 * base URL> <model>` prints `{"url":…,"assistantId":…,"origin":…}` when it listens, and stops (and
 * removes its data folder) when standard input closes. `GET /bench/memory` answers the process's
 * memory after a full collection, `GET /bench/cpu` its CPU time.
 */
import { pathToFileURL } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { openAssistantStore } from '../../src/assistant/index.js';
import { openKnowledge } from '../../src/knowledge/index.js';
import { openPlatform } from '../../src/platform/index.js';
import { createApp } from '../../src/server/app.js';
import { buildPolett } from '../../test-support/builders.js';
import { parentGone } from './child-process.js';
import { cpuMicros } from './upstream-openai-server.js';

export interface WidgetServerReady {
  url: string;
  assistantId: string;
  origin: string;
}

export const BENCH_ORIGIN = 'http://butik.bench.example';
export const BENCH_QUESTION = 'Hur lång är leveranstiden inom Sverige med PostNord?';

const DOCUMENTS = [
  'Leveranstiden är 2–4 arbetsdagar inom Sverige. Vi skickar med PostNord till ditt närmaste ombud.',
  'Du har 30 dagars öppet köp. Returen är kostnadsfri med returetiketten i paketet.',
  'Kundtjänsten svarar vardagar 8–17 på telefon och i chatten.',
  'Garantin på ramen är fem år och på övriga delar två år.',
];

async function main(): Promise<void> {
  const [upstream, model] = process.argv.slice(2);
  if (!upstream || !model) throw new Error('usage: polett-widget-server.ts <upstream base URL> <model>');
  const polett = buildPolett({
    server: {
      rateLimit: {
        perIp: { requests: 1_000_000, windowSeconds: 1 },
        widgetMessagesPerIp: { requests: 1_000_000, windowSeconds: 1 },
        widgetMessagesPerVisitor: { requests: 1_000_000, windowSeconds: 1 },
      },
    },
    providers: { upstream: { type: 'openai-compatible', baseURL: upstream, maxConcurrency: 1000 } },
    models: { bench: { provider: 'upstream', model } },
    tasks: { chat: ['bench'] },
  });
  const platform = openPlatform(polett.storage);
  const owner = platform.users.create({
    email: 'bench@example.se',
    name: 'Bench',
    passwordHash: 'x',
    locale: 'sv',
  });
  const workspace = platform.workspaces.create({ name: 'Bench Cykel AB', ownerUserId: owner.id });
  const knowledge = openKnowledge({
    database: polett.storage.database,
    models: polett.models,
    dataDir: polett.dataDir,
  });
  const scoped = (await knowledge.store()).forWorkspace(workspace.id);
  const source = scoped.createSource({ kind: 'file', location: 'bench', name: 'bench' });
  for (const [index, text] of DOCUMENTS.entries()) {
    const prepared = await scoped.prepareDocument(source.id, `document-${index}`, {
      title: `Villkor ${index + 1}`,
      format: 'text',
      blocks: [{ kind: 'paragraph', text, location: {} }],
    });
    scoped.writeDocument(prepared);
  }
  const assistant = openAssistantStore(polett.storage.database)
    .forWorkspace(workspace.id)
    .assistants.create({ name: 'Bench', allowedOrigins: [BENCH_ORIGIN], maxMessageChars: 2000 });
  const app = createApp({ ...polett, platform });
  // Beside the app, not in it: the web app answers every other GET path.
  const fetchHandler = (request: Request, environment: unknown) => {
    const { pathname } = new URL(request.url);
    // The process's CPU time, without a collection (a full one would stall the streams it measures).
    if (pathname === '/bench/cpu') return Response.json({ cpuMicros: cpuMicros() });
    if (pathname !== '/bench/memory') return app.fetch(request, environment);
    (globalThis as { gc?: () => void }).gc?.();
    return Response.json({ ...process.memoryUsage(), cpuMicros: cpuMicros() });
  };
  const server: ServerType = await new Promise((resolve) => {
    const started = serve({ fetch: fetchHandler, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
  });
  const { port } = server.address() as { port: number };
  process.stdout.write(
    `${JSON.stringify({ url: `http://127.0.0.1:${port}`, assistantId: assistant.id, origin: BENCH_ORIGIN } satisfies WidgetServerReady)}\n`,
  );
  await parentGone();
  (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
  server.close();
  await polett.close();
  process.exit(0);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
