import { useEffect, useRef, useState } from 'react';
import { useLocale } from '../i18n/locale-context.tsx';
import type { MessageKey } from '../i18n/messages.ts';

/** The parts of a job the web app shows (see src/jobs/types.ts for the whole record). */
export interface JobView {
  id: string;
  type: string;
  state: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  progress: { done: number; total: number | null; message: string | null } | null;
  error: { code: string; message: { sv: string; en: string }; retryable: boolean } | null;
  /** What a finished job produced (its shape depends on the type); absent in older answers. */
  result?: unknown;
  attempts: number;
  createdAt: string;
  finishedAt: string | null;
}

type JobEvent =
  | { type: 'snapshot' | 'end'; job: JobView }
  | { type: 'state-change'; jobId: string; state: JobView['state']; error: JobView['error'] }
  | { type: 'progress-update'; jobId: string; progress: NonNullable<JobView['progress']> };

const FINAL_STATES = new Set<JobView['state']>(['succeeded', 'failed', 'cancelled']);

/**
 * Follows a job live through its server-sent events (`snapshot`, `state-change`,
 * `progress-update`, `end`), starting from the record the list gave. EventSource reconnects by
 * itself after a dropped connection, and the snapshot it then receives puts the view right again.
 */
export function useJobEvents(initial: JobView, eventsUrl: string): JobView {
  const [job, setJob] = useState(initial);
  useEffect(() => {
    if (FINAL_STATES.has(initial.state)) return;
    const source = new EventSource(eventsUrl, { withCredentials: true });
    const read = (message: MessageEvent<string>) => JSON.parse(message.data) as JobEvent;
    const onRecord = (message: MessageEvent<string>) => {
      const event = read(message);
      if (event.type === 'snapshot' || event.type === 'end') setJob(event.job);
      if (event.type === 'end') source.close();
    };
    source.addEventListener('snapshot', onRecord);
    source.addEventListener('end', onRecord);
    source.addEventListener('state-change', (message: MessageEvent<string>) => {
      const event = read(message);
      if (event.type === 'state-change')
        setJob((current) => ({ ...current, state: event.state, error: event.error }));
    });
    source.addEventListener('progress-update', (message: MessageEvent<string>) => {
      const event = read(message);
      if (event.type === 'progress-update') setJob((current) => ({ ...current, progress: event.progress }));
    });
    return () => source.close();
  }, [eventsUrl, initial.state]);
  return job;
}

const STATE_NAMES: Record<JobView['state'], MessageKey> = {
  queued: 'jobs.queued',
  running: 'jobs.running',
  succeeded: 'jobs.succeeded',
  failed: 'jobs.failed',
  cancelled: 'jobs.cancelled',
};

/** One job: its state, a progress bar that screen readers read as a percentage, and its error. */
export function JobProgress({
  initial,
  eventsUrl,
  onFinished,
}: {
  initial: JobView;
  eventsUrl: string;
  /** Called when the job has reached a final state (succeeded, failed or cancelled). */
  onFinished?: (job: JobView) => void;
}) {
  const { t, locale, formatNumber } = useLocale();
  const job = useJobEvents(initial, eventsUrl);
  const finished = FINAL_STATES.has(job.state);
  const onFinishedRef = useRef(onFinished);
  onFinishedRef.current = onFinished;
  useEffect(() => {
    // The state change comes first and the whole final record (with its result) right after it,
    // so this may run twice for one job: callers treat it as "the job as it ended, so far".
    if (finished) onFinishedRef.current?.(job);
  }, [finished, job]);
  const total = job.progress?.total ?? null;
  const done = job.progress?.done ?? 0;
  const label = `${job.type}: ${t(STATE_NAMES[job.state])}`;
  return (
    <div className="job">
      <div className="job-line">
        <span>
          <code>{job.type}</code> · {t(STATE_NAMES[job.state])}
        </span>
        <span className="muted">
          {total === null
            ? job.progress
              ? formatNumber(done)
              : ''
            : `${formatNumber(done)} / ${formatNumber(total)}`}
        </span>
      </div>
      {job.state === 'succeeded' ? (
        <progress max={1} value={1} aria-label={label} />
      ) : total !== null && total > 0 ? (
        <progress max={total} value={Math.min(done, total)} aria-label={label} />
      ) : job.state === 'running' || job.state === 'queued' ? (
        // Without a total the bar is indeterminate: the job runs, but how far it has come is unknown.
        <progress aria-label={label} />
      ) : null}
      {job.progress?.message ? <p className="hint">{job.progress.message}</p> : null}
      {job.error ? <p className="error">{job.error.message[locale]}</p> : null}
    </div>
  );
}
