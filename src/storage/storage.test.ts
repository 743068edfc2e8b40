import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildDataDir } from '../../test-support/builders.js';
import { DATABASE_FILE_NAME, openStorage, type SqliteStorage } from './index.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

function freshStorage(): { storage: SqliteStorage; dataDir: string } {
  const { dataDir, remove } = buildDataDir();
  const storage = openStorage({ dataDir, env: {} });
  cleanups.push(() => {
    storage.close();
    remove();
  });
  return { storage, dataDir };
}

describe('SQLite storage', () => {
  it('opens in WAL mode with FTS5 and sqlite-vec loaded and the schema migrated', () => {
    const { storage } = freshStorage();
    const health = storage.health();
    expect(health.journalMode).toBe('wal');
    expect(health.fullTextSearch).toBe(true);
    expect(health.vectorSearch).toMatch(/^v\d/);
    expect(health.schemaVersion).toBeGreaterThanOrEqual(1);
    const distance = storage.database.prepare("SELECT vec_distance_l2('[1,0]', '[0,1]') AS d").get() as {
      d: number;
    };
    expect(distance.d).toBeCloseTo(Math.SQRT2);
  });

  it('runs migrations once: reopening keeps the data and the version', () => {
    const { dataDir, remove } = buildDataDir();
    const first = openStorage({ dataDir, env: {} });
    first.localModels.upsert({
      name: 'qwen',
      path: '/models/qwen.gguf',
      format: 'gguf',
      source: 'Qwen/Qwen2.5-0.5B-Instruct-GGUF',
      sizeBytes: 42,
      addedAt: new Date().toISOString(),
      details: { architecture: 'qwen2' },
    });
    const version = first.health().schemaVersion;
    first.close();
    const second = openStorage({ dataDir, env: {} });
    expect(second.health().schemaVersion).toBe(version);
    expect(second.localModels.get('qwen')?.details).toEqual({ architecture: 'qwen2' });
    second.close();
    remove();
  });

  it('stores secrets encrypted: the plain text is nowhere in the database file', () => {
    const { storage, dataDir } = freshStorage();
    const secret = 'sk-hemlig-nyckel-åäö-1234567890';
    storage.secrets.set('openai', secret);
    expect(storage.secrets.get('openai')).toBe(secret);
    storage.database.pragma('wal_checkpoint(TRUNCATE)');
    const bytes = readFileSync(path.join(dataDir, DATABASE_FILE_NAME));
    expect(bytes.includes(Buffer.from(secret))).toBe(false);
    expect(storage.secrets.names()).toEqual(['openai']);
  });

  it('cannot read secrets with another key, and says what to do', () => {
    const { dataDir, remove } = buildDataDir();
    const key = Buffer.alloc(32, 7).toString('base64');
    const first = openStorage({ dataDir, env: { POLETT_SECRET_KEY: key } });
    first.secrets.set('anthropic', 'sk-ant-123');
    first.close();
    const other = openStorage({
      dataDir,
      env: { POLETT_SECRET_KEY: Buffer.alloc(32, 9).toString('base64') },
    });
    expect(() => other.secrets.get('anthropic')).toThrow(/cannot be decrypted/);
    other.close();
    remove();
  });

  it('creates API keys that are shown once and stored hashed', () => {
    const { storage } = freshStorage();
    const { record, secret } = storage.apiKeys.create({ name: 'webbplats', scopes: ['inference'] });
    expect(secret).toMatch(/^plt_/);
    expect(storage.apiKeys.verify(secret)?.id).toBe(record.id);
    expect(storage.apiKeys.verify(`${secret}x`)).toBeUndefined();
    const stored = JSON.stringify(storage.database.prepare('SELECT * FROM api_keys').all());
    expect(stored).not.toContain(secret);
    expect(storage.apiKeys.list()[0]?.lastUsedAt).not.toBeNull();
    expect(storage.apiKeys.revoke(record.id)).toBe(true);
    expect(storage.apiKeys.verify(secret)).toBeUndefined();
  });

  it('summarises usage per day, task and model', () => {
    const { storage } = freshStorage();
    const base = {
      workspaceId: null,
      provider: 'p',
      latencyMs: 5,
      currency: 'SEK',
      ok: true,
      errorCode: null,
    };
    storage.usage.record({
      ...base,
      at: '2026-11-27T10:00:00Z',
      task: 'chat',
      model: 'a',
      inputTokens: 10,
      outputTokens: 5,
      cost: 1,
    });
    storage.usage.record({
      ...base,
      at: '2026-11-27T11:00:00Z',
      task: 'chat',
      model: 'a',
      inputTokens: 20,
      outputTokens: 5,
      cost: 2,
    });
    storage.usage.record({
      ...base,
      at: '2026-11-28T09:00:00Z',
      task: 'embed',
      model: 'b',
      inputTokens: 7,
      outputTokens: 0,
      cost: null,
    });
    const summary = storage.usage.summarize();
    expect(summary).toEqual([
      {
        day: '2026-11-28',
        task: 'embed',
        provider: 'p',
        model: 'b',
        calls: 1,
        inputTokens: 7,
        outputTokens: 0,
        cost: 0,
        currency: 'SEK',
      },
      {
        day: '2026-11-27',
        task: 'chat',
        provider: 'p',
        model: 'a',
        calls: 2,
        inputTokens: 30,
        outputTokens: 10,
        cost: 3,
        currency: 'SEK',
      },
    ]);
  });
});
