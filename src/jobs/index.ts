/**
 * Durable jobs: a queue in the database with leases, retries with backoff, cancellation, item
 * checkpoints that survive a kill -9, and progress events for server-sent events and the CLI.
 *
 * ```ts
 * const queue = new SqliteJobQueue({ database: storage.database });
 * const pool = startWorkers({ queue, handlers: [ingestHandler], concurrency: 2 });
 * const job = queue.enqueue({ type: 'knowledge.ingest', input: { paths }, workspaceId });
 * for await (const event of queue.subscribe(job.id)) console.log(event);
 * await pool.stop();
 * ```
 */
export type * from './types.js';
export { FINAL_JOB_STATES } from './types.js';
export { SqliteJobQueue, isFinalJobState, type SqliteJobQueueOptions } from './sqlite-job-queue.js';
export { workspaceJobQueue, type WorkspaceJobQueue } from './workspace-job-queue.js';
export {
  defineJobHandler,
  parseJobInput,
  type ItemOutcome,
  type ItemSteps,
  type JobContext,
  type JobHandler,
  type JobTransaction,
} from './job-handler.js';
export {
  startWorkers,
  type StopOptions,
  type WorkerBackend,
  type WorkerPool,
  type WorkerPoolOptions,
} from './worker-pool.js';
export { retryDelayMs, type BackoffOptions } from './retry-delay.js';
export {
  formatServerSentEvent,
  toServerSentEvent,
  toServerSentEvents,
  type ServerSentEvent,
} from './server-sent-events.js';
export { followJobWithProgressBar, type FollowJobOptions } from './cli-job-progress.js';
export {
  jobCancelledError,
  jobInputInvalidError,
  jobNotFoundError,
  jobTypeUnknownError,
} from './job-errors.js';
