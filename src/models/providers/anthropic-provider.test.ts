/**
 * The Anthropic provider against a local server that answers like Anthropic's Messages API
 * (response shapes from its documentation), streamed and not, through the model registry.
 */
import { serve, type ServerType } from '@hono/node-server';
import { generateText, streamText } from 'ai';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPolett } from '../../../test-support/builders.js';

let server: ServerType;
let baseURL: string;
const received: Array<{ apiKey: string | undefined; body: string }> = [];

function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

beforeAll(async () => {
  const app = new Hono();
  app.post('/v1/messages', async (context) => {
    const body = await context.req.text();
    received.push({ apiKey: context.req.header('x-api-key'), body });
    if (context.req.header('x-api-key') !== 'sk-ant-test') {
      return context.json(
        { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } },
        401,
      );
    }
    const request = JSON.parse(body) as { stream?: boolean; model: string };
    const message = {
      id: 'msg_01',
      type: 'message',
      role: 'assistant',
      model: request.model,
      content: [{ type: 'text', text: 'Hej! Hur kan jag hjälpa dig?' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 21, output_tokens: 9 },
    };
    if (!request.stream) return context.json(message);
    const events = [
      sse('message_start', {
        type: 'message_start',
        message: {
          ...message,
          content: [],
          stop_reason: null,
          usage: { input_tokens: 21, output_tokens: 1 },
        },
      }),
      sse('content_block_start', {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'text', text: '' },
      }),
      sse('content_block_delta', {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'text_delta', text: 'Hej! ' },
      }),
      sse('content_block_delta', {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'text_delta', text: 'Hur kan jag hjälpa dig?' },
      }),
      sse('content_block_stop', { type: 'content_block_stop', index: 0 }),
      sse('message_delta', {
        type: 'message_delta',
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: { output_tokens: 9 },
      }),
      sse('message_stop', { type: 'message_stop' }),
    ];
    return new Response(events.join(''), { headers: { 'content-type': 'text/event-stream' } });
  });
  server = await new Promise((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
  });
  baseURL = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function claude(key: string) {
  return buildPolett(
    {
      providers: {
        claude: { type: 'anthropic', baseURL, apiKey: { env: 'ANTHROPIC_API_KEY' }, maxRetries: 0 },
      },
      models: { haiku: { provider: 'claude', model: 'claude-haiku-4-5' } },
      tasks: { chat: ['haiku'] },
    },
    { env: { ANTHROPIC_API_KEY: key } },
  );
}

describe('the Anthropic provider', () => {
  it('answers, with usage in the ledger, and redacts personal data since Anthropic is remote', async () => {
    const polett = claude('sk-ant-test');
    const result = await generateText({
      model: polett.models.languageModel(),
      prompt: 'Mitt personnummer är 811218-9876, kan ni hjälpa mig?',
      maxRetries: 0,
    });
    expect(result.text).toBe('Hej! Hur kan jag hjälpa dig?');
    expect(received.at(-1)?.body).not.toContain('811218-9876');
    expect(polett.storage.usage.recent(1)[0]).toMatchObject({
      provider: 'claude',
      inputTokens: 21,
      outputTokens: 9,
    });
    await polett.close();
  });

  it('streams', async () => {
    const polett = claude('sk-ant-test');
    const result = streamText({ model: polett.models.languageModel(), prompt: 'Hej', maxRetries: 0 });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    expect(text).toBe('Hej! Hur kan jag hjälpa dig?');
    await polett.close();
  });

  it('reports a refused key in one sentence, without retrying', async () => {
    const polett = claude('sk-ant-wrong');
    const before = received.length;
    await expect(
      generateText({ model: polett.models.languageModel(), prompt: 'Hej', maxRetries: 0 }),
    ).rejects.toMatchObject({ code: 'model_auth_failed', field: 'providers.claude.apiKey' });
    expect(received.length - before).toBe(1);
    await polett.close();
  });
});
