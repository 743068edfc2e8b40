/** `POST /v1/embeddings` with the official openai client, served by the tiny ONNX encoder (real runtime). */
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPolett } from '../../test-support/builders.js';
import { TEST_MODELS_DIR } from '../../test-support/paths.js';
import { TINY_ONNX_ENCODER, TINY_ONNX_HIDDEN_SIZE } from '../../test-support/tiny-onnx.js';
import { createApp } from './app.js';

let polett: ReturnType<typeof buildPolett>;
let server: ServerType;
let client: OpenAI;
let base: string;
let apiKey: string;

beforeAll(async () => {
  polett = buildPolett({
    providers: { encoders: { type: 'local-onnx' } },
    models: { tiny: { provider: 'encoders', model: path.join(TEST_MODELS_DIR, TINY_ONNX_ENCODER) } },
    tasks: { embed: ['tiny'] },
  });
  apiKey = polett.storage.apiKeys.create({ name: 'test', scopes: ['inference'] }).secret;
  const app = createApp(polett);
  server = await new Promise((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
  });
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
  client = new OpenAI({ baseURL: base, apiKey, maxRetries: 0 });
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await polett.close();
});

describe('/v1/embeddings', () => {
  it('embeds Swedish texts as floats and as base64, the same vectors either way', async () => {
    const input = ['Leveransen till Malmö var snabb.', 'Kundtjänsten svarade aldrig på mitt ärende.'];
    const floats = await client.embeddings.create({ model: 'tiny', input, encoding_format: 'float' });
    expect(floats.data.map((item) => item.index)).toEqual([0, 1]);
    expect(floats.data[0]!.embedding).toHaveLength(TINY_ONNX_HIDDEN_SIZE);
    expect(floats.data[0]!.embedding).not.toEqual(floats.data[1]!.embedding);
    // The openai client asks for base64 by default and decodes it itself.
    const decoded = await client.embeddings.create({ model: 'embed', input });
    for (const [index, item] of decoded.data.entries())
      for (const [position, value] of item.embedding.entries())
        expect(value).toBeCloseTo(floats.data[index]!.embedding[position]!, 5);
    expect(floats.usage.total_tokens).toBeGreaterThan(0);
  });

  it('takes the model’s own length as dimensions and refuses another one with the length it has', async () => {
    const same = await client.embeddings.create({
      model: 'tiny',
      input: 'Hej',
      dimensions: TINY_ONNX_HIDDEN_SIZE,
      encoding_format: 'float',
    });
    expect(same.data[0]!.embedding).toHaveLength(TINY_ONNX_HIDDEN_SIZE);
    const response = await fetch(`${base}/embeddings`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${apiKey}`,
        'content-type': 'application/json',
        'accept-language': 'sv',
      },
      body: JSON.stringify({ model: 'tiny', input: 'Hej', dimensions: 8 }),
    });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { message: string; param: string; code: string } };
    expect(error).toMatchObject({ param: 'dimensions', code: 'dimensions_unavailable' });
    expect(error.message).toBe(
      `Modellen tiny ger vektorer med ${TINY_ONNX_HIDDEN_SIZE} dimensioner, inte 8; utelämna dimensions eller ange ${TINY_ONNX_HIDDEN_SIZE}.`,
    );
  });
});
