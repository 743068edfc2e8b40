/**
 * The in-process worker pool: claims due jobs with a lease, keeps the lease alive while the
 * handler runs, and turns the handler's outcome into the job's next state (succeeded, retried
 * after a backoff, failed, cancelled, or given back when Polett stops).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { toPolettError, type PolettError } from '../errors.js';
import {
  jobCancelledError,
  jobLeaseLostError,
  jobShutdownError,
  jobTypeUnknownError,
  toJobErrorInfo,
} from './job-errors.js';
import {
  parseJobInput,
  type ItemOutcome,
  type ItemSteps,
  type JobContext,
  type JobHandler,
  type JobTransaction,
} from './job-handler.js';
import { ProgressThrottle } from './progress-throttle.js';
import { retryDelayMs, type BackoffOptions } from './retry-delay.js';
import type { ClaimedJob, JobItemCheckpoints, JobLeaseBackend, JobRecord } from './types.js';

/** The backend a pool runs on: `SqliteJobQueue` is one. */
export type WorkerBackend = JobLeaseBackend & JobItemCheckpoints<JobTransaction>;

export interface WorkerPoolOptions {
  queue: WorkerBackend;
  /**
   * One handler per job type. A job of a type none handles fails with `job_type_unknown`, unless
   * `claim` is `'handled-types'`.
   */
  // Each handler has its own input type; the pool only passes a parsed input through.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handlers: Array<JobHandler<any, unknown>>;
  /**
   * Which jobs this pool takes. `'all'` (the default, for the server's pool) also takes jobs of
   * types it has no handler for and fails them clearly, so that none waits forever;
   * `'handled-types'` is for a second pool beside it (a CLI command running its own jobs), which
   * must not fail the server's jobs it does not know.
   */
  claim?: 'all' | 'handled-types';
  /** Jobs run at once. Defaults to 1. */
  concurrency?: number;
  /** Names this pool in leases. Defaults to host, process id and a random suffix. */
  workerId?: string;
  /** How long a claim holds without a heartbeat; a job whose worker died resumes after it. Defaults to 30 s. */
  leaseMs?: number;
  /** How often a running job's lease is renewed. Defaults to a third of `leaseMs`. */
  heartbeatMs?: number;
  /** How often an idle pool looks for jobs enqueued by other processes. Defaults to 1 s. */
  pollIntervalMs?: number;
  backoff?: BackoffOptions;
  /** Live progress events at most this often per job. Defaults to 100 ms. */
  progressEmitMs?: number;
  /** Progress written to the database at most this often per job. Defaults to 1 s. */
  progressPersistMs?: number;
  /** Told of failures of the pool itself (the database busy, a write refused); defaults to stderr. */
  onPoolError?: (error: PolettError) => void;
}

export interface StopOptions {
  /** How long running handlers may take to finish before they are aborted. Defaults to 10 s. */
  timeoutMs?: number;
}

export interface WorkerPool {
  readonly workerId: string;
  /** The ids of the jobs running now. */
  runningJobIds(): string[];
  /**
   * Stops claiming, lets running handlers finish within the timeout, then aborts them and gives
   * their jobs back to the queue (the interrupted attempt does not count), so that the next start
   * resumes them at once instead of after their lease.
   */
  stop(options?: StopOptions): Promise<void>;
}

type AbortCause = 'cancel' | 'shutdown' | 'lease-lost';

interface RunningJob {
  job: JobRecord;
  leaseToken: string;
  controller: AbortController;
  cause: AbortCause | undefined;
  heartbeat: NodeJS.Timeout;
  progress: ProgressThrottle;
  /** Progress writes in order, awaited before the job's final state is written. */
  progressWrites: Promise<void>;
  /** Set when the pool gave the lease back itself: nothing more is written for this job. */
  abandoned: boolean;
  settled: Promise<void>;
}

const SHUTDOWN_GRACE_MS = 2000;
/** Keeps an idle pool from spinning when a due job is not claimable yet (a clock a millisecond apart). */
const MINIMUM_IDLE_MS = 5;

