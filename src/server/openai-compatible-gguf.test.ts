/**
 * Polett's OpenAI-compatible API backed by a real local model: the official `openai` client against
 * Polett's /v1, served by node-llama-cpp on the tiny generated GGUF model. Then Polett's own
 * OpenAI-compatible provider is pointed at that server, so the remote-provider code is tested
 * against a real upstream too.
 */
import { copyFileSync, mkdtempSync, openSync, closeSync, ftruncateSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { generateObject, generateText, streamText } from 'ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildPolett } from '../../test-support/builders.js';
import { TEST_MODELS_DIR } from '../../test-support/paths.js';
import { TINY_GGUF_MODEL } from '../../test-support/tiny-gguf.js';
import type { Polett } from '../polett.js';
import { createApp } from './app.js';

let polett: Polett;
let server: ServerType;
let baseURL: string;
let apiKey: string;
let client: OpenAI;

beforeAll(async () => {
  polett = buildPolett({
    providers: { local: { type: 'local-gguf', contextSize: 2048, parallelSequences: 2 } },
    models: { tiny: { provider: 'local', model: path.join(TEST_MODELS_DIR, TINY_GGUF_MODEL) } },
    tasks: { chat: ['tiny'] },
  });
  apiKey = polett.storage.apiKeys.create({ name: 'test', scopes: ['inference'] }).secret;
  const app = createApp(polett);
  server = await new Promise((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
  });
  baseURL = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
  client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await polett.close();
});

describe('the /v1 API on a local GGUF model, with the openai client', () => {
  it('answers a chat completion with usage', async () => {
    const completion = await client.chat.completions.create({
      model: 'tiny',
      messages: [{ role: 'user', content: 'Hej! Vad kostar frakten till Göteborg?' }],
      max_tokens: 8,
      seed: 1,
    });
    expect(completion.choices[0]?.message.role).toBe('assistant');
    expect(typeof completion.choices[0]?.message.content).toBe('string');
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
    expect(completion.usage?.completion_tokens).toBeLessThanOrEqual(8);
  });

  it('streams', async () => {
    const stream = await client.chat.completions.create({
      model: 'chat',
      messages: [{ role: 'user', content: 'Skriv något.' }],
      max_tokens: 8,
      stream: true,
      stream_options: { include_usage: true },
    });
    let chunks = 0;
    let finishReason: string | null = null;
    let usage: { completion_tokens: number } | undefined;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) chunks += 1;
      finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(chunks).toBeGreaterThan(0);
    expect(finishReason).not.toBeNull();
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('returns valid JSON that follows a JSON schema, even from random weights', async () => {
    const completion = await client.chat.completions.create({
      model: 'tiny',
      messages: [{ role: 'user', content: 'Betygsätt: "Snabb leverans, trevlig personal!"' }],
      max_tokens: 200,
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'review',
          strict: true,
          schema: {
            type: 'object',
            // Enums and booleans: random weights cannot be trusted to close a free-form string.
            properties: {
              sentiment: { type: 'string', enum: ['positiv', 'negativ'] },
              stars: { type: 'integer', enum: [1, 2, 3, 4, 5] },
              recommends: { type: 'boolean' },
            },
            required: ['sentiment', 'stars', 'recommends'],
            additionalProperties: false,
          },
        },
      },
    });
    const content = completion.choices[0]?.message.content ?? '';
    const parsed = JSON.parse(content) as { sentiment: string; stars: number; recommends: boolean };
    expect(['positiv', 'negativ']).toContain(parsed.sentiment);
    expect([1, 2, 3, 4, 5]).toContain(parsed.stars);
    expect(typeof parsed.recommends).toBe('boolean');
  });

  it('records every call in the usage ledger', () => {
    const recent = polett.storage.usage.recent(3);
    expect(recent.every((entry) => entry.provider === 'local' && entry.model.endsWith(TINY_GGUF_MODEL))).toBe(
      true,
    );
    expect(recent.every((entry) => entry.ok)).toBe(true);
  });
});

describe("Polett's OpenAI-compatible provider against a real upstream (Polett's own /v1)", () => {
  function remotePolett() {
    return buildPolett(
      {
        providers: { upstream: { type: 'openai-compatible', baseURL, apiKey: { env: 'UPSTREAM_KEY' } } },
        models: { far: { provider: 'upstream', model: 'tiny' } },
        tasks: { chat: ['far'] },
      },
      { env: { UPSTREAM_KEY: apiKey } },
    );
  }

  it('generates and streams through the AI SDK', async () => {
    const consumer = remotePolett();
    const model = consumer.models.languageModel();
    const generated = await generateText({ model, prompt: 'Hej', maxOutputTokens: 6, maxRetries: 0 });
    expect(generated.usage.outputTokens).toBeGreaterThan(0);
    const streamed = streamText({ model, prompt: 'Hej', maxOutputTokens: 6, maxRetries: 0 });
    let deltas = 0;
    for await (const delta of streamed.textStream) if (delta) deltas += 1;
    expect(deltas).toBeGreaterThan(0);
    await consumer.close();
  });

  it('generates an object that matches its schema', async () => {
    const consumer = remotePolett();
    const { object } = await generateObject({
      model: consumer.models.languageModel(),
      schema: z.object({ kategori: z.enum(['leverans', 'pris', 'kvalitet']) }),
      prompt: 'Kategorisera: "Paketet kom aldrig fram."',
      maxOutputTokens: 100,
      maxRetries: 0,
    });
    expect(['leverans', 'pris', 'kvalitet']).toContain(object.kategori);
    await consumer.close();
  });

  it('says in one sentence that the key was refused', async () => {
    const consumer = buildPolett(
      {
        providers: { upstream: { type: 'openai-compatible', baseURL, apiKey: { env: 'UPSTREAM_KEY' } } },
        models: { far: { provider: 'upstream', model: 'tiny' } },
        tasks: { chat: ['far'] },
      },
      { env: { UPSTREAM_KEY: 'plt_wrong' } },
    );
    await expect(
      generateText({ model: consumer.models.languageModel(), prompt: 'Hej', maxRetries: 0 }),
    ).rejects.toMatchObject({ code: 'model_auth_failed' });
    await consumer.close();
  });
});

describe('a corrupt or truncated model file', () => {
  it('gets one clear sentence over HTTP, and the server keeps serving', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'polett-corrupt-'));
    const truncated = path.join(folder, 'truncated.gguf');
    copyFileSync(path.join(TEST_MODELS_DIR, TINY_GGUF_MODEL), truncated);
    const descriptor = openSync(truncated, 'r+');
    ftruncateSync(descriptor, Math.floor(statSync(truncated).size / 2));
    closeSync(descriptor);
    const broken = buildPolett({
      providers: { local: { type: 'local-gguf', contextSize: 2048 } },
      models: {
        broken: { provider: 'local', model: truncated },
        tiny: { provider: 'local', model: path.join(TEST_MODELS_DIR, TINY_GGUF_MODEL) },
      },
      tasks: { chat: ['broken'] },
    });
    const key = broken.storage.apiKeys.create({ name: 't', scopes: ['inference'] }).secret;
    const app = createApp(broken);
    const request = (model: string) =>
      app.request('/v1/chat/completions', {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Hej' }], max_tokens: 4 }),
      });
    const failed = await request('broken');
    expect(failed.status).toBe(503);
    const body = (await failed.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('model_file_invalid');
    expect(body.error.message).toContain('truncated.gguf');
    expect(body.error.message.split('. ').length).toBeLessThanOrEqual(3);
    const served = await request('tiny');
    expect(served.status).toBe(200);
    await broken.close();
  });
});
