/**
 * Learn over HTTP, in memory: a viewer splits a text with every tokenizer (the local tiny model's
 * own included), gets the cost per configured model, and sees the tiny model's attention.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTinyTransformer, writeGgufFile } from '../../../test-support/gguf-writer.js';
import { byteLevelVocabulary } from '../../../test-support/tiny-gguf.js';
import {
  buildPlatformServer,
  buildSession,
  buildUser,
  buildWorkspace,
  type BuiltSession,
} from '../../../test-support/builders.js';
import { TEST_MODELS_DIR } from '../../../test-support/paths.js';
import { TINY_GGUF_BPE_MODEL } from '../../../test-support/tiny-gguf.js';
import {
  MAX_ATTENTION_TOKENS,
  type AttentionModels,
  type AttentionResponse,
  type TokenizerList,
  type TokensResponse,
} from '../../learn/index.js';

type Server = ReturnType<typeof buildPlatformServer>;
let server: Server;
let viewer: BuiltSession;
let base: string;
const directory = mkdtempSync(path.join(tmpdir(), 'polett-learn-routes-'));
/** A GGUF file of an architecture the forward pass does not run (only its header is ever read). */
const unsupportedModel = path.join(directory, 'phi3-like.gguf');

beforeAll(async () => {
  writeGgufFile(
    unsupportedModel,
    buildTinyTransformer({
      architecture: 'llama',
      name: 'not runnable',
      vocabulary: byteLevelVocabulary(),
      layerCount: 1,
      embeddingLength: 32,
      headCount: 2,
      feedForwardLength: 64,
      contextLength: 256,
      seed: 5,
      extraMetadata: { 'general.architecture': 'phi3' },
    }),
  );
  server = buildPlatformServer({
    providers: {
      local: { type: 'local-gguf', contextSize: 2048 },
      openai: { type: 'openai-compatible', baseURL: 'http://127.0.0.1:9/v1' },
    },
    models: {
      // First, so that choosing the first runnable model is tested.
      odd: { provider: 'local', model: unsupportedModel },
      tiny: { provider: 'local', model: path.join(TEST_MODELS_DIR, TINY_GGUF_BPE_MODEL) },
      gpt: {
        provider: 'openai',
        model: 'gpt-4o-mini',
        contextWindow: 128_000,
        price: { inputPerMillion: 0.15, outputPerMillion: 0.6, currency: 'USD' },
      },
    },
    tasks: { chat: ['odd', 'tiny', 'gpt'] },
  });
  const owner = await buildUser(server.platform);
  const viewerUser = await buildUser(server.platform);
  const workspace = buildWorkspace(server.platform, {
    owner,
    members: [{ user: viewerUser, role: 'viewer' }],
  });
  viewer = buildSession(server.platform, viewerUser);
  base = `/api/workspaces/${workspace.id}/learn`;
});

afterAll(async () => {
  await server?.close();
  rmSync(directory, { recursive: true, force: true });
});

const SWEDISH = 'Vi levererar smörgåstårtor till företag i hela Göteborg.';

