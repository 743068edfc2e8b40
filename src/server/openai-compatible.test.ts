import { serve, type ServerType } from '@hono/node-server';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPolett } from '../../test-support/builders.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../../test-support/fake-openai-server.js';
import type { Polett } from '../polett.js';
import { createApp } from './app.js';

let upstream: FakeOpenAIServer;
let polett: Polett;
let server: ServerType;
let client: OpenAI;
let apiKey: string;

beforeAll(async () => {
  upstream = await startFakeOpenAIServer();
  polett = buildPolett({
    providers: {
      upstream: { type: 'openai-compatible', baseURL: upstream.url, maxRetries: 0, timeoutMs: 2000 },
    },
    models: { ok: { provider: 'upstream', model: 'ok' }, cut: { provider: 'upstream', model: 'cut' } },
    tasks: { chat: ['ok'] },
  });
  apiKey = polett.storage.apiKeys.create({ name: 'test', scopes: ['inference'] }).secret;
  const app = createApp(polett);
  server = await new Promise((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
  });
  const { port } = server.address() as { port: number };
  client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey, maxRetries: 0 });
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await polett.close();
  await upstream.close();
});

describe('the OpenAI-compatible API, with the official openai client as the peer', () => {
  it('lists the models and the tasks', async () => {
    const page = await client.models.list();
    expect(page.data.map((model) => model.id)).toEqual(expect.arrayContaining(['chat', 'ok', 'cut']));
  });

  it('answers a chat completion, not streamed', async () => {
    const completion = await client.chat.completions.create({
      model: 'chat',
      messages: [{ role: 'user', content: 'Hej!' }],
    });
    expect(completion.choices[0]?.message.content).toBe('Hej från servern!');
    expect(completion.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 });
  });

  it('streams a chat completion with usage at the end', async () => {
    const stream = await client.chat.completions.create({
      model: 'ok',
      messages: [{ role: 'user', content: 'Hej!' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: unknown;
    let finishReason: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Hej från servern!');
    expect(finishReason).toBe('stop');
    expect(usage).toMatchObject({ total_tokens: 15 });
  });

  it('turns an upstream stream cut in the middle into an error the client sees', async () => {
    const stream = await client.chat.completions.create({
      model: 'cut',
      messages: [{ role: 'user', content: 'Hej!' }],
      stream: true,
    });
    let text = '';
    const consume = async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    };
    await expect(consume()).rejects.toThrow();
    expect(text).toBe('Hej från ');
  });

  it('refuses a request without a valid key', async () => {
    const stranger = new OpenAI({ baseURL: client.baseURL, apiKey: 'plt_wrong', maxRetries: 0 });
    await expect(stranger.models.list()).rejects.toMatchObject({ status: 401, code: 'api_key_invalid' });
  });

  it('refuses a key without the inference scope', async () => {
    const { secret } = polett.storage.apiKeys.create({ name: 'läsare', scopes: ['read'] });
    const limited = new OpenAI({ baseURL: client.baseURL, apiKey: secret, maxRetries: 0 });
    await expect(limited.models.list()).rejects.toMatchObject({ status: 403, code: 'api_key_scope' });
  });

  it('names the offending field of a request that does not match its schema', async () => {
    const error = await client.chat.completions
      .create({ model: 'chat', messages: [{ role: 'user', content: 'Hej' }], temperature: 7 })
      .catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ status: 400, param: 'temperature', code: 'invalid_request' });
  });

  it('says which model does not exist', async () => {
    const error = await client.chat.completions
      .create({ model: 'gpt-9', messages: [{ role: 'user', content: 'Hej' }] })
      .catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ status: 404, code: 'model_unknown', param: 'model' });
  });

  it('answers in Swedish when the caller asks for Swedish', async () => {
    const app = createApp(polett);
    const response = await app.request('/v1/chat/completions', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${apiKey}`,
        'content-type': 'application/json',
        'accept-language': 'sv-SE',
      },
      body: '{"model":',
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/inte giltig JSON/);
  });

  it('accepts explicit nulls for optional settings, as some clients send them', async () => {
    const response = await createApp(polett).request('/v1/chat/completions', {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'chat',
        messages: [{ role: 'user', content: 'Hej' }],
        response_format: null,
        tool_choice: null,
        temperature: null,
      }),
    });
    expect(response.status).toBe(200);
  });

  it('keeps serving after bad requests', async () => {
    const completion = await client.chat.completions.create({
      model: 'chat',
      messages: [{ role: 'user', content: 'Igen' }],
    });
    expect(completion.choices[0]?.message.content).toBe('Hej från servern!');
  });
});
