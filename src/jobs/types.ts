/**
 * The contract of durable jobs. Producers (routes, the CLI) and observers (server-sent events, the
 * progress bar) talk to a `JobQueue`; workers talk to a `JobLeaseBackend`. SQLite implements both
 * today (`SqliteJobQueue`); BullMQ on Redis can implement them for several machines later.
 *
 * How the SQLite design maps onto BullMQ, so that the swap stays a new adapter and not a rewrite:
 * - `enqueue` ↔ `Queue.add(type, input, { jobId, priority, attempts: maxAttempts, delay })`; the
 *   workspace goes into the job data, and `list({ workspaceId })` needs a per-workspace Redis set
 *   (or the jobs mirrored into the database) because BullMQ cannot filter by data.
 * - The lease (`lease_owner`, `lease_expires_at`, renewed by a heartbeat) ↔ BullMQ's job lock
 *   (`lockDuration`, renewed every `lockRenewTime`); an expired lease taken over by another worker
 *   ↔ a stalled job moved back to wait by the stalled-jobs checker (`maxStalledCount`).
 * - `attempts`, `max_attempts`, `run_after` with exponential backoff ↔ `attemptsMade`, `attempts`
 *   and `backoff: { type: 'exponential' }` (the delayed set); a non-retryable error ↔ throwing
 *   `UnrecoverableError`.
 * - `reportProgress` ↔ `job.updateProgress({ done, total, message })`; `subscribe` ↔ `QueueEvents`
 *   (`progress`, `completed`, `failed`), which already crosses machines through Redis streams.
 * - `cancel` ↔ removing a waiting or delayed job, and for an active one a cancel flag the heartbeat
 *   reads (BullMQ has no cancel of an active job), as here.
 * - Item checkpoints (`processItem`) stay in the application database under every queue: they
 *   must commit in the same transaction as the item's result, which Redis cannot join.
 */
import type { LocalizedText } from '../errors.js';

/** Where a job is in its life. `succeeded`, `failed` and `cancelled` are final. */
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** The final states: a job in one of them never runs again. */
export const FINAL_JOB_STATES: readonly JobState[] = ['succeeded', 'failed', 'cancelled'];

/** How far a job has come; `total` is null while the handler does not know it yet. */
export interface JobProgress {
  done: number;
  total: number | null;
  message: string | null;
}

/** The error that ended a job (or its last attempt), in the shape a person or client can show. */
export interface JobErrorInfo {
  code: string;
  message: LocalizedText;
  retryable: boolean;
}

