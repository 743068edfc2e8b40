/**
 * Syncing a folder as a durable job with the real parsers: every file one item with its outcome,
 * a bad file reported while the rest are indexed, and a re-sync that keeps what is unchanged,
 * re-indexes what changed and removes what vanished, leaving no orphan in any index.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPolett, buildUser, buildWorkspace } from '../../test-support/builders.js';
import { waitForJobEnd } from '../../test-support/job-builders.js';
import { openPlatform } from '../platform/index.js';
import {
  KNOWLEDGE_RESYNC_JOB,
  openKnowledge,
  type Knowledge,
  type SyncItemResult,
  type SyncReport,
} from './index.js';

const folder = mkdtempSync(path.join(tmpdir(), 'polett-handbok-'));
let polett: ReturnType<typeof buildPolett>;
let knowledge: Knowledge;
let workspaceId: string;

beforeAll(async () => {
  polett = buildPolett();
  const platform = openPlatform(polett.storage);
  workspaceId = buildWorkspace(platform, { owner: await buildUser(platform) }).id;
  knowledge = openKnowledge({
    database: polett.storage.database,
    jobs: polett.jobs,
    dataDir: polett.dataDir,
  });
  polett.startWorkers({ concurrency: 1 });
  mkdirSync(path.join(folder, 'villkor'));
  writeFileSync(
    path.join(folder, 'retur.md'),
    '# Returer\n\nDu har 30 dagars öppet köp.\n\n# Byten\n\nByten är gratis.',
  );
  writeFileSync(path.join(folder, 'villkor', 'frakt.txt'), 'Vi skickar med Postnord. Fri frakt över 500 kr.');
  writeFileSync(path.join(folder, 'trasig.pdf'), 'detta är ingen pdf');
  writeFileSync(path.join(folder, '.dold.md'), 'hemligt');
});
afterAll(async () => {
  await polett.close();
  rmSync(folder, { recursive: true, force: true });
});

async function itemsOf(jobId: string) {
  return Object.fromEntries(
    (await polett.jobs.listItems(jobId))
      .filter((item) => !item.key.startsWith('\u0000'))
      .map((item) => [item.key, item.state === 'done' ? (item.result as SyncItemResult) : item.error!.code]),
  );
}

describe('the knowledge sync job', () => {
  it('indexes a folder file by file, reports the bad one, and re-syncs only what changed', async () => {
    const service = await knowledge.forWorkspace(workspaceId);
    const { source, job } = await service.addSource({
      kind: 'folder',
      location: folder,
      collection: 'Handbok',
    });
    const first = await waitForJobEnd(polett.jobs, job.id, 30_000);
    expect(first.state).toBe('succeeded');
    expect(first.result).toMatchObject({
      documents: 2,
      failed: 1,
      vanished: 0,
    } satisfies Partial<SyncReport>);
    const items = await itemsOf(job.id);
    expect(Object.keys(items).sort()).toEqual(['retur.md', 'trasig.pdf', 'villkor/frakt.txt']);
    expect(items['trasig.pdf']).toBe('corrupt_file');
    expect(items['retur.md']).toMatchObject({ title: 'Returer', chunks: 2, added: 2 });
    expect(service.store.requireSource(source.id)).toMatchObject({
      status: 'ready',
      documentCount: 2,
      failedCount: 1,
    });
    expect((await service.searcher.search('returer'))[0]).toMatchObject({
      title: 'Returer',
      collection: 'Handbok',
    });

    writeFileSync(
      path.join(folder, 'retur.md'),
      '# Returer\n\nDu har 30 dagars öppet köp.\n\n# Byten\n\nByten kostar 49 kr.',
    );
    rmSync(path.join(folder, 'villkor', 'frakt.txt'));
    writeFileSync(path.join(folder, 'betalning.md'), '# Betalning\n\nVi tar Swish och kort.');
    const second = await waitForJobEnd(polett.jobs, (await service.sync(source.id)).id, 30_000);
    expect(second.result).toMatchObject({ documents: 2, failed: 1, vanished: 1 });
    const again = await itemsOf(second.id);
    expect(again['retur.md']).toMatchObject({ kept: 1, added: 1, removed: 1 });
    expect(again['betalning.md']).toMatchObject({ added: 1 });

    expect((await service.searcher.search('postnord')).length).toBe(0);
    expect((await service.searcher.search('kostar'))[0]?.text).toContain('49 kr');
    expect((await knowledge.store()).orphanCounts()).toEqual({ lexicalRows: 0, vectorRows: 0, chunks: 0 });
    const counts = service.store.counts();
    expect(counts).toMatchObject({ documents: 2, chunks: 3, lexicalRows: 3 });
  });

  it('re-syncs a source on its schedule once its hours have passed', async () => {
    const service = await knowledge.forWorkspace(workspaceId);
    const { source, job } = await service.addSource({
      kind: 'file',
      location: path.join(folder, 'retur.md'),
      syncEveryHours: 1,
    });
    await waitForJobEnd(polett.jobs, job.id, 30_000);
    const store = await knowledge.store();
    expect(store.dueForSync().map((due) => due.sourceId)).not.toContain(source.id);
    polett.storage.database
      .prepare('UPDATE knowledge_sources SET last_synced_at = ? WHERE id = ?')
      .run(new Date(Date.now() - 2 * 3_600_000).toISOString(), source.id);
    expect(store.dueForSync()).toContainEqual({ workspaceId, sourceId: source.id });

    const sweep = await polett.jobs.enqueue({ type: KNOWLEDGE_RESYNC_JOB, workspaceId: null, input: {} });
    expect((await waitForJobEnd(polett.jobs, sweep.id, 30_000)).result).toEqual({ started: [source.id] });
    const resync = service.store.requireSource(source.id).lastJobId!;
    expect(resync).not.toBe(job.id);
    expect((await waitForJobEnd(polett.jobs, resync, 30_000)).state).toBe('succeeded');
    expect(service.store.requireSource(source.id).status).toBe('ready');
    expect(store.dueForSync().map((due) => due.sourceId)).not.toContain(source.id);
    await service.removeSource(source.id);
  });

  it('marks a source whose path is gone as failed, with one sentence', async () => {
    const service = await knowledge.forWorkspace(workspaceId);
    const { source, job } = await service.addSource({
      kind: 'file',
      location: path.join(folder, 'finns-inte.md'),
    });
    expect((await waitForJobEnd(polett.jobs, job.id, 30_000)).state).toBe('failed');
    const failed = service.store.requireSource(source.id);
    expect(failed.status).toBe('failed');
    expect(failed.error?.message.sv).toMatch(/finns inte/);
    expect(await service.removeSource(source.id)).toBe(true);
  });
});
