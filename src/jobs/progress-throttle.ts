/**
 * Throttles a running job's progress: live events at most every `emitMs`, database writes at most
 * every `persistMs`, and the latest value always delivered in the end (a trailing timer, and
 * `flush` when the handler finishes). A job of a million items would otherwise write a million
 * rows of progress and flood every server-sent events stream.
 */
import type { JobProgress } from './types.js';

export interface ProgressThrottleOptions {
  emitMs: number;
  persistMs: number;
  record: (progress: JobProgress, options: { persist: boolean }) => void;
  now?: () => number;
}

export class ProgressThrottle {
  private current: JobProgress;
  private lastEmitAt = Number.NEGATIVE_INFINITY;
  private lastPersistAt = Number.NEGATIVE_INFINITY;
  private emitPending = false;
  private persistPending = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(
    initial: JobProgress,
    private readonly options: ProgressThrottleOptions,
  ) {
    this.current = initial;
    this.now = options.now ?? Date.now;
  }

  get progress(): JobProgress {
    return this.current;
  }

  update(partial: Partial<JobProgress>): void {
    this.current = { ...this.current, ...partial };
    this.emitPending = true;
    this.persistPending = true;
    this.deliverDue();
  }

  /** Delivers and persists what is pending now; call before the job's final state is written. */
  flush(): void {
    this.clearTimer();
    if (this.emitPending || this.persistPending) this.deliver(true);
  }

  /** Stops the trailing timer without delivering (the job lost its lease). */
  dispose(): void {
    this.clearTimer();
  }

  private deliverDue(): void {
    const now = this.now();
    const persistDue = this.persistPending && now - this.lastPersistAt >= this.options.persistMs;
    const emitDue = this.emitPending && now - this.lastEmitAt >= this.options.emitMs;
    if (persistDue || emitDue) this.deliver(persistDue);
    if ((this.emitPending || this.persistPending) && this.timer === undefined) {
      const waitEmit = this.emitPending ? this.lastEmitAt + this.options.emitMs - now : Infinity;
      const waitPersist = this.persistPending ? this.lastPersistAt + this.options.persistMs - now : Infinity;
      this.timer = setTimeout(
        () => {
          this.timer = undefined;
          this.deliverDue();
        },
        Math.max(0, Math.min(waitEmit, waitPersist)),
      );
      // A pending progress write must not keep a stopping process alive.
      this.timer.unref();
    }
  }

  private deliver(persist: boolean): void {
    const now = this.now();
    this.options.record(this.current, { persist });
    this.lastEmitAt = now;
    this.emitPending = false;
    if (persist) {
      this.lastPersistAt = now;
      this.persistPending = false;
    }
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
