/**
 * Opens a Polett instance on a data folder: configuration, storage and models, in the order each
 * needs the last. The server, the CLI and the tests all start from here.
 */
import { readFileSync } from 'node:fs';
import { loadConfig, type LoadConfigOptions, type PolettConfig } from './config/index.js';
import { ModelRegistry, type ModelRegistryOptions } from './models/index.js';
import { openStorage, type SqliteStorage } from './storage/index.js';

export interface Polett {
  config: PolettConfig;
  storage: SqliteStorage;
  models: ModelRegistry;
  version: string;
  close(): Promise<void>;
}

export interface OpenPolettOptions extends LoadConfigOptions {
  /** Passed to the model registry (tests replace fetch and shorten retry delays). */
  models?: Omit<ModelRegistryOptions, 'config' | 'storage' | 'env'>;
}

/** Polett's version, from its package.json. */
export const POLETT_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export function openPolett(options: OpenPolettOptions = {}): Polett {
  const config = loadConfig({ ...options, createDataDir: options.createDataDir ?? true });
  const storage = openStorage({ dataDir: config.dataDir, ...(options.env ? { env: options.env } : {}) });
  let models: ModelRegistry;
  try {
    models = new ModelRegistry({ ...options.models, config, storage, env: options.env ?? process.env });
  } catch (error) {
    storage.close();
    throw error;
  }
  return {
    config,
    storage,
    models,
    version: POLETT_VERSION,
    async close() {
      await models.close();
      storage.close();
    },
  };
}
