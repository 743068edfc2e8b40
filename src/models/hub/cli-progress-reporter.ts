/**
 * A terminal progress bar for `polett models pull`, drawn with cli-progress on stderr so that stdout
 * stays free for machine-readable output.
 */
import cliProgress from 'cli-progress';
import type { Locale } from '../../errors.js';
import { formatBytes } from './hub-errors.js';
import type { PullProgress } from './pull.js';

export interface CliProgressReporterOptions {
  /** Where the bar is drawn. Defaults to stderr. */
  stream?: NodeJS.WritableStream;
  locale?: Locale;
}

export interface CliProgressReporter {
  /** Pass as `onProgress` to `pullModel`. */
  onProgress: (progress: PullProgress) => void;
  /** Removes the bar; call in a `finally` so that an error message starts on a clean line. */
  stop: () => void;
}

const LABELS = {
  sv: { verify: 'kontrollerar', download: 'hämtar', done: 'klar' },
  en: { verify: 'checking', download: 'fetching', done: 'done' },
} as const;

/** Creates one overall bar (bytes of all files) that names the file being worked on. */
export function createCliProgressReporter(options: CliProgressReporterOptions = {}): CliProgressReporter {
  const labels = LABELS[options.locale ?? 'en'];
  const bar = new cliProgress.SingleBar(
    {
      format: '{bar} {percentage}% | {done} / {all} | {phase} {file}',
      stream: options.stream ?? process.stderr,
      hideCursor: true,
      clearOnComplete: false,
      // A pull that runs in CI or a log file still shows a line now and then.
      noTTYOutput: true,
      notTTYSchedule: 5000,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;

  return {
    onProgress(progress) {
      const payload = {
        done: formatBytes(progress.bytesDone),
        all: formatBytes(progress.bytesTotal),
        phase: labels[progress.phase],
        file:
          progress.fileCount > 1
            ? `${progress.file} (${progress.fileIndex + 1}/${progress.fileCount})`
            : progress.file,
      };
      // cli-progress divides by the total; an empty model (size 0) still gets a full bar.
      const total = Math.max(progress.bytesTotal, 1);
      if (!started) {
        bar.start(total, progress.bytesDone, payload);
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(progress.bytesDone, payload);
      }
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
