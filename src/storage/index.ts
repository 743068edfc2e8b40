/** Storage: one SQLite file in the data folder, behind small stores that PostgreSQL can implement later. */
import path from 'node:path';
import { SecretBox } from './secret-box.js';
import { SqliteStorage } from './sqlite/sqlite-storage.js';
import type { Storage } from './types.js';

export { SecretBox } from './secret-box.js';
export { SqliteStorage } from './sqlite/sqlite-storage.js';
export type * from './types.js';

/** The database file's name inside the data folder. */
export const DATABASE_FILE_NAME = 'polett.sqlite';

/** Opens (and migrates) the storage of a data folder. */
export function openStorage(options: {
  dataDir: string;
  env?: NodeJS.ProcessEnv;
  path?: string;
}): SqliteStorage {
  return new SqliteStorage({
    path: options.path ?? path.join(options.dataDir, DATABASE_FILE_NAME),
    secretBox: SecretBox.fromEnvironmentOrDataDir(options.dataDir, options.env),
  });
}

export type { Storage };
