/**
 * Where the test setup writes the tiny generated models. They are generated once (see
 * global-setup.ts) and reused until their generator changes.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPOSITORY_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const TEST_MODELS_DIR =
  process.env.POLETT_TEST_MODELS_DIR ?? path.join(REPOSITORY_ROOT, 'test-models');
