/**
 * Follows a job in the terminal: a cli-progress bar on stderr (stdout stays free for machine
 * output) fed by the job's events, for `polett kb add`, `polett insights analyze` and the like.
 */
import cliProgress from 'cli-progress';
import type { Locale } from '../errors.js';
import type { JobEvent, JobProgress, JobQueue, JobRecord, JobState } from './types.js';

export interface FollowJobOptions {
  /** Where the bar is drawn. Defaults to stderr. */
  stream?: NodeJS.WritableStream;
  locale?: Locale;
  /** Stops following (Ctrl-C); the job itself goes on. */
  signal?: AbortSignal;
}

const STATE_LABELS: Record<Locale, Record<JobState, string>> = {
  sv: { queued: 'i kö', running: 'kör', succeeded: 'klart', failed: 'misslyckades', cancelled: 'avbrutet' },
  en: { queued: 'queued', running: 'running', succeeded: 'done', failed: 'failed', cancelled: 'cancelled' },
};

const RETRY_LABEL: Record<Locale, (attempt: number) => string> = {
  sv: (attempt) => `försök ${attempt} misslyckades, försöker igen`,
  en: (attempt) => `attempt ${attempt} failed, retrying`,
};

/**
 * Draws the job's progress until it ends, and returns its final record; returns undefined when
 * the signal stopped the following first.
 */
export async function followJobWithProgressBar(
  queue: Pick<JobQueue, 'subscribe'>,
  jobId: string,
  options: FollowJobOptions = {},
): Promise<JobRecord | undefined> {
  const locale = options.locale ?? 'en';
  const bar = new cliProgress.SingleBar(
    {
      format: '{bar} {percentage}% | {done}/{total} | {state} {message}',
      stream: options.stream ?? process.stderr,
      hideCursor: true,
      clearOnComplete: false,
      // A job followed in CI or into a log file still shows a line now and then.
      noTTYOutput: true,
      notTTYSchedule: 2000,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let state = '';
  let progress: JobProgress = { done: 0, total: null, message: null };

  const draw = () => {
    const payload = {
      done: progress.done,
      total: progress.total ?? '?',
      state,
      message: progress.message ?? '',
    };
    // cli-progress divides by the total: an unknown or empty total still gets a bar.
    const total = Math.max(progress.total ?? progress.done, 1);
    if (!started) {
      bar.start(total, progress.done, payload);
      started = true;
    } else {
      bar.setTotal(total);
      bar.update(progress.done, payload);
    }
  };

  const apply = (event: JobEvent): JobRecord | undefined => {
    switch (event.type) {
      case 'snapshot':
      case 'end':
        state = STATE_LABELS[locale][event.job.state];
        if (event.job.progress !== null) progress = event.job.progress;
        draw();
        return event.type === 'end' ? event.job : undefined;
      case 'state-change':
        state =
          event.retryAt === null ? STATE_LABELS[locale][event.state] : RETRY_LABEL[locale](event.attempt);
        draw();
        return undefined;
      case 'progress-update':
        progress = event.progress;
        draw();
        return undefined;
    }
  };

  try {
    for await (const event of queue.subscribe(jobId, options.signal ? { signal: options.signal } : {})) {
      const final = apply(event);
      if (final !== undefined) return final;
    }
    return undefined;
  } finally {
    if (started) bar.stop();
  }
}
