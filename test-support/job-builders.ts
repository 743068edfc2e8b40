/** Builders for the jobs tests: a fresh database with a job queue, and bounded waiting. */
import {
  SqliteJobQueue,
  type JobQueue,
  type JobRecord,
  type SqliteJobQueueOptions,
} from '../src/jobs/index.js';
import { openStorage, type SqliteStorage } from '../src/storage/index.js';
import { buildDataDir } from './builders.js';

export interface JobTestDatabase {
  dataDir: string;
  storage: SqliteStorage;
  queue: SqliteJobQueue;
  /** Another connection to the same file, as a second process would have. */
  openQueue(options?: Omit<SqliteJobQueueOptions, 'database'>): SqliteJobQueue;
  close(): void;
}

/** A fresh data folder with its storage opened and a job queue on it; `close` removes everything. */
export function buildJobDatabase(options: Omit<SqliteJobQueueOptions, 'database'> = {}): JobTestDatabase {
  const { dataDir, remove } = buildDataDir();
  const storage = openStorage({ dataDir, env: {} });
  const others: SqliteStorage[] = [];
  return {
    dataDir,
    storage,
    queue: new SqliteJobQueue({ ...options, database: storage.database }),
    openQueue(queueOptions = {}) {
      const other = openStorage({ dataDir, env: {} });
      others.push(other);
      return new SqliteJobQueue({ ...queueOptions, database: other.database });
    },
    close() {
      for (const other of others) other.close();
      storage.close();
      remove();
    },
  };
}

/** Polls `check` until it returns a value other than undefined or false; throws after the deadline. */
export async function waitFor<Value>(
  check: () => Value | undefined | false | Promise<Value | undefined | false>,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<Value> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${options.what ?? 'a condition'}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 10));
  }
}

/** Waits until the job is final, through its events, within a deadline. */
export async function waitForJobEnd(queue: JobQueue, jobId: string, timeoutMs = 15_000): Promise<JobRecord> {
  const signal = AbortSignal.timeout(timeoutMs);
  for await (const event of queue.subscribe(jobId, { signal })) {
    if (event.type === 'end') return event.job;
  }
  throw new Error(`Timed out waiting for the job ${jobId} to end`);
}
