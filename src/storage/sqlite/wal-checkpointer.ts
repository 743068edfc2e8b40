/**
 * WAL checkpoints on a worker thread, not in the middle of a request.
 *
 * SQLite's automatic checkpoint runs inside whichever commit pushes the write-ahead log past 1,000
 * pages: that one commit copies the log into the database file and syncs it, which on an ordinary
 * disk blocks the event loop for 10–60 ms (measured: a 600-byte insert takes 0.01 ms at p50 and up
 * to 59 ms when it checkpoints). Every request in flight waits for it, which is the tail of the
 * widget's time to first token. Here a worker thread with its own connection runs a PASSIVE
 * checkpoint every second, which never blocks the writer, and the main connection checkpoints only
 * as a safety valve (see SAFETY_CHECKPOINT_PAGES).
 *
 * The worker starts a moment after the database opens, so that short-lived processes (the CLI,
 * tests) never pay for a thread; until then, and if it cannot start, SQLite's own automatic
 * checkpoint stays on.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';

export interface CheckpointResult {
  /** Frames in the write-ahead log. */
  log: number;
  /** Frames of it now in the database file. */
  checkpointed: number;
}

export interface WalCheckpointerOptions {
  /** Between checkpoints. Default 1 s. */
  intervalMs?: number;
  /** Before the worker starts. Default 1 s. */
  startAfterMs?: number;
  /** Called with each checkpoint's outcome (for tests and diagnostics). */
  onCheckpoint?: (result: CheckpointResult) => void;
}

/** SQLite's default: checkpoint once the log holds this many pages. */
const AUTOMATIC_CHECKPOINT_PAGES = 1000;

/**
 * With the worker running, the main connection still checkpoints past this many pages (about 40
 * MB): a passive checkpoint only completes between transactions, so under a sustained stream of
 * writes (an import, a sync) the worker cannot finish one and the log would otherwise grow with
 * everything written. Interactive traffic leaves gaps, the worker keeps the log far below this,
 * and the main connection never pays for a checkpoint.
 */
const SAFETY_CHECKPOINT_PAGES = 10_000;

// Plain CommonJS, evaluated in the worker: it only needs the driver, resolved here so that it is
// found wherever the process was started.
// workerData.closed is a shared flag the worker sets once its connection is closed (or never
// opened), which is what stop() waits for.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const closed = new Int32Array(workerData.closed);
const signalClosed = () => { Atomics.store(closed, 0, 1); Atomics.notify(closed, 0); };
let database;
try {
  const Database = require(workerData.driver);
  database = new Database(workerData.path);
} catch (error) {
  signalClosed();
  throw error;
}
const checkpoint = () => {
  try {
    const [row] = database.pragma('wal_checkpoint(PASSIVE)');
    if (row.log > 0) parentPort.postMessage({ log: row.log, checkpointed: row.checkpointed });
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  try { database.close(); } finally { signalClosed(); }
  parentPort.close();
});
`;

/** The longest stop() waits for the worker to close its connection (it may be mid-checkpoint). */
const STOP_WAIT_MS = 5000;

export class WalCheckpointer {
  private worker: Worker | undefined;
  private workerClosed: Int32Array | undefined;
  private readonly startTimer: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly database: Database,
    private readonly path: string,
    private readonly options: WalCheckpointerOptions = {},
  ) {
    this.startTimer = setTimeout(() => this.start(), options.startAfterMs ?? 1000);
    this.startTimer.unref();
  }

  private start(): void {
    if (this.stopped || !this.database.open) return;
    try {
      const closed = new SharedArrayBuffer(4);
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          driver: createRequire(import.meta.url).resolve('better-sqlite3'),
          path: this.path,
          intervalMs: this.options.intervalMs ?? 1000,
          closed,
        },
      });
      this.workerClosed = new Int32Array(closed);
      worker.unref();
      worker.on('message', (message: CheckpointResult | { error: string }) => {
        if ('log' in message) this.options.onCheckpoint?.(message);
      });
      // A worker that dies leaves the log to SQLite's own checkpoint again, so it never grows unbounded.
      worker.on('error', () => this.fallBack());
      worker.on('exit', () => {
        if (!this.stopped) this.fallBack();
      });
      this.worker = worker;
      this.database.pragma(`wal_autocheckpoint = ${SAFETY_CHECKPOINT_PAGES}`);
    } catch {
      this.fallBack();
    }
  }

  private fallBack(): void {
    this.worker = undefined;
    if (this.database.open) this.database.pragma(`wal_autocheckpoint = ${AUTOMATIC_CHECKPOINT_PAGES}`);
  }

  /**
   * Has the worker close its connection, and waits (blocking, at most STOP_WAIT_MS) until it has.
   * The wait is what makes the main connection the last to close: SQLite's last connection
   * checkpoints the log and deletes the -wal and -shm files, so after close() the data folder holds
   * only the database. Without it the worker closed a moment later, writing and deleting files in a
   * folder that its owner may already be removing (a test's teardown failed with ENOTEMPTY).
   */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.startTimer);
    if (this.worker && this.workerClosed) {
      this.worker.postMessage('stop');
      Atomics.wait(this.workerClosed, 0, 0, STOP_WAIT_MS);
    }
    this.worker = undefined;
    this.workerClosed = undefined;
  }
}
