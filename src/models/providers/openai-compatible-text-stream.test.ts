import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import {
  APICallError,
  type LanguageModelV3,
  type LanguageModelV3CallOptions,
  type LanguageModelV3StreamPart,
} from '@ai-sdk/provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLeanTextStreaming } from './openai-compatible-text-stream.js';

/** Raw server-sent event bodies, chosen by the request's model name. */
const chunk = (value: unknown) => `data: ${JSON.stringify(value)}\n\n`;
const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'm' };
const choice = (delta: unknown, finish: string | null = null) => ({
  ...base,
  choices: [{ index: 0, delta, finish_reason: finish }],
});
const BODIES: Record<string, string[]> = {
  plain: [
    chunk(choice({ role: 'assistant', content: '' })),
    chunk(choice({ content: 'Hej ' })),
    chunk(choice({ content: 'på dig, å ä ö!' })),
    chunk(choice({}, 'stop')),
    chunk({ ...base, choices: [], usage: { prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 } }),
    'data: [DONE]\n\n',
  ],
  reasoning: [
    chunk(choice({ reasoning_content: 'Tänker…' })),
    chunk(choice({ content: 'Svar.' })),
    chunk(choice({ content: [{ type: 'text', text: ' Mer.' }] }, 'length')),
    chunk({
      ...base,
      choices: [],
      usage: {
        prompt_tokens: 5,
        completion_tokens: 9,
        prompt_tokens_details: { cached_tokens: 2 },
        completion_tokens_details: { reasoning_tokens: 3 },
      },
    }),
    'data: [DONE]\n\n',
  ],
  refusal: [chunk(choice({ refusal: 'Det kan jag inte.' })), chunk(choice({}, 'stop')), 'data: [DONE]\n\n'],
  'no-finish': [chunk(choice({ content: 'Halv' })), 'data: [DONE]\n\n'],
  'error-chunk': [
    chunk(choice({ content: 'Börjar' })),
    chunk({ error: { message: 'overloaded', code: 503 } }),
  ],
  // One event split over several network writes, and several events in one write.
  split: [
    'data: {"id":"x","created":1700000000,"model":"m","choices":[{"delta":{"content":"Del',
    'ad"},"finish_reason":null}]}\n',
    `\n${chunk(choice({ content: ' text' }))}${chunk(choice({}, 'stop'))}data: [DONE]\n\n`,
  ],
};

