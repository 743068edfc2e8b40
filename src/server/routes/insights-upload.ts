/**
 * A feedback file received as the raw request body, streamed to one file on disk as it arrives,
 * never held in memory whole: a million-row review export is 100–200 MB, far past the server's
 * general body limit (10 MB by default), so this route is left out of that limit and checks its
 * own while reading. Over the limit the file written so far is removed, the rest of the body is
 * read and thrown away (a browser cut off mid-upload shows a network error instead of the
 * answer), and the answer is one sentence naming the limit and the way out: `polett insights
 * import <file>` on the server, which reads the file where it lies.
 */
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { PolettError } from '../../errors.js';

/**
 * What a feedback file sent through the web may be, in bytes, unless the server's body limit is
 * higher: 1 GiB. A million rows of reviews are 100–200 MB, so this leaves room for five times
 * that with long texts and many columns, while a file that fills the disk by mistake (a database
 * dump, a video) is refused; the importer streams, so memory sets no lower bound.
 */
export const DEFAULT_INSIGHTS_UPLOAD_LIMIT_BYTES = 1024 * 1024 * 1024;

/** The upload route, which reads its body itself: the server's general body limit is not applied to it. */
export const INSIGHTS_UPLOAD_PATH = /^\/api\/workspaces\/[^/]+\/insights\/imports\/?$/;

/** Past this much more than the limit, a body is no longer read to the end but cut off. */
const MOST_DRAINED_BYTES = 1024 * 1024 * 1024;

/**
 * The limit of a feedback upload: `server.feedbackUploadLimitBytes` (or
 * POLETT_FEEDBACK_UPLOAD_LIMIT_BYTES) when set, otherwise 1 GiB or the server's body limit when
 * that is higher (an administrator who raised the general limit meant every upload to be allowed
 * at least that much).
 */
export function insightsUploadLimitBytes(server: {
  bodyLimitBytes: number;
  feedbackUploadLimitBytes?: number | undefined;
}): number {
  return (
    server.feedbackUploadLimitBytes ?? Math.max(DEFAULT_INSIGHTS_UPLOAD_LIMIT_BYTES, server.bodyLimitBytes)
  );
}

/** A size as people say it: "1 GB", "250 MB", "1,5 MB" in Swedish, "64 KB". */
function size(bytes: number, locale: 'sv' | 'en'): string {
  const units: Array<[string, number]> = [
    ['GB', 1024 ** 3],
    ['MB', 1024 ** 2],
    ['KB', 1024],
  ];
  const [unit, scale] = units.find(([, unitBytes]) => bytes >= unitBytes) ?? ['byte', 1];
  const value = new Intl.NumberFormat(locale === 'sv' ? 'sv-SE' : 'en-GB', {
    maximumFractionDigits: 1,
  }).format(bytes / scale);
  return `${value} ${unit}`;
}

export function feedbackFileTooLargeError(limitBytes: number): PolettError {
  return new PolettError({
    code: 'insights_upload_too_large',
    status: 413,
    field: 'body',
    message: {
      sv: `Filen är större än gränsen på ${size(limitBytes, 'sv')} för feedbackfiler som skickas via webben; läs in den direkt på servern med \`polett insights import <fil>\`, eller dela upp den i mindre filer.`,
      en: `The file is larger than the limit of ${size(limitBytes, 'en')} for feedback files sent through the web; import it on the server with \`polett insights import <file>\`, or split it into smaller files.`,
    },
  });
}

function uploadInterrupted(cause: unknown): PolettError {
  return new PolettError({
    code: 'insights_upload_interrupted',
    status: 400,
    field: 'body',
    message: {
      sv: 'Filen kom inte fram hela (anslutningen bröts under uppladdningen); ingenting sparades, så skicka den igen.',
      en: 'The file did not arrive whole (the connection broke during the upload); nothing was kept, so send it again.',
    },
    cause,
  });
}

/**
 * Writes the request's body to `target` (which must not exist) and answers how many bytes it
 * holds. Throws `insights_upload_too_large` past `limitBytes` and `insights_upload_interrupted`
 * when the body breaks off; in both cases nothing is left at `target`.
 */
export async function receiveFeedbackFile(
  request: Request,
  options: { target: string; limitBytes: number },
): Promise<number> {
  const { target, limitBytes } = options;
  const source = request.body
    ? Readable.fromWeb(request.body as WebReadableStream<Uint8Array>)
    : Readable.from([]);
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limitBytes) {
    // Said to be too large before a byte was read (a browser sends the File's length): nothing is
    // written; the body is read to its end so that the browser gets to show the answer.
    await drain(source, limitBytes);
    throw feedbackFileTooLargeError(limitBytes);
  }

  const file = createWriteStream(target, { flags: 'wx' });
  let writeError: unknown;
  file.on('error', (error) => (writeError ??= error));
  let received = 0;
  let tooLarge = false;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (received > limitBytes) {
        if (!tooLarge) {
          tooLarge = true;
          file.destroy();
        }
        // A client that goes on and on past the limit is cut off rather than read forever.
        if (received - limitBytes > MOST_DRAINED_BYTES) break;
        continue;
      }
      if (writeError) throw writeError;
      // Back-pressure: the request is read no faster than the disk takes it.
      if (!file.write(chunk)) await once(file, 'drain');
    }
    if (!tooLarge) {
      file.end();
      await finished(file);
    }
  } catch (error) {
    file.destroy();
    await finished(file).catch(() => undefined);
    await rm(target, { force: true });
    if (error instanceof PolettError) throw error;
    // The disk failing is the server's trouble, not the client's: it stays an internal error.
    if (error === writeError) throw error;
    throw uploadInterrupted(error);
  }
  if (tooLarge) {
    await finished(file).catch(() => undefined);
    await rm(target, { force: true });
    throw feedbackFileTooLargeError(limitBytes);
  }
  return received;
}

/** Reads a body to its end (up to a gigabyte past the limit), keeping nothing. */
async function drain(body: Readable, limitBytes: number): Promise<void> {
  let read = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      read += chunk.length;
      if (read > MOST_DRAINED_BYTES + limitBytes) {
        body.destroy();
        return;
      }
    }
  } catch {
    // The client gave up: nothing more to read.
  }
}
