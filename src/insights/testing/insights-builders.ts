/**
 * Test-data builders of Insights' own tests: a workspace straight in storage (no HTTP, no password
 * hashing — these tests are about feedback, not accounts).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { SqliteJobQueue, type JobQueue, type JobRecord } from '../../jobs/index.js';
import { openPlatform, type WorkspaceRecord } from '../../platform/index.js';
import { openStorage, type SqliteStorage } from '../../storage/index.js';

export function buildInsightsWorkspace(
  storage: { database: Database },
  name = `Insikt ${randomUUID().slice(0, 6)}`,
): WorkspaceRecord {
  const platform = openPlatform(storage);
  const owner = platform.users.create({
    email: `insights-${randomUUID().slice(0, 8)}@example.se`,
    name: 'Test Testsson',
    passwordHash: 'not-used-by-these-tests',
    locale: 'sv',
  });
  return platform.workspaces.create({ name, ownerUserId: owner.id });
}

/**
 * A fresh data folder with storage and a job queue (like test-support/job-builders.ts, without
 * loading the HTTP app that the shared builders pull in).
 */
export function buildInsightsDatabase(): {
  dataDir: string;
  storage: SqliteStorage;
  queue: SqliteJobQueue;
  close(): void;
} {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'polett-insights-'));
  const storage = openStorage({ dataDir, env: {} });
  return {
    dataDir,
    storage,
    queue: new SqliteJobQueue({ database: storage.database }),
    close() {
      storage.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns something truthy; throws after the deadline. */
export async function waitUntil<Value>(
  check: () => Value | undefined | false,
  options: { timeoutMs?: number; what?: string } = {},
): Promise<Value> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${options.what ?? 'a condition'}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Waits until the job is final, through its events. */
export async function waitForJob(queue: JobQueue, jobId: string, timeoutMs = 15_000): Promise<JobRecord> {
  const signal = AbortSignal.timeout(timeoutMs);
  for await (const event of queue.subscribe(jobId, { signal })) if (event.type === 'end') return event.job;
  throw new Error(`job ${jobId} did not end`);
}