let server: Server;
let url: string;
const requests: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let text = '';
    request.on('data', (data: Buffer) => (text += data.toString('utf8')));
    request.on('end', () => {
      const body = JSON.parse(text) as { model: string };
      requests.push(body);
      if (body.model === 'rate-limited') {
        response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' });
        response.end(JSON.stringify({ error: { message: 'Slow down' } }));
        return;
      }
      if (body.model === 'cut') {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write(chunk(choice({ content: 'Börjar' })), () => setTimeout(() => response.destroy(), 20));
        return;
      }
      if (body.model === 'slow') {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        const timer = setInterval(() => response.write(chunk(choice({ content: 'ord ' }))), 20);
        response.once('close', () => clearInterval(timer));
        return;
      }
      if (body.model === 'broken') {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end('upstream exploded');
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const writes = [...(BODIES[body.model] ?? [])];
      const next = () => {
        const write = writes.shift();
        if (write === undefined) response.end();
        else response.write(write, () => setTimeout(next, 2));
      };
      next();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** The AI SDK's model, and the lean one over Node's HTTP client or over `fetch` (when one is configured). */
function models(
  modelId: string,
  via: 'node' | 'fetch' = 'node',
): { sdk: LanguageModelV3; lean: LanguageModelV3 } {
  const provider = createOpenAICompatible({ name: 'lokal', baseURL: url, includeUsage: true });
  return {
    sdk: provider.chatModel(modelId),
    lean: withLeanTextStreaming(provider.chatModel(modelId), {
      name: 'lokal',
      baseURL: url,
      ...(via === 'fetch' ? { fetch: (input, init) => globalThis.fetch(input, init) } : {}),
    }),
  };
}

const paths = ['node', 'fetch'] as const;

const textCall: LanguageModelV3CallOptions = {
  prompt: [
    { role: 'system', content: 'Du är kundtjänst.' },
    { role: 'user', content: [{ type: 'text', text: 'Hur lång är leveranstiden?' }] },
    { role: 'assistant', content: [{ type: 'text', text: 'Två dagar.' }] },
    { role: 'user', content: [{ type: 'text', text: 'Och till Kiruna?' }] },
  ],
  temperature: 0.2,
  maxOutputTokens: 400,
};

async function parts(model: LanguageModelV3, options: LanguageModelV3CallOptions = textCall) {
  const { stream } = await model.doStream(options);
  const collected: LanguageModelV3StreamPart[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return collected;
    collected.push(value);
  }
}

/** Errors compared by kind and words: instances differ between two runs. */
function comparable(list: LanguageModelV3StreamPart[]) {
  return list.map((part) =>
    part.type === 'error'
      ? {
          type: 'error',
          message: String((part.error as { message?: unknown }).message ?? JSON.stringify(part.error)).slice(
            0,
            60,
          ),
        }
      : part,
  );
}

describe('the lean text stream of OpenAI-compatible servers', () => {
  it.each(paths.flatMap((via) => Object.keys(BODIES).map((scenario) => [via, scenario] as const)))(
    'over %s, emits the parts the AI SDK emits for the same response (%s)',
    async (via, scenario) => {
      const { sdk, lean } = models(scenario, via);
      const expected = await parts(sdk);
      const actual = await parts(lean);
      // The one part that may differ: the AI SDK validates each chunk with zod and reports a chunk
      // it cannot read as its own error type, while the lean path passes the server's error object.
      expect(comparable(actual)).toEqual(comparable(expected));
      expect(actual.some((part) => part.type === 'finish')).toBe(true);
    },
  );

  it.each(paths)('over %s, sends the request the AI SDK sends', async (via) => {
    const { sdk, lean } = models('plain', via);
    requests.length = 0;
    await parts(sdk);
    await parts(lean);
    expect(requests).toHaveLength(2);
    expect(requests[1]).toEqual(requests[0]);
    expect(requests[1]).toMatchObject({
      model: 'plain',
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 400,
      temperature: 0.2,
      messages: [
        { role: 'system', content: 'Du är kundtjänst.' },
        { role: 'user', content: 'Hur lång är leveranstiden?' },
        { role: 'assistant', content: 'Två dagar.' },
        { role: 'user', content: 'Och till Kiruna?' },
      ],
    });
  });

  it.each(paths)(
    'over %s, throws the AI SDK’s retryable APICallError for a 429, with the server’s words and headers',
    async (via) => {
      const { lean } = models('rate-limited', via);
      const error = await Promise.resolve(lean.doStream(textCall)).catch((thrown: unknown) => thrown);
      expect(APICallError.isInstance(error)).toBe(true);
      const callError = error as APICallError;
      expect(callError.statusCode).toBe(429);
      expect(callError.isRetryable).toBe(true);
      expect(callError.message).toBe('Slow down');
      expect(callError.responseHeaders?.['retry-after']).toBe('7');
    },
  );

  it.each(paths)(
    'over %s, throws a retryable APICallError with the body for a 500 that is not JSON',
    async (via) => {
      const { lean } = models('broken', via);
      const error = (await Promise.resolve(lean.doStream(textCall)).catch(
        (thrown: unknown) => thrown,
      )) as APICallError;
      expect(APICallError.isInstance(error)).toBe(true);
      expect(error.isRetryable).toBe(true);
      expect(error.responseBody).toBe('upstream exploded');
    },
  );

  it('says a server that cannot be reached is a retryable APICallError', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const provider = createOpenAICompatible({ name: 'lokal', baseURL: `http://127.0.0.1:${port}/v1` });
    const lean = withLeanTextStreaming(provider.chatModel('plain'), {
      name: 'lokal',
      baseURL: `http://127.0.0.1:${port}/v1`,
    });
    const error = (await Promise.resolve(lean.doStream(textCall)).catch(
      (thrown: unknown) => thrown,
    )) as APICallError;
    expect(APICallError.isInstance(error)).toBe(true);
    expect(error.isRetryable).toBe(true);
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it('ends the stream with an error when the connection is cut in the middle, and stops on abort', async () => {
    const { lean } = models('cut');
    const cutParts: LanguageModelV3StreamPart[] = [];
    const reading = (async () => {
      const { stream } = await lean.doStream(textCall);
      const reader = stream.getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return 'ended';
        cutParts.push(value);
      }
    })();
    await expect(reading).rejects.toThrow();
    expect(cutParts.some((part) => part.type === 'text-delta' && part.delta === 'Börjar')).toBe(true);

    const controller = new AbortController();
    const { stream } = await models('slow').lean.doStream({ ...textCall, abortSignal: controller.signal });
    const reader = stream.getReader();
    await reader.read();
    controller.abort();
    await expect(
      (async () => {
        for (;;) if ((await reader.read()).done) return 'ended';
      })(),
    ).rejects.toThrow();
  });

  it('survives a cancel while a read is pending and the paused response holds data', async () => {
    // Data the response holds while paused is emitted on resume even after destroy(): it must not
    // reach a closed stream, where enqueue throws outside any caller (an uncaught exception).
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.prependListener('uncaughtException', onUncaught);
    try {
      const { stream } = await models('slow').lean.doStream(textCall);
      const reader = stream.getReader();
      await reader.read();
      await new Promise((resolve) => setTimeout(resolve, 150));
      const pending = Array.from({ length: 6 }, () => reader.read());
      await reader.cancel();
      await Promise.all(pending);
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      process.removeListener('uncaughtException', onUncaught);
    }
    expect(uncaught).toEqual([]);
  });

  it('leaves tools, JSON output and provider options to the AI SDK', async () => {
    const { lean } = models('plain');
    requests.length = 0;
    await parts(lean, { ...textCall, responseFormat: { type: 'json' } });
    // The AI SDK's request carries its own marks, e.g. the JSON response format.
    expect(requests[0]).toMatchObject({ response_format: { type: 'json_object' } });
  });
});
