/**
 * A local server that speaks OpenAI's chat API and misbehaves on purpose, chosen by the model
 * name: for testing retries, timeouts, fallback and cut streams against real HTTP on loopback.
 *
 * - `ok`: answers "Hej från servern!" (streamed or not)
 * - `fail-500`: always HTTP 500
 * - `flaky-500`: HTTP 500 for the first two calls, then ok
 * - `rate-limited`: HTTP 429 with Retry-After: 0 for the first call, then ok
 * - `rate-limited-long`: HTTP 429 with Retry-After: 3600, always
 * - `unauthorized`: HTTP 401
 * - `hang`: never answers
 * - `cut`: streams two deltas, then the connection breaks
 * - `stall`: streams one delta, then goes silent without closing
 * - `echo`: answers (not streamed) with the last message it received
 */
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';

export interface FakeOpenAIServer {
  url: string;
  /** Calls received per model name. */
  calls: Map<string, number>;
  /** The last request body received, as text, to check what left the machine. */
  lastRequestBody: () => string;
  close(): Promise<void>;
}

const ANSWER = ['Hej ', 'från ', 'servern!'];

function completion(model: string) {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: ANSWER.join('') }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
  };
}

function chunk(model: string, delta: Record<string, unknown>, finishReason: string | null = null) {
  return `data: ${JSON.stringify({
    id: 'chatcmpl-fake',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  })}\n\n`;
}

export async function startFakeOpenAIServer(): Promise<FakeOpenAIServer> {
  const calls = new Map<string, number>();
  let lastRequestBody = '';
  const app = new Hono();
  app.get('/v1/models', (context) => context.json({ object: 'list', data: [{ id: 'ok', object: 'model' }] }));
  app.post('/v1/chat/completions', async (context) => {
    lastRequestBody = await context.req.text();
    const body = JSON.parse(lastRequestBody) as { model: string; stream?: boolean };
    const count = (calls.get(body.model) ?? 0) + 1;
    calls.set(body.model, count);
    const error = (status: 401 | 429 | 500, message: string, headers: Record<string, string> = {}) =>
      context.json({ error: { message, type: 'server_error', code: null } }, status, headers);

    switch (body.model) {
      case 'fail-500':
        return error(500, 'upstream exploded');
      case 'flaky-500':
        if (count <= 2) return error(500, 'temporarily broken');
        break;
      case 'rate-limited':
        if (count === 1) return error(429, 'slow down', { 'retry-after': '0' });
        break;
      case 'rate-limited-long':
        return error(429, 'slow down', { 'retry-after': '3600' });
      case 'unauthorized':
        return error(401, 'bad key');
      case 'echo': {
        const request = JSON.parse(lastRequestBody) as { messages: Array<{ content: string }> };
        const content = request.messages[request.messages.length - 1]?.content ?? '';
        return context.json({
          ...completion(body.model),
          choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        });
      }
      case 'hang':
        await new Promise(() => {});
        break;
    }

    if (!body.stream) return context.json(completion(body.model));
    const encoder = new TextEncoder();
    const cut = body.model === 'cut';
    const stall = body.model === 'stall';
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(encoder.encode(chunk(body.model, { role: 'assistant', content: '' })));
        for (const [index, piece] of ANSWER.entries()) {
          if (stall && index === 1) {
            await new Promise(() => {});
          }
          if (cut && index === 2) {
            await new Promise((resolve) => setTimeout(resolve, 20));
            controller.error(new Error('connection cut on purpose'));
            return;
          }
          controller.enqueue(encoder.encode(chunk(body.model, { content: piece })));
        }
        controller.enqueue(encoder.encode(chunk(body.model, {}, 'stop')));
        controller.enqueue(
          encoder.encode(
            `data: ${JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1, model: body.model, choices: [], usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 } })}\n\n`,
          ),
        );
        controller.enqueue(encoder.encode('data: [DONE]\n\n'));
        controller.close();
      },
    });
    return new Response(stream, { headers: { 'content-type': 'text/event-stream' } });
  });

  const server: ServerType = await new Promise((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
  });
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}/v1`,
    calls,
    lastRequestBody: () => lastRequestBody,
    close: () =>
      new Promise<void>((resolve) => {
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
