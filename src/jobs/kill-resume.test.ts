/**
 * The durability promise: a worker process killed with SIGKILL in the middle of a job loses
 * nothing. At restart the job resumes after its lease runs out, finishes, and every item's result
 * is in the results table exactly once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { buildJobDatabase, waitFor, waitForJobEnd } from '../../test-support/job-builders.js';
import {
  createItemResultsTable,
  ITEM_WRITING_JOB_TYPE,
  itemWritingJobHandler,
} from '../../test-support/item-writing-job.js';
import { startWorkers } from './index.js';

const CHILD_SCRIPT = fileURLToPath(new URL('../../test-support/job-child-process.ts', import.meta.url));
const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ITEM_COUNT = 200;
const LEASE_MS = 600;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function startChild(dataDir: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD_SCRIPT, dataDir, String(LEASE_MS)], {
    cwd: REPOSITORY_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  child.on('exit', (code, signal) => {
    if (code !== null && code !== 0) process.stderr.write(`job child exited ${code}: ${errors}\n`);
    void signal;
  });
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

describe('a job killed with SIGKILL', () => {
  it('resumes where it stopped and writes every item exactly once', async () => {
    const built = buildJobDatabase();
    cleanups.push(() => built.close());
    const { storage, queue, dataDir } = built;
    createItemResultsTable(storage.database);
    const job = await queue.enqueue({
      type: ITEM_WRITING_JOB_TYPE,
      input: { count: ITEM_COUNT, sleepMs: 5 },
      workspaceId: 'workspace-a',
    });
    const countResults = () =>
      storage.database
        .prepare('SELECT COUNT(*) AS rows, COUNT(DISTINCT item_key) AS distinctKeys FROM job_test_results')
        .get() as { rows: number; distinctKeys: number };

    const child = startChild(dataDir);
    await waitFor(() => countResults().rows >= 30, {
      timeoutMs: 30_000,
      what: 'the child to write 30 items',
    });
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    const [, signal] = (await exited) as [number | null, NodeJS.Signals | null];
    expect(signal).toBe('SIGKILL');

    // Killed in the middle: the job still holds the dead worker's lease, and part of its items.
    const atKill = countResults();
    const orphaned = await queue.get(job.id);
    expect(orphaned?.state).toBe('running');
    expect(orphaned?.attempts).toBe(1);
    expect(atKill.rows).toBeLessThan(ITEM_COUNT);
    expect(atKill.rows).toBe(atKill.distinctKeys);
    expect(await queue.countFinishedItems(job.id)).toBe(atKill.rows);

    const restarted = startWorkers({
      queue,
      handlers: [itemWritingJobHandler],
      leaseMs: LEASE_MS,
      pollIntervalMs: 50,
    });
    cleanups.push(() => restarted.stop({ timeoutMs: 1000 }));
    const final = await waitForJobEnd(queue, job.id, 30_000);

    expect(final.state).toBe('succeeded');
    expect(final.attempts).toBe(2);
    expect(final.result).toEqual({ items: ITEM_COUNT });
    expect(final.progress?.done).toBe(ITEM_COUNT);
    expect(countResults()).toEqual({ rows: ITEM_COUNT, distinctKeys: ITEM_COUNT });
    const byProcess = storage.database
      .prepare(
        'SELECT written_by AS pid, COUNT(*) AS rows FROM job_test_results GROUP BY written_by ORDER BY rows',
      )
      .all() as Array<{ pid: number; rows: number }>;
    // Both the killed process and this one wrote part of the items: the job truly resumed.
    expect(byProcess.map((row) => row.pid).sort()).toEqual([child.pid, process.pid].sort());
    expect(byProcess.find((row) => row.pid === child.pid)?.rows).toBe(atKill.rows);
  });
});