describe('Learn routes', () => {
  it('lists the built-in tokenizers and the local model', async () => {
    const response = await server.app.request(`${base}/tokenizers`, { headers: viewer.headers });
    expect(response.status).toBe(200);
    const body = (await response.json()) as TokenizerList;
    expect(body.tokenizers.map((tokenizer) => tokenizer.name)).toEqual([
      'o200k',
      'cl100k',
      'llama3',
      'qwen3',
      'gemma3',
      'local:odd',
      'local:tiny',
    ]);
  });

  it('splits a text with chosen tokenizers and prices it per model', async () => {
    const response = await server.app.request(`${base}/tokens`, {
      method: 'POST',
      headers: viewer.writeHeaders,
      body: JSON.stringify({ text: SWEDISH, tokenizers: ['o200k', 'local:tiny'] }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as TokensResponse;
    expect(body.results.map((result) => result.tokenizer)).toEqual(['o200k', 'local:tiny']);
    for (const result of body.results) {
      expect(result.tokenCount).toBe(result.tokens.length);
      const bytes = Buffer.concat(result.tokens.map((token) => Buffer.from(token.bytes, 'hex')));
      expect(bytes.toString('utf8')).toBe(SWEDISH);
    }
    const o200k = body.results[0]!;
    const gpt = body.costs.find((cost) => cost.alias === 'gpt')!;
    expect(gpt).toMatchObject({ tokenizer: 'o200k', estimated: false, tokenCount: o200k.tokenCount });
    expect(gpt.inputCost).toBeCloseTo((o200k.tokenCount / 1_000_000) * 0.15, 12);
    expect(gpt.currency).toBe('USD');
    expect(gpt.contextFill).toBeCloseTo(o200k.tokenCount / 128_000, 12);
    const tiny = body.costs.find((cost) => cost.alias === 'tiny')!;
    // GPT-2's r50k vocabulary knows less Swedish than o200k: more tokens for the same text.
    expect(tiny).toMatchObject({ tokenizer: 'local:tiny', inputCost: null, contextWindow: 2048 });
    expect(tiny.tokenCount).toBe(body.results[1]!.tokenCount);
    expect(tiny.tokenCount).toBeGreaterThan(o200k.tokenCount);
  });

  it('says clearly what was wrong with the input', async () => {
    const empty = await server.app.request(`${base}/tokens`, {
      method: 'POST',
      headers: viewer.writeHeaders,
      body: JSON.stringify({ text: '' }),
    });
    expect(empty.status).toBe(400);
    const unknown = await server.app.request(`${base}/tokens`, {
      method: 'POST',
      headers: viewer.writeHeaders,
      body: JSON.stringify({ text: 'Hej', tokenizers: ['gpt-9'] }),
    });
    expect(unknown.status).toBe(404);
    const body = (await unknown.json()) as { error: { code: string; field: string; message: string } };
    expect(body.error).toMatchObject({ code: 'learn_tokenizer_unknown', field: 'tokenizer' });
    expect(body.error.message).toContain(
      'Choose one of: o200k, cl100k, llama3, qwen3, gemma3, local:odd, local:tiny',
    );
  });

  it("shows the local model's attention, every row a distribution over earlier tokens", async () => {
    const models = await server.app.request(`${base}/attention/models`, { headers: viewer.headers });
    const choices = ((await models.json()) as AttentionModels).models;
    expect(choices).toEqual([
      { alias: 'odd', runnable: false, problem: expect.stringContaining('"phi3"') as unknown },
      { alias: 'tiny', runnable: true },
    ]);
    const refused = await server.app.request(`${base}/attention`, {
      method: 'POST',
      headers: viewer.writeHeaders,
      body: JSON.stringify({ text: 'Hej', model: 'odd' }),
    });
    expect(refused.status).toBe(422);
    const response = await server.app.request(`${base}/attention`, {
      method: 'POST',
      headers: viewer.writeHeaders,
      body: JSON.stringify({ text: 'Hej! Vi säljer smörgåsar.' }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as AttentionResponse;
    expect(body.shape).toMatchObject({ architecture: 'llama', layerCount: 2, headCount: 4 });
    expect(body.attention).toHaveLength(2);
    expect(body.attention[0]).toHaveLength(4);
    const count = body.tokens.length;
    for (const layer of body.attention) {
      for (const encoded of layer) {
        const bytes = Buffer.from(encoded, 'base64');
        expect(bytes.length).toBe((count * (count + 1)) / 2);
        let offset = 0;
        for (let row = 0; row < count; row += 1) {
          let sum = 0;
          for (let column = 0; column <= row; column += 1) sum += bytes[offset + column]! / 255;
          offset += row + 1;
          // Each weight is rounded to 1/255: the row's sum is off by at most half that per entry.
          expect(Math.abs(sum - 1)).toBeLessThanOrEqual((row + 1) / 510 + 1e-9);
        }
      }
    }
    expect(body.next).toHaveLength(10);
    const probabilities = body.next.map((entry) => entry.probability);
    expect([...probabilities].sort((left, right) => right - left)).toEqual(probabilities);
    expect(body.truncated).toBe(false);
  });

  // The forward pass is the one request that can pin a CPU: the longest text is cut to
  // MAX_ATTENTION_TOKENS before it runs, and the answer says so.
  it('cuts a long text to the forward pass’s token limit and says it did', async () => {
    const response = await server.app.request(`${base}/attention`, {
      method: 'POST',
      headers: viewer.writeHeaders,
      body: JSON.stringify({ text: 'Smörgåstårta på lördag! '.repeat(80) }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as AttentionResponse;
    expect(body.truncated).toBe(true);
    expect(body.tokens).toHaveLength(MAX_ATTENTION_TOKENS);
    expect(Buffer.from(body.attention[0]![0]!, 'base64').length).toBe(
      (MAX_ATTENTION_TOKENS * (MAX_ATTENTION_TOKENS + 1)) / 2,
    );
  });

  it('documents its routes in the OpenAPI document', async () => {
    const document = (await (await server.app.request('/openapi.json')).json()) as {
      paths: Record<string, unknown>;
    };
    for (const path of ['tokenizers', 'tokens', 'attention/models', 'attention']) {
      expect(Object.keys(document.paths)).toContain(`/api/workspaces/{workspaceId}/learn/${path}`);
    }
  });

  it('names the catalogue model to pull when there is no local model', async () => {
    const bare = buildPlatformServer({});
    try {
      const owner = await buildUser(bare.platform);
      const workspace = buildWorkspace(bare.platform, { owner });
      const session = buildSession(bare.platform, owner);
      const response = await bare.app.request(`/api/workspaces/${workspace.id}/learn/attention`, {
        method: 'POST',
        headers: session.writeHeaders,
        body: JSON.stringify({ text: 'Hej' }),
      });
      expect(response.status).toBe(409);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('learn_model_missing');
      expect(body.error.message).toContain(
        'polett models pull bartowski/SmolLM2-135M-Instruct-GGUF/SmolLM2-135M-Instruct-Q8_0.gguf',
      );
    } finally {
      await bare.close();
    }
  });
});
