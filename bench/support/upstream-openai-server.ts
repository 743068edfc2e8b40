/**
 * The upstream of the proxy benchmark: a fast OpenAI-compatible server on loopback, after the
 * idea of `test-support/fake-openai-server.ts` (model `ok`: "Hej från servern!" in three deltas,
 * streamed or not). Copied rather than imported so that it can add `ok-paced`: the same answer
 * with a pause between deltas, which keeps 200 concurrent streams really open at the same time.
 *
 * Run as a process: `node --import tsx bench/support/upstream-openai-server.ts` prints
 * `{"url":"http://127.0.0.1:<port>/v1"}` when it listens, and stops when standard input closes.
 */
import { serve, type ServerType } from '@hono/node-server';
import { pathToFileURL } from 'node:url';
import { Hono } from 'hono';
import { parentGone } from './child-process.js';

export const UPSTREAM_ANSWER_PARTS = ['Hej ', 'från ', 'servern!'];
export const UPSTREAM_ANSWER = UPSTREAM_ANSWER_PARTS.join('');
/** Milliseconds between the deltas of `ok-paced`. */
export const PACED_DELTA_INTERVAL_MS = 20;
/** `ok-long`: a long answer, streamed slowly, so that hundreds of streams are open at once. */
export const LONG_DELTAS = 60;
export const LONG_DELTA_INTERVAL_MS = 200;

function completion(model: string) {
  return {
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: UPSTREAM_ANSWER }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
  };
}

function chunk(model: string, delta: Record<string, unknown>, finishReason: string | null = null): string {
  return `data: ${JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  })}\n\n`;
}

const USAGE_CHUNK = `data: ${JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion.chunk',
  created: 1_700_000_000,
  model: 'ok',
  choices: [],
  usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
})}\n\n`;

/** CPU time (user and system) the process has used, in microseconds. */
export function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

export function createUpstreamApp(): Hono {
  const app = new Hono();
  // The process's memory after a full collection (with --expose-gc), for memory-per-connection figures.
  app.get('/cpu', (context) => context.json({ cpuMicros: cpuMicros() }));
  app.get('/memory', (context) => {
    (globalThis as { gc?: () => void }).gc?.();
    return context.json({ ...process.memoryUsage(), cpuMicros: cpuMicros() });
  });
  app.post('/v1/chat/completions', async (context) => {
    const body = (await context.req.json()) as { model: string; stream?: boolean };
    if (!body.stream) return context.json(completion(body.model));
    const paced = body.model === 'ok-paced';
    const long = body.model === 'ok-long';
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(encoder.encode(chunk(body.model, { role: 'assistant', content: '' })));
        if (long) {
          for (let index = 0; index < LONG_DELTAS; index += 1) {
            if (index > 0) await new Promise((resolve) => setTimeout(resolve, LONG_DELTA_INTERVAL_MS));
            controller.enqueue(encoder.encode(chunk(body.model, { content: `ord${index} ` })));
          }
        } else {
          for (const piece of UPSTREAM_ANSWER_PARTS) {
            if (paced) await new Promise((resolve) => setTimeout(resolve, PACED_DELTA_INTERVAL_MS));
            controller.enqueue(encoder.encode(chunk(body.model, { content: piece })));
          }
        }
        controller.enqueue(encoder.encode(chunk(body.model, {}, 'stop')));
        controller.enqueue(encoder.encode(USAGE_CHUNK));
        controller.enqueue(encoder.encode('data: [DONE]\n\n'));
        controller.close();
      },
    });
    return new Response(stream, { headers: { 'content-type': 'text/event-stream' } });
  });
  return app;
}

async function main(): Promise<void> {
  const app = createUpstreamApp();
  const server: ServerType = await new Promise((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
  });
  const { port } = server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}/v1` })}\n`);
  await parentGone();
  (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
  server.close();
  process.exit(0);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
