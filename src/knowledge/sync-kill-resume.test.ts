/**
 * The durability promise for ingestion: a sync job whose worker is killed with SIGKILL halfway
 * through a folder resumes at restart, and in the end every file is indexed exactly once, with no
 * duplicate chunks and no orphans in the full-text index.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startWorkers } from '../jobs/index.js';
import { openPlatform } from '../platform/index.js';
import { buildPolett } from '../../test-support/builders.js';
import { waitFor, waitForJobEnd } from '../../test-support/job-builders.js';
import { REPOSITORY_ROOT } from '../../test-support/paths.js';
import { openKnowledge } from './index.js';
import { knowledgeJobHandlers } from './job-handlers.js';

const WORKER_SCRIPT = path.join(REPOSITORY_ROOT, 'src', 'knowledge', 'testing', 'sync-worker-process.ts');
const LEASE_MS = 400;
const FILES = 150;
const cleanups: Array<() => unknown> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A folder of Swedish handbook pages, each with its own heading and sections. */
function handbook(): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'polett-handbok-'));
  cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
  for (let index = 1; index <= FILES; index += 1) {
    const sections = Array.from(
      { length: 6 },
      (_, section) =>
        `## Avsnitt ${section + 1}\n\nSida ${index}, avsnitt ${section + 1}: cykelreparationer, däckbyten och växeljusteringar för kund nummer ${index * 10 + section}. ` +
        'Verkstaden i Göteborg tar emot bokningar vardagar och lördagar; ta med kvittot vid garantiärenden. '.repeat(
          3,
        ),
    ).join('\n\n');
    writeFileSync(
      path.join(folder, `sida-${String(index).padStart(3, '0')}.md`),
      `# Handbok ${index}\n\n${sections}\n`,
    );
  }
  return folder;
}

describe('a knowledge sync killed with SIGKILL', () => {
  it('resumes after restart and indexes every file exactly once, with no orphans', async () => {
    const polett = buildPolett();
    cleanups.push(() => polett.close());
    const platform = openPlatform(polett.storage);
    const owner = platform.users.create({
      email: 'agare@exempel.se',
      name: 'Åsa',
      passwordHash: 'x',
      locale: 'sv',
    });
    const workspace = platform.workspaces.create({ name: 'Lindqvists Cykel AB', ownerUserId: owner.id });
    const knowledge = openKnowledge({
      database: polett.storage.database,
      models: polett.models,
      jobs: polett.jobs,
      dataDir: polett.dataDir,
    });
    const { job } = await (
      await knowledge.forWorkspace(workspace.id)
    ).addSource({
      kind: 'folder',
      location: handbook(),
    });
    const database = polett.storage.database;
    const documents = () =>
      (database.prepare('SELECT COUNT(*) AS count FROM knowledge_documents').get() as { count: number })
        .count;

    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', WORKER_SCRIPT, polett.dataDir, String(LEASE_MS)],
      { cwd: REPOSITORY_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    cleanups.push(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    await waitFor(() => documents() >= 20, { timeoutMs: 60_000, what: 'the child to index 20 files' });
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    const atKill = documents();
    expect(atKill).toBeLessThan(FILES);

    const workers = startWorkers({
      queue: polett.jobs,
      handlers: knowledgeJobHandlers({
        database,
        models: polett.models,
        jobs: polett.jobs,
        dataDir: polett.dataDir,
      }),
      leaseMs: LEASE_MS,
      pollIntervalMs: 50,
    });
    cleanups.push(() => workers.stop({ timeoutMs: 1000 }));
    const final = await waitForJobEnd(polett.jobs, job.id, 120_000);
    expect(final.state).toBe('succeeded');
    expect(final.attempts).toBe(2);

    const counts = database
      .prepare(
        `SELECT
           (SELECT COUNT(*) FROM knowledge_documents) AS documents,
           (SELECT COUNT(DISTINCT uri) FROM knowledge_documents) AS uris,
           (SELECT COUNT(*) FROM knowledge_chunks) AS chunks,
           (SELECT COUNT(*) FROM (SELECT document_id, ordinal FROM knowledge_chunks GROUP BY document_id, ordinal HAVING COUNT(*) > 1)) AS duplicated,
           (SELECT COALESCE(SUM(chunk_count), 0) FROM knowledge_documents) AS declared,
           (SELECT COUNT(*) FROM knowledge_fts) AS indexed,
           (SELECT COUNT(*) FROM knowledge_chunks WHERE duplicate_of IS NULL) AS originals`,
      )
      .get() as Record<string, number>;
    expect(counts.documents).toBe(FILES);
    expect(counts.uris).toBe(FILES);
    expect(counts.duplicated).toBe(0);
    expect(counts.chunks).toBe(counts.declared);
    // Every full-text row belongs to a chunk: nothing half-written survived the kill.
    const orphans = database
      .prepare(
        'SELECT COUNT(*) AS count FROM knowledge_fts WHERE rowid NOT IN (SELECT rowid FROM knowledge_chunks)',
      )
      .get() as { count: number };
    expect(orphans.count).toBe(0);
    // Near-duplicate chunks are stored once: the index holds exactly the originals.
    expect(counts.indexed).toBe(counts.originals);

    const passages = await knowledge.searcherFor(workspace.id).search('växeljusteringar kund nummer 1234');
    expect(passages[0]?.title).toBe('Handbok 123');
  }, 180_000);
});
