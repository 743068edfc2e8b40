/**
 * Durable jobs on the SQLite file: the `jobs` and `job_items` tables of migration 3. Claims,
 * heartbeats and finishes are single conditional UPDATEs, so several worker pools (in one process
 * or several, each with its own connection) never run one job at once: SQLite serialises the
 * writers, and every write after the claim names the lease token it holds.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Database, Statement } from 'better-sqlite3';
import {
  jobLeaseLostError,
  jobNotFoundError,
  jobOptionsInvalidError,
  jobStalledErrorInfo,
} from './job-errors.js';
import {
  FINAL_JOB_STATES,
  type ClaimedJob,
  type ClaimOptions,
  type EnqueueJobOptions,
  type JobErrorInfo,
  type JobEvent,
  type JobItemCheckpoints,
  type JobItemRecord,
  type JobLeaseBackend,
  type JobProgress,
  type JobQueue,
  type JobRecord,
  type JobScope,
  type JobState,
  type LeaseRenewal,
  type ListJobItemsOptions,
  type ListJobsOptions,
  type SubscribeOptions,
} from './types.js';

export interface SqliteJobQueueOptions {
  /** The storage's connection (`storage.database`); handlers write their results through it. */
  database: Database;
  /** The clock, in milliseconds since the epoch; tests replace it. */
  now?: () => number;
  /**
   * How often a subscriber reads the job from the database, to follow a job that runs in another
   * process (whose events this process does not hear). Defaults to 1000 ms.
   */
  subscribePollMs?: number;
}

interface JobRow {
  id: string;
  workspace_id: string | null;
  type: string;
  input: string;
  state: JobState;
  priority: number;
  attempts: number;
  max_attempts: number;
  run_after: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  cancel_requested: number;
  progress: string | null;
  result: string | null;
  error: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
}

interface JobItemRow {
  sequence: number;
  item_key: string;
  state: 'done' | 'failed';
  result: string | null;
  error: string | null;
  finished_at: string;
}

const DEFAULT_MAX_ATTEMPTS = 3;
const DEFAULT_LIST_LIMIT = 50;

function parseJson<Value>(text: string | null): Value | null {
  return text === null ? null : (JSON.parse(text) as Value);
}

function toRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    type: row.type,
    input: JSON.parse(row.input) as unknown,
    state: row.state,
    priority: row.priority,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAfter: new Date(row.run_after).toISOString(),
    leaseOwner: row.lease_owner === null ? null : workerOfLeaseToken(row.lease_owner),
    leaseExpiresAt: row.lease_expires_at === null ? null : new Date(row.lease_expires_at).toISOString(),
    cancelRequested: row.cancel_requested === 1,
    progress: parseJson<JobProgress>(row.progress),
    result: parseJson<unknown>(row.result),
    error: parseJson<JobErrorInfo>(row.error),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

/** A lease token is `<worker id>#<claim id>`: each claim gets its own, even by the same worker. */
function workerOfLeaseToken(token: string): string {
  const separator = token.lastIndexOf('#');
  return separator === -1 ? token : token.slice(0, separator);
}

/** JSON for a column, or null when the value cannot be stored as JSON (it is then not kept). */
function toJsonColumn(value: unknown): string | null {
  if (value === undefined) return null;
  try {
    return JSON.stringify(value) ?? null;
  } catch {
    return null;
  }
}

export function isFinalJobState(state: JobState): boolean {
  return FINAL_JOB_STATES.includes(state);
}

/** The SQLite implementation of the job queue, the worker backend and the item checkpoints. */
export class SqliteJobQueue implements JobQueue, JobLeaseBackend, JobItemCheckpoints<Database> {
  readonly database: Database;
  private readonly now: () => number;
  private readonly subscribePollMs: number;
  /** In-process events: the worker pools of this process tell this process's subscribers. */
  private readonly events = new EventEmitter();
  private readonly statements = new Map<string, Statement>();

