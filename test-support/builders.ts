/** Test-data builders: a fresh data folder with a given configuration, opened as a Polett instance. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PolettConfigInput } from '../src/config/index.js';
import { openPolett, type OpenPolettOptions, type Polett } from '../src/polett.js';

export function buildDataDir(config: PolettConfigInput = {}): { dataDir: string; remove: () => void } {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'polett-test-'));
  writeFileSync(path.join(dataDir, 'polett.json'), JSON.stringify(config, null, 2));
  return { dataDir, remove: () => rmSync(dataDir, { recursive: true, force: true }) };
}

/** Opens Polett on a fresh data folder; `close()` also removes the folder. */
export function buildPolett(
  config: PolettConfigInput = {},
  options: Omit<OpenPolettOptions, 'dataDir'> = {},
): Polett & { dataDir: string } {
  const { dataDir, remove } = buildDataDir(config);
  const polett = openPolett({ env: {}, ...options, dataDir });
  return {
    ...polett,
    dataDir,
    async close() {
      await polett.close();
      remove();
    },
  };
}
