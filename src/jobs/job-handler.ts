/**
 * What a capability writes to run as a job: a type, a zod schema for its input, and a `run`
 * function that gets the parsed input and a context (abort signal, progress, item checkpoints).
 */
import type { Database } from 'better-sqlite3';
import type { z } from 'zod';
import { jobInputInvalidError } from './job-errors.js';
import type { JobProgress } from './types.js';

/** What an item's result is written through: the storage's connection, inside the item's transaction. */
export type JobTransaction = Database;

/** Whether `processItem` wrote the item now, or skipped it because an earlier attempt had finished it. */
export type ItemOutcome<Value> = { written: true; value: Value } | { written: false };

/** The two steps of an item: slow work outside the transaction, then the write inside it. */
export interface ItemSteps<Computed, Value> {
  /** The slow part (a model call, a parse), skipped for an item already finished. */
  compute: (signal: AbortSignal) => Promise<Computed>;
  /** Synchronous, inside the transaction that also records the item as done. */
  write: (transaction: JobTransaction, computed: Computed) => Value;
}

export interface JobContext {
  readonly jobId: string;
  readonly workspaceId: string | null;
  /** 1 for the first attempt; more after a retry or a crash. */
  readonly attempt: number;
  /** Aborted when the job is cancelled, Polett stops, or the lease is lost; `reason` is a PolettError. */
  readonly signal: AbortSignal;
  /** Items finished so far, by this attempt and the earlier ones. */
  readonly itemsFinished: number;
  /**
   * Updates the progress (merged into the last one). `done` follows `itemsFinished` by itself when
   * the handler uses items; a handler without items sets it.
   */
  reportProgress(update: Partial<JobProgress>): void;
  isItemFinished(key: string): Promise<boolean>;
  /**
   * Processes one item exactly once across attempts and crashes: skipped when already finished,
   * otherwise the write and the checkpoint commit in one transaction. `key` is unique within the
   * job (a row number, a file path, a document id).
   */
  processItem<Value>(key: string, write: (transaction: JobTransaction) => Value): Promise<ItemOutcome<Value>>;
  processItem<Computed, Value>(key: string, steps: ItemSteps<Computed, Value>): Promise<ItemOutcome<Value>>;
  /**
   * Records an item as failed (a corrupt file in an ingestion) so that the job goes on, the item
   * is listed with its error in the report, and a resumed job does not try it again.
   */
  failItem(key: string, error: unknown): Promise<boolean>;
  /** Throws the abort reason when the job was cancelled, is stopping or lost its lease. */
  throwIfAborted(): void;
}

export interface JobHandler<Schema extends z.ZodType = z.ZodType, Result = unknown> {
  type: string;
  /** Checked before `run`: a job whose input does not match fails with one sentence, having written nothing. */
  input: Schema;
  /** What it returns (JSON) is stored as the job's result. */
  run(input: z.output<Schema>, context: JobContext): Promise<Result>;
}

/** Defines a job handler with its input type inferred from the schema. */
export function defineJobHandler<Schema extends z.ZodType, Result>(
  handler: JobHandler<Schema, Result>,
): JobHandler<Schema, Result> {
  return handler;
}

/**
 * Parses a job's input with its handler's schema; throws `job_input_invalid` naming the first
 * problem. Routes call it before `enqueue` so that a bad request is refused at once.
 */
export function parseJobInput<Schema extends z.ZodType>(
  handler: Pick<JobHandler<Schema>, 'type' | 'input'>,
  input: unknown,
): z.output<Schema> {
  const parsed = handler.input.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  const first = issues[0];
  const field = first === undefined || first.path.length === 0 ? undefined : first.path.map(String).join('.');
  const more = issues.length > 1 ? `; ${issues.length - 1} more` : '';
  const detail = `${field === undefined ? '' : `${field}: `}${first?.message ?? 'invalid'}${more}`;
  throw jobInputInvalidError(handler.type, detail, field);
}
