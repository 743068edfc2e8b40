import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { WalCheckpointer, type CheckpointResult } from './wal-checkpointer.js';

const folders: string[] = [];

function openDatabase() {
  const folder = mkdtempSync(path.join(tmpdir(), 'polett-wal-'));
  folders.push(folder);
  const file = path.join(folder, 'polett.db');
  const database = new BetterSqlite3(file);
  database.pragma('journal_mode = WAL');
  database.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
  return { database, file };
}

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('WAL checkpoints on a worker thread', () => {
  it('checkpoints the log from its own thread, the main connection only past a safety valve', async () => {
    const { database, file } = openDatabase();
    const results: CheckpointResult[] = [];
    const checkpointer = new WalCheckpointer(database, file, {
      startAfterMs: 0,
      intervalMs: 50,
      onCheckpoint: (result) => results.push(result),
    });
    await expect.poll(() => database.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);

    // Well past SQLite's 1,000-page automatic checkpoint: 3,000 rows of 2 KB.
    const insert = database.prepare('INSERT INTO notes (body) VALUES (?)');
    for (let index = 0; index < 3000; index += 1) insert.run(`å${'x'.repeat(2000)}${index}`);
    await expect
      .poll(() => results.some((result) => result.log > 1000 && result.checkpointed === result.log), {
        timeout: 10_000,
      })
      .toBe(true);
    // The log is reused from its start once it is checkpointed: writes with gaps between them (as
    // requests come) do not make it grow. Each gap lasts until the worker has checkpointed the
    // batch, however slow a loaded machine makes it (a fixed gap made this test fail in CI).
    const walSize = statSync(`${file}-wal`).size;
    for (let batch = 0; batch < 30; batch += 1) {
      const before = results.length;
      for (let index = 0; index < 100; index += 1) insert.run(`ö${'y'.repeat(2000)}${index}`);
      await expect
        .poll(() => results.length > before && results.at(-1)!.checkpointed === results.at(-1)!.log, {
          timeout: 10_000,
          interval: 10,
        })
        .toBe(true);
    }
    await expect
      .poll(() => results.at(-1)?.checkpointed === results.at(-1)?.log, { timeout: 10_000 })
      .toBe(true);
    expect(statSync(`${file}-wal`).size).toBeLessThanOrEqual(walSize);

    checkpointer.stop();
    database.close();
    const reopened = new BetterSqlite3(file, { readonly: true });
    expect((reopened.prepare('SELECT COUNT(*) AS n FROM notes').get() as { n: number }).n).toBe(6000);
    reopened.close();
  });

  it("closes the worker's connection before stop() returns, so the main connection closes last and leaves no log behind", async () => {
    for (let round = 0; round < 5; round += 1) {
      const { database, file } = openDatabase();
      const checkpointer = new WalCheckpointer(database, file, { startAfterMs: 0, intervalMs: 5 });
      await expect.poll(() => database.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
      database.prepare('INSERT INTO notes (body) VALUES (?)').run('räksmörgås');
      // Stopped while the worker's connection is open (and likely mid-checkpoint, every 5 ms).
      checkpointer.stop();
      database.close();
      expect(readdirSync(path.dirname(file))).toEqual(['polett.db']);
    }
  });

  it('never starts a thread for a database closed before it was due', async () => {
    const { database, file } = openDatabase();
    const checkpointer = new WalCheckpointer(database, file, { startAfterMs: 20 });
    checkpointer.stop();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(database.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    database.close();
  });
});