/** Starts a pool of workers in this process; they run until `stop`. */
export function startWorkers(options: WorkerPoolOptions): WorkerPool {
  const settings = {
    concurrency: 1,
    workerId: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    leaseMs: 30_000,
    pollIntervalMs: 1000,
    progressEmitMs: 100,
    progressPersistMs: 1000,
    onPoolError: (error: PolettError) => process.stderr.write(`polett jobs: ${error.message}\n`),
    ...options,
  };
  const heartbeatMs = options.heartbeatMs ?? Math.max(10, Math.floor(settings.leaseMs / 3));
  const queue = settings.queue;
  const handlers = new Map(settings.handlers.map((handler) => [handler.type, handler]));
  const running = new Map<string, RunningJob>();
  const typeFilter = settings.claim === 'handled-types' ? { types: [...handlers.keys()] } : {};
  let stopping = false;
  let wakeLoop: (() => void) | undefined;
  // A wake that arrives while the loop is busy claiming is remembered, not lost until the next poll.
  let wakeRequested = false;
  const wake = () => {
    wakeRequested = true;
    wakeLoop?.();
  };

  const stopListeningRunnable = queue.onRunnable(wake);
  const stopListeningCancel = queue.onCancelRequest((jobId) => abort(running.get(jobId), 'cancel'));

  function abort(entry: RunningJob | undefined, cause: AbortCause): void {
    if (entry === undefined || entry.cause !== undefined) return;
    entry.cause = cause;
    const reason =
      cause === 'cancel'
        ? jobCancelledError(entry.job.id)
        : cause === 'shutdown'
          ? jobShutdownError(entry.job.id)
          : jobLeaseLostError(entry.job.id);
    entry.controller.abort(reason);
  }

  /** Runs a backend call whose failure must not take the pool down (the database busy for long). */
  async function guarded<Value>(call: () => Promise<Value>): Promise<Value | undefined> {
    try {
      return await call();
    } catch (error) {
      settings.onPoolError(toPolettError(error));
      return undefined;
    }
  }

  function start(claimed: ClaimedJob): void {
    const { job, leaseToken } = claimed;
    const controller = new AbortController();
    let renewing = false;
    const entry: RunningJob = {
      job,
      leaseToken,
      controller,
      cause: undefined,
      abandoned: false,
      heartbeat: setInterval(() => {
        // A slow backend must not pile renewals up.
        if (renewing) return;
        renewing = true;
        void guarded(() => queue.renewLease(job.id, leaseToken, settings.leaseMs)).then((renewal) => {
          renewing = false;
          if (renewal === undefined) return;
          if (!renewal.held) abort(entry, 'lease-lost');
          else if (renewal.cancelRequested) abort(entry, 'cancel');
        });
      }, heartbeatMs),
      progress: new ProgressThrottle(job.progress ?? { done: 0, total: null, message: null }, {
        emitMs: settings.progressEmitMs,
        persistMs: settings.progressPersistMs,
        record: (progress, recordOptions) => {
          entry.progressWrites = entry.progressWrites.then(async () => {
            if (!entry.abandoned) {
              await guarded(() => queue.recordProgress(job.id, leaseToken, progress, recordOptions));
            }
          });
        },
      }),
      progressWrites: Promise.resolve(),
      settled: Promise.resolve(),
    };
    running.set(job.id, entry);
    // A job taken over after its worker died may have been asked to cancel meanwhile.
    if (job.cancelRequested) abort(entry, 'cancel');
    entry.settled = runJob(entry)
      .catch((error: unknown) => settings.onPoolError(toPolettError(error)))
      .finally(() => {
        clearInterval(entry.heartbeat);
        entry.progress.dispose();
        // The same job may have been claimed again meanwhile (this process stalled past its lease).
        if (running.get(job.id) === entry) running.delete(job.id);
        wake();
      });
  }

  async function runJob(entry: RunningJob): Promise<void> {
    const { job, leaseToken } = entry;
    const handler = handlers.get(job.type);
    if (handler === undefined) {
      const error = jobTypeUnknownError(job.type, [...handlers.keys()]);
      await queue.fail(job.id, leaseToken, toJobErrorInfo(error), null);
      return;
    }
    let outcome: { ok: true; result: unknown } | { ok: false; error: unknown };
    try {
      const input: unknown = parseJobInput(handler, job.input);
      const context = await createContext(entry);
      outcome = { ok: true, result: await handler.run(input, context) };
    } catch (error) {
      outcome = { ok: false, error };
    }
    if (entry.abandoned) return;
    entry.progress.flush();
    await entry.progressWrites;
    // The abort's cause decides, even when the handler returned early on the signal instead of throwing.
    switch (entry.cause) {
      case 'lease-lost':
        return;
      case 'cancel':
        await queue.markCancelled(job.id, leaseToken);
        return;
      case 'shutdown':
        await queue.release(job.id, leaseToken);
        return;
      case undefined:
        break;
    }
    if (outcome.ok) {
      await queue.complete(job.id, leaseToken, outcome.result);
      return;
    }
    const error = toPolettError(outcome.error);
    if (error.code === 'job_lease_lost') return;
    const retryAt =
      error.isRetryable && job.attempts < job.maxAttempts
        ? new Date(Date.now() + retryDelayMs(job.attempts, settings.backoff, error.retryAfterSeconds))
        : null;
    await queue.fail(job.id, leaseToken, toJobErrorInfo(error), retryAt);
  }

  async function createContext(entry: RunningJob): Promise<JobContext> {
    const { job, leaseToken, controller } = entry;
    let itemsFinished = await queue.countFinishedItems(job.id);
    if (itemsFinished > 0) entry.progress.update({ done: itemsFinished });
    const throwIfAborted = () => {
      if (controller.signal.aborted) throw controller.signal.reason;
    };
    const finishedOne = () => {
      itemsFinished += 1;
      entry.progress.update({ done: itemsFinished });
    };

    async function processItem<Computed, Value>(
      key: string,
      stepsOrWrite: ItemSteps<Computed, Value> | ((transaction: JobTransaction) => Value),
    ): Promise<ItemOutcome<Value>> {
      throwIfAborted();
      if (await queue.isItemFinished(job.id, key)) return { written: false };
      let write: (transaction: JobTransaction) => Value;
      if (typeof stepsOrWrite === 'function') {
        write = stepsOrWrite;
      } else {
        const computed = await stepsOrWrite.compute(controller.signal);
        write = (transaction) => stepsOrWrite.write(transaction, computed);
      }
      // Checked again after the slow step: a cancelled job writes nothing more.
      throwIfAborted();
      const outcome = await queue.commitItem(job.id, leaseToken, key, write);
      if (outcome.written) finishedOne();
      return outcome;
    }

    return {
      jobId: job.id,
      workspaceId: job.workspaceId,
      attempt: job.attempts,
      signal: controller.signal,
      get itemsFinished() {
        return itemsFinished;
      },
      reportProgress: (update) => entry.progress.update(update),
      isItemFinished: (key) => queue.isItemFinished(job.id, key),
      processItem: processItem as JobContext['processItem'],
      async failItem(key, error) {
        throwIfAborted();
        const written = await queue.failItem(job.id, leaseToken, key, toJobErrorInfo(toPolettError(error)));
        if (written) finishedOne();
        return written;
      },
      throwIfAborted,
    };
  }

  async function loop(): Promise<void> {
    while (!stopping) {
      wakeRequested = false;
      let claimFailed = false;
      while (!stopping && running.size < settings.concurrency) {
        let claimed: ClaimedJob | undefined;
        try {
          claimed = await queue.claim({
            workerId: settings.workerId,
            leaseMs: settings.leaseMs,
            ...typeFilter,
          });
        } catch (error) {
          settings.onPoolError(toPolettError(error));
          claimFailed = true;
        }
        if (claimed === undefined) break;
        start(claimed);
      }
      if (stopping) break;
      let delay = settings.pollIntervalMs;
      // After a failed claim (the database busy) wait a whole poll, not spin on the error.
      const nextDueAt =
        running.size < settings.concurrency && !claimFailed && queue.nextDueAt !== undefined
          ? await guarded(async () => queue.nextDueAt?.(typeFilter))
          : undefined;
      if (nextDueAt !== undefined)
        delay = Math.max(MINIMUM_IDLE_MS, Math.min(delay, nextDueAt - Date.now() + 1));
      if (wakeRequested || stopping) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        wakeLoop = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wakeLoop = undefined;
    }
  }

  const looping = loop();

  return {
    workerId: settings.workerId,
    runningJobIds: () => [...running.keys()],
    async stop(stopOptions: StopOptions = {}) {
      if (!stopping) {
        stopping = true;
        stopListeningRunnable();
        stopListeningCancel();
        wake();
      }
      await looping;
      const entries = [...running.values()];
      if (entries.length === 0) return;
      const allSettled = Promise.allSettled(entries.map((entry) => entry.settled));
      if (await settlesWithin(allSettled, stopOptions.timeoutMs ?? 10_000)) return;
      for (const entry of running.values()) abort(entry, 'shutdown');
      if (await settlesWithin(allSettled, SHUTDOWN_GRACE_MS)) return;
      // A handler that ignores its signal: give its job back so that the next start resumes it at
      // once; its later writes fail on the lease check and change nothing.
      for (const entry of running.values()) {
        entry.abandoned = true;
        clearInterval(entry.heartbeat);
        entry.progress.dispose();
        await guarded(() => queue.release(entry.job.id, entry.leaseToken));
      }
    },
  };
}

async function settlesWithin(promise: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
