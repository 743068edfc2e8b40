/**
 * Durable jobs: a queue in the database with leases, retries with backoff, cancellation, item
 * checkpoints that survive a kill -9, and progress events for server-sent events and the CLI.
 *
 * A capability defines a handler; each item's result is written in the same transaction as the
 * record that the item is done, so a job resumed after a crash skips what is finished and never
 * writes a result twice:
 *
 * ```ts
 * export const analyzeFeedbackHandler = defineJobHandler({
 *   type: 'insights.analyze',
 *   input: z.object({ importId: z.string() }),
 *   async run(input, context) {
 *     const rows = listRows(input.importId);
 *     context.reportProgress({ total: rows.length, message: 'sentiment' });
 *     for (const row of rows) {
 *       await context.processItem(row.id, {
 *         compute: (signal) => classify(row.text, { signal }),          // outside the transaction
 *         write: (transaction, label) => saveLabel(transaction, row.id, label), // inside it
 *       });
 *     }
 *     return { analyzed: context.itemsFinished };
 *   },
 * });
 *
 * const queue = new SqliteJobQueue({ database: storage.database });
 * const pool = startWorkers({ queue, handlers: [analyzeFeedbackHandler], concurrency: 2 });
 * const jobs = workspaceJobQueue(queue, workspaceId);            // what a route uses
 * const job = await jobs.enqueue({ type: 'insights.analyze', input: { importId } });
 * for await (const event of jobs.subscribe(job.id)) console.log(event.type);
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