  constructor(options: SqliteJobQueueOptions) {
    this.database = options.database;
    this.now = options.now ?? Date.now;
    this.subscribePollMs = options.subscribePollMs ?? 1000;
    // One listener per subscriber (an open server-sent events stream): there is no fixed bound.
    this.events.setMaxListeners(0);
  }

  // ------------------------------------------------------------------ the producer side

  async enqueue<Input>(options: EnqueueJobOptions<Input>): Promise<JobRecord<Input>> {
    if (typeof options.type !== 'string' || options.type.trim() === '') {
      throw jobOptionsInvalidError({ sv: 'typen saknas', en: 'the type is missing' }, 'type');
    }
    const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
      throw jobOptionsInvalidError(
        { sv: 'maxAttempts måste vara ett heltal från 1', en: 'maxAttempts must be a whole number from 1' },
        'maxAttempts',
      );
    }
    const priority = options.priority ?? 0;
    if (!Number.isInteger(priority)) {
      throw jobOptionsInvalidError(
        { sv: 'priority måste vara ett heltal', en: 'priority must be a whole number' },
        'priority',
      );
    }
    const input = toJsonColumn(options.input);
    if (input === null) {
      throw jobOptionsInvalidError(
        { sv: 'indata måste kunna skrivas som JSON', en: 'the input must be expressible as JSON' },
        'input',
      );
    }
    const now = this.now();
    const iso = new Date(now).toISOString();
    const id = randomUUID();
    this.statement(
      `INSERT INTO jobs (id, workspace_id, type, input, state, priority, attempts, max_attempts, run_after,
           created_at, updated_at)
         VALUES (?, ?, ?, ?, 'queued', ?, 0, ?, ?, ?, ?)`,
    ).run(
      id,
      options.workspaceId,
      options.type,
      input,
      priority,
      maxAttempts,
      options.runAfter?.getTime() ?? now,
      iso,
      iso,
    );
    this.events.emit('runnable');
    return this.requireJob(id) as JobRecord<Input>;
  }

  async get(jobId: string, scope?: JobScope): Promise<JobRecord | undefined> {
    return this.readScoped(jobId, scope);
  }

  private readScoped(jobId: string, scope?: JobScope): JobRecord | undefined {
    const row = this.readRow(jobId);
    if (row === undefined) return undefined;
    if (scope !== undefined && row.workspace_id !== scope.workspaceId) return undefined;
    return toRecord(row);
  }

  async list(options: ListJobsOptions): Promise<JobRecord[]> {
    const conditions = ['workspace_id IS @workspaceId'];
    const parameters: Record<string, unknown> = {
      workspaceId: options.workspaceId,
      limit: options.limit ?? DEFAULT_LIST_LIMIT,
    };
    if (options.type !== undefined) {
      conditions.push('type = @type');
      parameters.type = options.type;
    }
    if (options.states !== undefined && options.states.length > 0) {
      conditions.push(`state IN (${options.states.map((_, index) => `@state${index}`).join(', ')})`);
      options.states.forEach((state, index) => (parameters[`state${index}`] = state));
    }
    return (
      this.statement(
        `SELECT * FROM jobs WHERE ${conditions.join(' AND ')} ORDER BY created_at DESC, id LIMIT @limit`,
      ).all(parameters) as JobRow[]
    ).map(toRecord);
  }

  async cancel(jobId: string, scope?: JobScope): Promise<JobRecord> {
    const iso = new Date(this.now()).toISOString();
    const outcome = this.database
      .transaction((): { row: JobRow; change: 'none' | 'cancelled' | 'requested' } => {
        const row = this.readRow(jobId);
        if (row === undefined || (scope !== undefined && row.workspace_id !== scope.workspaceId)) {
          throw jobNotFoundError(jobId);
        }
        if (isFinalJobState(row.state) || row.cancel_requested === 1) return { row, change: 'none' };
        if (row.state === 'queued') {
          const cancelled = this.statement(
            `UPDATE jobs SET state = 'cancelled', cancel_requested = 1, updated_at = ?, finished_at = ?
               WHERE id = ? RETURNING *`,
          ).get(iso, iso, jobId) as JobRow;
          return { row: cancelled, change: 'cancelled' };
        }
        const requested = this.statement(
          'UPDATE jobs SET cancel_requested = 1, updated_at = ? WHERE id = ? RETURNING *',
        ).get(iso, jobId) as JobRow;
        return { row: requested, change: 'requested' };
      })
      .immediate();
    if (outcome.change === 'cancelled') this.emitFinal(outcome.row);
    if (outcome.change === 'requested') this.events.emit('cancel-request', jobId);
    return toRecord(outcome.row);
  }

  async listItems(jobId: string, options: ListJobItemsOptions = {}): Promise<JobItemRecord[]> {
    const rows = this.statement(
      `SELECT sequence, item_key, state, result, error, finished_at FROM job_items
         WHERE job_id = @jobId AND sequence > @after AND (@state IS NULL OR state = @state)
         ORDER BY sequence LIMIT @limit`,
    ).all({
      jobId,
      after: options.afterSequence ?? 0,
      state: options.state ?? null,
      limit: options.limit ?? 1000,
    }) as JobItemRow[];
    return rows.map((row) => ({
      sequence: row.sequence,
      key: row.item_key,
      state: row.state,
      result: parseJson<unknown>(row.result),
      error: parseJson<JobErrorInfo>(row.error),
      finishedAt: row.finished_at,
    }));
  }

  async *subscribe(jobId: string, options: SubscribeOptions = {}): AsyncGenerator<JobEvent> {
    const pending: JobEvent[] = [];
    let wake: (() => void) | undefined;
    let heardLocally = false;
    const listener = (event: JobEvent) => {
      heardLocally = true;
      pending.push(event);
      wake?.();
    };
    const onAbort = () => wake?.();
    // Listen before reading the snapshot: both happen in this one synchronous step, so no event
    // can fall between them.
    this.events.on(`job:${jobId}`, listener);
    options.signal?.addEventListener('abort', onAbort);
    try {
      const snapshot = this.readScoped(jobId);
      if (snapshot === undefined) throw jobNotFoundError(jobId);
      yield { type: 'snapshot', job: snapshot };
      if (isFinalJobState(snapshot.state)) {
        yield { type: 'end', job: snapshot };
        return;
      }
      let lastState = snapshot.state;
      let lastProgress = JSON.stringify(snapshot.progress);
      while (options.signal?.aborted !== true) {
        const event = pending.shift();
        if (event !== undefined) {
          if (event.type === 'state-change') lastState = event.state;
          if (event.type === 'progress-update') lastProgress = JSON.stringify(event.progress);
          yield event;
          if (event.type === 'end') return;
          continue;
        }
        const polled = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(true), this.subscribePollMs);
          wake = () => {
            clearTimeout(timer);
            resolve(false);
          };
        });
        wake = undefined;
        if (!polled || pending.length > 0) continue;
        // Nothing heard in this process for a while: the job may run in another one.
        const row = this.readRow(jobId);
        if (row === undefined) return;
        const job = toRecord(row);
        if (!heardLocally && JSON.stringify(job.progress) !== lastProgress && job.progress !== null) {
          lastProgress = JSON.stringify(job.progress);
          yield { type: 'progress-update', jobId, progress: job.progress };
        }
        if (job.state !== lastState && !isFinalJobState(job.state)) {
          lastState = job.state;
          yield {
            type: 'state-change',
            jobId,
            state: job.state,
            attempt: job.attempts,
            retryAt: null,
            error: job.error,
          };
        }
        if (isFinalJobState(job.state)) {
          yield { type: 'end', job };
          return;
        }
      }
    } finally {
      this.events.off(`job:${jobId}`, listener);
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Deletes final jobs that finished before the given instant, with their item checkpoints (the
   * data-retention job calls it). Returns how many jobs were deleted.
   */
  async purgeFinished(finishedBefore: Date): Promise<number> {
    return this.statement(
      `DELETE FROM jobs WHERE state IN ('succeeded', 'failed', 'cancelled') AND finished_at < ?`,
    ).run(finishedBefore.toISOString()).changes;
  }

  // ------------------------------------------------------------------ the worker side

  async claim(options: ClaimOptions): Promise<ClaimedJob | undefined> {
    const now = this.now();
    const types = options.types === undefined ? null : JSON.stringify(options.types);
    // A read first, so that idle pools polling the file do not take the write lock for nothing.
    const due = this.statement(
      `SELECT 1 FROM jobs
       WHERE ((state = 'queued' AND run_after <= @now) OR (state = 'running' AND lease_expires_at <= @now))
         AND (@types IS NULL OR type IN (SELECT value FROM json_each(@types)))
       LIMIT 1`,
    ).get({ now, types });
    if (due === undefined) return undefined;
    const iso = new Date(now).toISOString();
    const leaseToken = `${options.workerId}#${randomUUID()}`;
    const { stalled, claimed } = this.database
      .transaction(() => {
        // A job whose worker died as often as it may be attempted ends here instead of looping
        // forever; one that was asked to cancel while its worker died is cancelled.
        const stalledRows = this.statement(
          `UPDATE jobs SET
               state = CASE WHEN cancel_requested = 1 THEN 'cancelled' ELSE 'failed' END,
               error = CASE WHEN cancel_requested = 1 THEN error ELSE @error END,
               lease_owner = NULL, lease_expires_at = NULL, updated_at = @iso, finished_at = @iso
             WHERE state = 'running' AND lease_expires_at <= @now
               AND (attempts >= max_attempts OR cancel_requested = 1)
             RETURNING *`,
        ).all({ now, iso, error: JSON.stringify(jobStalledErrorInfo()) }) as JobRow[];
        const claimedRow = this.statement(
          `UPDATE jobs SET state = 'running', lease_owner = @leaseToken, lease_expires_at = @expires,
               attempts = attempts + 1, started_at = COALESCE(started_at, @iso), updated_at = @iso
             WHERE id = (
               SELECT id FROM jobs
               WHERE ((state = 'queued' AND run_after <= @now) OR (state = 'running' AND lease_expires_at <= @now))
                 AND (@types IS NULL OR type IN (SELECT value FROM json_each(@types)))
               ORDER BY priority DESC, run_after, created_at LIMIT 1)
             RETURNING *`,
        ).get({ now, iso, leaseToken, types, expires: now + options.leaseMs }) as JobRow | undefined;
        return { stalled: stalledRows, claimed: claimedRow };
      })
      .immediate();
    for (const row of stalled) this.emitFinal(row);
    if (claimed === undefined) return undefined;
    const job = toRecord(claimed);
    this.emitJob(job.id, {
      type: 'state-change',
      jobId: job.id,
      state: 'running',
      attempt: job.attempts,
      retryAt: null,
      error: null,
    });
    return { job, leaseToken };
  }

  /** When the next job becomes due (a backoff ending, a lease running out), or undefined when none waits. */
  async nextDueAt(options: { types?: string[] } = {}): Promise<number | undefined> {
    const row = this.statement(
      `SELECT MIN(CASE state WHEN 'queued' THEN run_after ELSE lease_expires_at END) AS at FROM jobs
       WHERE state IN ('queued', 'running')
         AND (@types IS NULL OR type IN (SELECT value FROM json_each(@types)))`,
    ).get({ types: options.types === undefined ? null : JSON.stringify(options.types) }) as {
      at: number | null;
    };
    return row.at ?? undefined;
  }

  async renewLease(jobId: string, leaseToken: string, leaseMs: number): Promise<LeaseRenewal> {
    const now = this.now();
    const row = this.statement(
      `UPDATE jobs SET lease_expires_at = ?, updated_at = ?
         WHERE id = ? AND lease_owner = ? AND state = 'running' RETURNING cancel_requested`,
    ).get(now + leaseMs, new Date(now).toISOString(), jobId, leaseToken) as
      { cancel_requested: number } | undefined;
    return row === undefined ? { held: false } : { held: true, cancelRequested: row.cancel_requested === 1 };
  }

  async recordProgress(
    jobId: string,
    leaseToken: string,
    progress: JobProgress,
    options: { persist: boolean },
  ): Promise<void> {
    if (options.persist) {
      this.statement(
        `UPDATE jobs SET progress = ?, updated_at = ? WHERE id = ? AND lease_owner = ? AND state = 'running'`,
      ).run(JSON.stringify(progress), new Date(this.now()).toISOString(), jobId, leaseToken);
    }
    this.emitJob(jobId, { type: 'progress-update', jobId, progress });
  }

  async complete(jobId: string, leaseToken: string, result: unknown): Promise<boolean> {
    const iso = new Date(this.now()).toISOString();
    const row = this.statement(
      `UPDATE jobs SET state = 'succeeded', result = ?, error = NULL, lease_owner = NULL,
           lease_expires_at = NULL, updated_at = ?, finished_at = ?
         WHERE id = ? AND lease_owner = ? AND state = 'running' RETURNING *`,
    ).get(toJsonColumn(result), iso, iso, jobId, leaseToken) as JobRow | undefined;
    if (row === undefined) return false;
    this.emitFinal(row);
    return true;
  }

  async fail(jobId: string, leaseToken: string, error: JobErrorInfo, retryAt: Date | null): Promise<boolean> {
    const iso = new Date(this.now()).toISOString();
    const row = (
      retryAt === null
        ? this.statement(
            `UPDATE jobs SET state = 'failed', error = ?, lease_owner = NULL, lease_expires_at = NULL,
                 updated_at = ?, finished_at = ?
               WHERE id = ? AND lease_owner = ? AND state = 'running' RETURNING *`,
          ).get(JSON.stringify(error), iso, iso, jobId, leaseToken)
        : this.statement(
            `UPDATE jobs SET state = 'queued', error = ?, run_after = ?, lease_owner = NULL,
                 lease_expires_at = NULL, updated_at = ?
               WHERE id = ? AND lease_owner = ? AND state = 'running' RETURNING *`,
          ).get(JSON.stringify(error), retryAt.getTime(), iso, jobId, leaseToken)
    ) as JobRow | undefined;
    if (row === undefined) return false;
    if (retryAt === null) {
      this.emitFinal(row);
    } else {
      this.emitJob(jobId, {
        type: 'state-change',
        jobId,
        state: 'queued',
        attempt: row.attempts,
        retryAt: retryAt.toISOString(),
        error,
      });
      this.events.emit('runnable');
    }
    return true;
  }

  async markCancelled(jobId: string, leaseToken: string): Promise<boolean> {
    const iso = new Date(this.now()).toISOString();
    const row = this.statement(
      `UPDATE jobs SET state = 'cancelled', lease_owner = NULL, lease_expires_at = NULL, updated_at = ?,
           finished_at = ?
         WHERE id = ? AND lease_owner = ? AND state = 'running' RETURNING *`,
    ).get(iso, iso, jobId, leaseToken) as JobRow | undefined;
    if (row === undefined) return false;
    this.emitFinal(row);
    return true;
  }

  async release(jobId: string, leaseToken: string): Promise<boolean> {
    const now = this.now();
    const row = this.statement(
      `UPDATE jobs SET state = 'queued', attempts = MAX(attempts - 1, 0), run_after = ?, lease_owner = NULL,
           lease_expires_at = NULL, updated_at = ?
         WHERE id = ? AND lease_owner = ? AND state = 'running' RETURNING *`,
    ).get(now, new Date(now).toISOString(), jobId, leaseToken) as JobRow | undefined;
    if (row === undefined) return false;
    this.emitJob(jobId, {
      type: 'state-change',
      jobId,
      state: 'queued',
      attempt: row.attempts,
      retryAt: null,
      error: null,
    });
    this.events.emit('runnable');
    return true;
  }

  onRunnable(listener: () => void): () => void {
    this.events.on('runnable', listener);
    return () => this.events.off('runnable', listener);
  }

  onCancelRequest(listener: (jobId: string) => void): () => void {
    this.events.on('cancel-request', listener);
    return () => this.events.off('cancel-request', listener);
  }

  // ------------------------------------------------------------------ item checkpoints

  async isItemFinished(jobId: string, key: string): Promise<boolean> {
    return this.itemFinished(jobId, key);
  }

  private itemFinished(jobId: string, key: string): boolean {
    return (
      this.statement('SELECT 1 FROM job_items WHERE job_id = ? AND item_key = ?').get(jobId, key) !==
      undefined
    );
  }

  async countFinishedItems(jobId: string): Promise<number> {
    return (
      this.statement('SELECT COUNT(*) AS count FROM job_items WHERE job_id = ?').get(jobId) as {
        count: number;
      }
    ).count;
  }

  async commitItem<Value>(
    jobId: string,
    leaseToken: string,
    key: string,
    write: (transaction: Database) => Value,
  ): Promise<{ written: true; value: Value } | { written: false }> {
    // IMMEDIATE takes the write lock at BEGIN: the lease check and the writes then see one state,
    // and two connections never deadlock upgrading a read lock.
    return this.database
      .transaction((): { written: true; value: Value } | { written: false } => {
        this.requireLease(jobId, leaseToken);
        if (this.itemFinished(jobId, key)) return { written: false };
        const value = write(this.database);
        this.statement(
          `INSERT INTO job_items (job_id, item_key, state, result, error, finished_at)
             VALUES (?, ?, 'done', ?, NULL, ?)`,
        ).run(jobId, key, toJsonColumn(value), new Date(this.now()).toISOString());
        return { written: true, value };
      })
      .immediate();
  }

  async failItem(jobId: string, leaseToken: string, key: string, error: JobErrorInfo): Promise<boolean> {
    return this.database
      .transaction(() => {
        this.requireLease(jobId, leaseToken);
        return (
          this.statement(
            `INSERT INTO job_items (job_id, item_key, state, result, error, finished_at)
               VALUES (?, ?, 'failed', NULL, ?, ?) ON CONFLICT (job_id, item_key) DO NOTHING`,
          ).run(jobId, key, JSON.stringify(error), new Date(this.now()).toISOString()).changes > 0
        );
      })
      .immediate();
  }

  // ------------------------------------------------------------------ helpers

  /** Statements are prepared once per connection: a job of a million items commits a million times. */
  private statement(sql: string): Statement {
    let prepared = this.statements.get(sql);
    if (prepared === undefined) {
      prepared = this.database.prepare(sql);
      this.statements.set(sql, prepared);
    }
    return prepared;
  }

  private readRow(jobId: string): JobRow | undefined {
    return this.statement('SELECT * FROM jobs WHERE id = ?').get(jobId) as JobRow | undefined;
  }

  private requireJob(jobId: string): JobRecord {
    const row = this.readRow(jobId);
    if (row === undefined) throw jobNotFoundError(jobId);
    return toRecord(row);
  }

  private requireLease(jobId: string, leaseToken: string): void {
    const row = this.statement(
      `SELECT 1 FROM jobs WHERE id = ? AND lease_owner = ? AND state = 'running'`,
    ).get(jobId, leaseToken);
    if (row === undefined) throw jobLeaseLostError(jobId);
  }

  private emitJob(jobId: string, event: JobEvent): void {
    this.events.emit(`job:${jobId}`, event);
  }

  private emitFinal(row: JobRow): void {
    const job = toRecord(row);
    this.emitJob(job.id, {
      type: 'state-change',
      jobId: job.id,
      state: job.state,
      attempt: job.attempts,
      retryAt: null,
      error: job.error,
    });
    this.emitJob(job.id, { type: 'end', job });
  }
}
