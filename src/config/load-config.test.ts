import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isPolettError, type PolettError } from '../errors.js';
import { buildDataDir } from '../../test-support/builders.js';
import { loadConfig } from './index.js';

const folders: Array<() => void> = [];
afterEach(() => folders.splice(0).forEach((remove) => remove()));

function dataDirWith(content: unknown) {
  const { dataDir, remove } = buildDataDir();
  folders.push(remove);
  writeFileSync(
    path.join(dataDir, 'polett.json'),
    typeof content === 'string' ? content : JSON.stringify(content),
  );
  return dataDir;
}

function configError(run: () => unknown): PolettError {
  try {
    run();
  } catch (error) {
    if (isPolettError(error)) return error;
    throw error;
  }
  throw new Error('expected a configuration error');
}

describe('loadConfig', () => {
  it('starts on defaults with an empty data folder', () => {
    const { dataDir, remove } = buildDataDir();
    folders.push(remove);
    const config = loadConfig({ dataDir, env: {} });
    expect(config.server.port).toBe(8787);
    expect(config.locale).toBe('sv');
    expect(config.dataDir).toBe(dataDir);
    expect(config.tasks).toEqual({});
  });

  it('lets POLETT_* variables override the file', () => {
    const dataDir = dataDirWith({ server: { port: 9000 } });
    const config = loadConfig({ dataDir, env: { POLETT_PORT: '9100', POLETT_LOCALE: 'en' } });
    expect(config.server.port).toBe(9100);
    expect(config.locale).toBe('en');
  });

  it('takes the data folder from POLETT_DATA_DIR', () => {
    const dataDir = dataDirWith({});
    expect(loadConfig({ env: { POLETT_DATA_DIR: dataDir } }).dataDir).toBe(dataDir);
  });

  it('names the variable, the value and what is expected for a wrong port', () => {
    const dataDir = dataDirWith({});
    const error = configError(() => loadConfig({ dataDir, env: { POLETT_PORT: 'åttio' } }));
    expect(error.code).toBe('config_invalid');
    expect(error.field).toBe('server.port');
    expect(error.messageIn('en')).toContain('POLETT_PORT');
    expect(error.messageIn('en')).toContain('"åttio"');
    expect(error.messageIn('en')).toMatch(/expected/i);
    expect(error.messageIn('sv')).toContain('förväntat');
  });

  it('names the key of a wrong value in the file', () => {
    const dataDir = dataDirWith({
      providers: { openai: { type: 'openai-compatible', baseURL: 'not a url' } },
    });
    const error = configError(() => loadConfig({ dataDir, env: {} }));
    expect(error.field).toBe('providers.openai.baseURL');
    expect(error.messageIn('en')).toContain('"not a url"');
  });

  it('reports an unknown key by its name', () => {
    const dataDir = dataDirWith({ server: { prot: 80 } });
    const error = configError(() => loadConfig({ dataDir, env: {} }));
    expect(error.field).toBe('server.prot');
    expect(error.messageIn('en')).toContain('no such key');
  });

  it('says so when the file is not JSON', () => {
    const dataDir = dataDirWith('{ "server": ');
    const error = configError(() => loadConfig({ dataDir, env: {} }));
    expect(error.messageIn('en')).toMatch(/not valid JSON/);
  });

  it('accepts a file saved with a byte-order mark', () => {
    const dataDir = dataDirWith('\uFEFF{"locale":"en"}');
    expect(loadConfig({ dataDir, env: {} }).locale).toBe('en');
  });

  it('checks that models name known providers and tasks name known models', () => {
    const modelError = configError(() =>
      loadConfig({ dataDir: dataDirWith({ models: { chat: { provider: 'nobody', model: 'x' } } }), env: {} }),
    );
    expect(modelError.field).toBe('models.chat.provider');
    const taskError = configError(() =>
      loadConfig({ dataDir: dataDirWith({ tasks: { chat: ['missing'] } }), env: {} }),
    );
    expect(taskError.field).toBe('tasks.chat');
    expect(taskError.messageIn('sv')).toContain('"missing"');
  });

  it('refuses an API key written in plain text', () => {
    const dataDir = dataDirWith({
      providers: {
        openai: { type: 'openai-compatible', baseURL: 'https://api.openai.com/v1', apiKey: 'sk-123' },
      },
    });
    const error = configError(() => loadConfig({ dataDir, env: {} }));
    expect(error.field).toBe('providers.openai.apiKey');
  });
});

describe('configuration errors in Swedish', () => {
  it('says what was expected in Swedish too, not in zod’s English', () => {
    const { dataDir, remove } = buildDataDir({
      server: { rateLimit: { perIp: { requests: 5_000_000, windowSeconds: 60 } } },
    } as never);
    try {
      let caught: unknown;
      try {
        loadConfig({ dataDir, env: {} });
      } catch (error) {
        caught = error;
      }
      const error = caught as PolettError;
      expect(error.localized.sv).toMatch(/förväntat är: högst 1000000\.$/);
      expect(error.localized.en).toMatch(/but expected: at most 1000000\.$/);
      expect(error.localized.sv).not.toMatch(/Too big/);
    } finally {
      remove();
    }
  });
});
