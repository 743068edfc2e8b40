import path from 'node:path';
import { embedMany, generateText } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPolett } from '../../test-support/builders.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../../test-support/fake-openai-server.js';
import { TEST_MODELS_DIR } from '../../test-support/paths.js';
import { TINY_ONNX_ENCODER } from '../../test-support/tiny-onnx.js';

let upstream: FakeOpenAIServer;
beforeAll(async () => {
  upstream = await startFakeOpenAIServer();
});
afterAll(async () => {
  await upstream.close();
});

const customerMessage =
  'Hej! Jag heter Åsa, mitt personnummer är 811218-9876 och min e-post är asa.ohman@exempel.se. Order 123456 kom aldrig.';

describe('the model registry', () => {
  it('redacts personal data before it leaves for a remote provider, and restores it in the answer', async () => {
    const polett = buildPolett({
      providers: { cloud: { type: 'openai-compatible', baseURL: upstream.url, remote: true } },
      models: { echo: { provider: 'cloud', model: 'echo' } },
      tasks: { chat: ['echo'] },
    });
    const result = await generateText({
      model: polett.models.languageModel(),
      prompt: customerMessage,
      maxRetries: 0,
    });
    const sent = upstream.lastRequestBody();
    expect(sent).not.toContain('811218-9876');
    expect(sent).not.toContain('asa.ohman@exempel.se');
    expect(sent).toContain('Order 123456');
    expect(sent).toContain('Åsa');
    expect(result.text).toBe(customerMessage);
    await polett.close();
  });

  it('sends text unchanged to a provider on loopback, which is not remote', async () => {
    const polett = buildPolett({
      providers: { llamaServer: { type: 'openai-compatible', baseURL: upstream.url } },
      models: { echo: { provider: 'llamaServer', model: 'echo' } },
      tasks: { chat: ['echo'] },
    });
    expect(polett.models.describe()[0]?.remote).toBe(false);
    await generateText({ model: polett.models.languageModel(), prompt: customerMessage, maxRetries: 0 });
    expect(upstream.lastRequestBody()).toContain('811218-9876');
    await polett.close();
  });

  it('keeps redaction off when the configuration turns it off for a remote provider', async () => {
    const polett = buildPolett({
      providers: {
        cloud: { type: 'openai-compatible', baseURL: upstream.url, remote: true, redactPii: false },
      },
      models: { echo: { provider: 'cloud', model: 'echo' } },
      tasks: { chat: ['echo'] },
    });
    await generateText({ model: polett.models.languageModel(), prompt: customerMessage, maxRetries: 0 });
    expect(upstream.lastRequestBody()).toContain('811218-9876');
    await polett.close();
  });

  it('serves embeddings from a configured local ONNX encoder and records them in the ledger', async () => {
    const polett = buildPolett({
      providers: { encoders: { type: 'local-onnx' } },
      models: { tiny: { provider: 'encoders', model: path.join(TEST_MODELS_DIR, TINY_ONNX_ENCODER) } },
      tasks: { embed: ['tiny'] },
    });
    const { embeddings } = await embedMany({
      model: polett.models.embeddingModel(),
      values: ['Leveransen till Malmö var snabb.', 'Kundtjänsten svarade aldrig.'],
      maxRetries: 0,
    });
    expect(embeddings).toHaveLength(2);
    expect(embeddings[0]!.every(Number.isFinite)).toBe(true);
    expect(polett.storage.usage.recent(1)[0]).toMatchObject({
      task: 'embed',
      provider: 'encoders',
      ok: true,
    });
    expect(polett.models.taskStatus().find((status) => status.task === 'embed')?.ready).toBe(true);
    await polett.close();
  });

  it('makes models registered with the CLI usable without configuration', async () => {
    const polett = buildPolett({});
    polett.storage.localModels.upsert({
      name: 'tiny-encoder',
      path: path.join(TEST_MODELS_DIR, TINY_ONNX_ENCODER),
      format: 'onnx',
      source: null,
      sizeBytes: 1,
      addedAt: new Date().toISOString(),
      details: {},
    });
    const { ModelRegistry } = await import('./model-registry.js');
    const registry = new ModelRegistry({ config: polett.config, storage: polett.storage, env: {} });
    expect(registry.aliasesFor('embed')).toEqual(['tiny-encoder']);
    expect(registry.aliasesFor('chat')).toEqual([]);
    const { embeddings } = await embedMany({
      model: registry.embeddingModel(),
      values: ['Hej'],
      maxRetries: 0,
    });
    expect(embeddings).toHaveLength(1);
    await registry.close();
    await polett.close();
  });

  it('says in one sentence that a task cannot be served by a model of the wrong kind', () => {
    const polett = buildPolett({
      providers: { encoders: { type: 'local-onnx' } },
      models: { tiny: { provider: 'encoders', model: path.join(TEST_MODELS_DIR, TINY_ONNX_ENCODER) } },
    });
    expect(() => polett.models.languageModel({ alias: 'tiny' })).toThrow(/cannot serve the task "chat"/);
    void polett.close();
  });
});