export interface JobRecord<Input = unknown, Result = unknown> {
  id: string;
  /** Null for system jobs that belong to no workspace (model pulls). */
  workspaceId: string | null;
  type: string;
  input: Input;
  state: JobState;
  /** Higher runs first. */
  priority: number;
  /** Attempts started so far, the running one included. */
  attempts: number;
  maxAttempts: number;
  /** When the job may run next (ISO 8601): later than now while it waits out a backoff. */
  runAfter: string;
  /** The worker holding the job while it runs. */
  leaseOwner: string | null;
  leaseExpiresAt: string | null;
  cancelRequested: boolean;
  progress: JobProgress | null;
  result: Result | null;
  /** The error of the last failed attempt; kept while a retry waits, so the reason is visible. */
  error: JobErrorInfo | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface EnqueueJobOptions<Input = unknown> {
  type: string;
  /** Any JSON value; the handler's schema checks it when the job runs. */
  input: Input;
  workspaceId: string | null;
  /** Higher runs first; defaults to 0. */
  priority?: number;
  /** Defaults to 3. */
  maxAttempts?: number;
  /** Do not start before this instant. */
  runAfter?: Date;
}

/** Restricts a read or a cancel to one workspace, so that a route cannot reach another one's jobs. */
export interface JobScope {
  workspaceId: string | null;
}

export interface ListJobsOptions {
  /** Null lists the system jobs. */
  workspaceId: string | null;
  states?: JobState[];
  type?: string;
  /** Defaults to 50. */
  limit?: number;
}

export interface ListJobItemsOptions {
  /** Only items after this sequence number (the next page). */
  afterSequence?: number;
  /** Only the failed items (the problems of an ingestion report), or only the done ones. */
  state?: 'done' | 'failed';
  /** Defaults to 1000. */
  limit?: number;
}

/** One item a job finished, as recorded by `processItem` or `failItem`. */
export interface JobItemRecord {
  /** Increases in the order items finished; pass the last one seen as `afterSequence` for the next page. */
  sequence: number;
  key: string;
  state: 'done' | 'failed';
  result: unknown;
  error: JobErrorInfo | null;
  finishedAt: string;
}

/**
 * What a subscriber hears about one job, in order. The first event is always a `snapshot` of the
 * job as it is; `end` is always the last.
 */
export type JobEvent =
  | { type: 'snapshot'; job: JobRecord }
  | {
      type: 'state-change';
      jobId: string;
      state: JobState;
      attempt: number;
      retryAt: string | null;
      error: JobErrorInfo | null;
    }
  | { type: 'progress-update'; jobId: string; progress: JobProgress }
  | { type: 'end'; job: JobRecord };

export interface SubscribeOptions {
  /** Stops the iteration (the HTTP client went away). */
  signal?: AbortSignal;
}

/** The producer and observer side of the jobs: what routes and the CLI use. */
export interface JobQueue {
  enqueue<Input>(options: EnqueueJobOptions<Input>): Promise<JobRecord<Input>>;
  /** The job, or undefined when there is none of that id (in that scope). */
  get(jobId: string, scope?: JobScope): Promise<JobRecord | undefined>;
  /** Newest first. */
  list(options: ListJobsOptions): Promise<JobRecord[]>;
  /**
   * Cancels a job: at once when it waits, through its handler's abort signal when it runs. A job
   * already final is returned unchanged. Throws `job_not_found`.
   */
  cancel(jobId: string, scope?: JobScope): Promise<JobRecord>;
  /** The items a job has finished (its report), in the order they finished. */
  listItems(jobId: string, options?: ListJobItemsOptions): Promise<JobItemRecord[]>;
  /** Follows one job until it ends; throws `job_not_found` at the first step when there is none. */
  subscribe(jobId: string, options?: SubscribeOptions): AsyncIterable<JobEvent>;
}

export interface ClaimOptions {
  workerId: string;
  leaseMs: number;
  /** Claim only jobs of these types; all types when absent. */
  types?: string[];
}

/** A job a worker has claimed: its record and the lease token that proves the claim. */
export interface ClaimedJob {
  job: JobRecord;
  leaseToken: string;
}

/** The outcome of renewing a lease. */
export type LeaseRenewal = { held: true; cancelRequested: boolean } | { held: false };

/**
 * The worker side: claim, heartbeat, finish. Every write is conditioned on the lease token, so a
 * worker that lost its lease (it stalled, another took over) can no longer change the job.
 */
export interface JobLeaseBackend {
  /** Claims the next runnable job, or returns undefined when none is due. */
  claim(options: ClaimOptions): Promise<ClaimedJob | undefined>;
  renewLease(jobId: string, leaseToken: string, leaseMs: number): Promise<LeaseRenewal>;
  recordProgress(
    jobId: string,
    leaseToken: string,
    progress: JobProgress,
    options: { persist: boolean },
  ): Promise<void>;
  complete(jobId: string, leaseToken: string, result: unknown): Promise<boolean>;
  /** Fails the job for good, or, with `retryAt`, puts it back in the queue until then. */
  fail(jobId: string, leaseToken: string, error: JobErrorInfo, retryAt: Date | null): Promise<boolean>;
  markCancelled(jobId: string, leaseToken: string): Promise<boolean>;
  /** Gives the job back untouched (graceful stop): the interrupted attempt does not count. */
  release(jobId: string, leaseToken: string): Promise<boolean>;
  /** When the next job becomes due (a backoff ending, a lease running out), so that an idle pool wakes then. */
  nextDueAt?(options?: { types?: string[] }): Promise<number | undefined>;
  /** Called when a job becomes runnable in this process, so that idle workers need not wait for their poll. */
  onRunnable(listener: () => void): () => void;
  /** Called when a running job is asked to cancel in this process. */
  onCancelRequest(listener: (jobId: string) => void): () => void;
}

/**
 * Item checkpoints: an item's result and the record that it is done commit in one transaction of
 * the application database. `Transaction` is what the handler writes its result through (the
 * better-sqlite3 connection for SQLite).
 */
export interface JobItemCheckpoints<Transaction> {
  isItemFinished(jobId: string, key: string): Promise<boolean>;
  countFinishedItems(jobId: string): Promise<number>;
  /**
   * Runs `write` and records the item as done in one transaction, unless the item is already
   * finished (`written: false`). Throws `job_lease_lost` when the lease is no longer this worker's,
   * so that a stalled worker never writes after another took over.
   */
  commitItem<Value>(
    jobId: string,
    leaseToken: string,
    key: string,
    write: (transaction: Transaction) => Value,
  ): Promise<{ written: true; value: Value } | { written: false }>;
  /** Records an item as failed (it is skipped on resume and listed in the report). */
  failItem(jobId: string, leaseToken: string, key: string, error: JobErrorInfo): Promise<boolean>;
}
