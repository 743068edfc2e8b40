import { describe, expect, it } from 'vitest';
import { buildPolett } from '../../test-support/builders.js';
import { createApp } from './app.js';

describe('GET /health', () => {
  it('answers with no model configured, and says what to pull for each task', async () => {
    const polett = buildPolett({});
    const app = createApp(polett);
    const response = await app.request('/health', { headers: { 'accept-language': 'en' } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      status: string;
      storage: { journalMode: string; vectorSearch: string };
      tasks: Array<{ task: string; ready: boolean; hint?: string }>;
    };
    expect(body.status).toBe('ok');
    expect(body.storage.journalMode).toBe('wal');
    expect(body.tasks.map((task) => task.task)).toEqual(['chat', 'embed', 'rerank', 'classify']);
    for (const task of body.tasks) {
      expect(task.ready).toBe(false);
      expect(task.hint).toMatch(/polett models pull/);
    }
    await polett.close();
  });

  it('speaks Swedish by default', async () => {
    const polett = buildPolett({});
    const response = await createApp(polett).request('/health');
    const body = (await response.json()) as { tasks: Array<{ hint?: string }> };
    expect(body.tasks[0]?.hint).toMatch(/^Ingen modell/);
    await polett.close();
  });

  it('reports a configured local model whose file is missing', async () => {
    const polett = buildPolett({
      providers: { local: { type: 'local-gguf' } },
      models: { qwen: { provider: 'local', model: 'saknas/qwen.gguf' } },
      tasks: { chat: ['qwen'] },
    });
    const response = await createApp(polett).request('/health');
    const body = (await response.json()) as {
      models: Array<{ alias: string; ready: boolean; problem?: string }>;
    };
    expect(body.models[0]).toMatchObject({ alias: 'qwen', ready: false });
    expect(body.models[0]?.problem).toMatch(/^filen saknas/);
    await polett.close();
  });

  it("keeps answering when a provider's stored key cannot be decrypted, and names the problem", async () => {
    const polett = buildPolett(
      {
        providers: {
          cloud: {
            type: 'openai-compatible',
            baseURL: 'https://api.example.com/v1',
            apiKey: { secret: 'cloud' },
          },
        },
        models: { far: { provider: 'cloud', model: 'm' } },
        tasks: { chat: ['far'] },
      },
      { env: { POLETT_SECRET_KEY: Buffer.alloc(32, 1).toString('base64') } },
    );
    polett.storage.secrets.set('cloud', 'sk-1');
    // The same database read with another key, as after a lost secret.key.
    const { openPolett } = await import('../polett.js');
    const reopened = openPolett({
      dataDir: polett.dataDir,
      env: { POLETT_SECRET_KEY: Buffer.alloc(32, 2).toString('base64') },
    });
    const response = await createApp(reopened).request('/health', { headers: { 'accept-language': 'en' } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { models: Array<{ problem?: string }> };
    expect(body.models[0]?.problem).toMatch(/cannot be decrypted/);
    await reopened.close();
    await polett.close();
  });

  it('refuses an oversized body with 413 and keeps serving', async () => {
    const polett = buildPolett({ server: { bodyLimitBytes: 2048 } });
    const app = createApp(polett);
    const response = await app.request('/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': '5000' },
      body: 'x'.repeat(5000),
    });
    expect(response.status).toBe(413);
    expect((await app.request('/health')).status).toBe(200);
    await polett.close();
  });
});
