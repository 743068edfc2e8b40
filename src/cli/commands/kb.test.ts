/**
 * `polett kb add | list | search | sync | remove` over a real data folder: the job runs in the
 * command's own process, each file's outcome is printed, and `--json` prints one object.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildDataDir } from '../../../test-support/builders.js';
import { createOwner } from './accounts.js';
import { runKbAdd, runKbList, runKbRemove, runKbSearch, runKbSync } from './kb.js';

const documents = mkdtempSync(path.join(tmpdir(), 'polett-kb-cli-'));
let data: ReturnType<typeof buildDataDir>;

beforeAll(async () => {
  data = buildDataDir();
  await createOwner(
    { email: 'agare@exempel.se', name: 'Åsa Ägare', workspace: 'Exempel AB', locale: 'sv' },
    'ett långt lösenord',
    data.dataDir,
  );
  writeFileSync(path.join(documents, 'kundtjanst.md'), '# Kundtjänst\n\nKundtjänsten svarar vardagar 8–17.');
  writeFileSync(path.join(documents, 'tom.txt'), '');
});
afterAll(() => {
  data.remove();
  rmSync(documents, { recursive: true, force: true });
});

/** Runs a command and returns what it printed on stdout. */
async function printed(run: () => Promise<void>): Promise<string> {
  let output = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    output += String(chunk);
    return true;
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return output;
}

describe('polett kb', () => {
  it('adds a folder, lists it, searches it, re-syncs and removes it', async () => {
    const options = { dataDir: data.dataDir, json: true };
    const added = JSON.parse(
      await printed(() => runKbAdd(documents, { ...options, collection: 'Hjälp' })),
    ) as {
      source: { id: string; status: string; documentCount: number };
      items: Array<{ uri: string; ok: boolean; detail: string }>;
    };
    expect(added.source).toMatchObject({ status: 'ready', documentCount: 1 });
    expect(added.items.map((item) => [item.uri, item.ok])).toEqual([
      ['kundtjanst.md', true],
      ['tom.txt', false],
    ]);
    process.exitCode = undefined;

    const list = JSON.parse(await printed(() => runKbList(options))) as {
      sources: Array<{ id: string; collection: string }>;
    };
    expect(list.sources).toEqual([expect.objectContaining({ id: added.source.id, collection: 'Hjälp' })]);

    const found = JSON.parse(await printed(() => runKbSearch('tjänst', options))) as {
      passages: Array<{ title: string; matchedTerms: string[] }>;
    };
    expect(found.passages[0]).toMatchObject({ title: 'Kundtjänst', matchedTerms: ['Kundtjänsten'] });

    const human = await printed(() => runKbSearch('kund', { dataDir: data.dataDir }));
    expect(human).toMatch(/^1\. Kundtjänst › Kundtjänst/);

    const synced = JSON.parse(
      await printed(() => runKbSync(added.source.id, options)).then((text) => text.trim()),
    ) as {
      items: Array<{ uri: string; ok: boolean }>;
    };
    expect(synced.items.find((item) => item.uri === 'kundtjanst.md')?.ok).toBe(true);
    process.exitCode = undefined;

    await printed(() => runKbRemove(added.source.id, { dataDir: data.dataDir }));
    expect(JSON.parse(await printed(() => runKbList(options)))).toEqual({ sources: [] });
  });

  it('says what to give when the target does not exist', async () => {
    await expect(runKbAdd(path.join(documents, 'saknas'), { dataDir: data.dataDir })).rejects.toMatchObject({
      code: 'knowledge_path_not_found',
    });
  });
});
