/**
 * A knowledge upload received as a stream: the multipart body (busboy) goes to files in a folder
 * of its own as it arrives, never held in memory whole, so that a 50 MB document is as welcome as
 * a small one. Over the limit the rest of the body is read and thrown away (a browser that is cut
 * off mid-upload shows a network error instead of the answer), the partial files are removed, and
 * the answer is one sentence naming the limit and the way out (`polett kb add` on the server).
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import busboy from 'busboy';
import { PolettError } from '../../errors.js';

/** What a knowledge upload may be, in bytes, unless `server.bodyLimitBytes` allows more. */
export const DEFAULT_KNOWLEDGE_UPLOAD_LIMIT_BYTES = 100 * 1024 * 1024;

/** The upload route, which reads its body itself: the server's general body limit is not applied to it. */
export const KNOWLEDGE_UPLOAD_PATH = /^\/api\/workspaces\/[^/]+\/knowledge\/uploads\/?$/;

/** The limit of a knowledge upload: 100 MB, or the server's body limit when that is higher. */
export function knowledgeUploadLimitBytes(serverBodyLimitBytes: number): number {
  return Math.max(DEFAULT_KNOWLEDGE_UPLOAD_LIMIT_BYTES, serverBodyLimitBytes);
}

/** Past this much more than the limit, a body is no longer read to the end but cut off. */
const MOST_DRAINED_BYTES = 1024 * 1024 * 1024;

export interface ReceivedFile {
  /** The name the browser gave it. */
  name: string;
  /** Where it was written. */
  path: string;
  bytes: number;
}

export interface ReceivedUpload {
  files: ReceivedFile[];
  fields: Record<string, string>;
}

function megabytes(bytes: number): string {
  const value = bytes / (1024 * 1024);
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

export function uploadTooLargeError(limitBytes: number): PolettError {
  const limit = megabytes(limitBytes);
  return new PolettError({
    code: 'knowledge_upload_too_large',
    status: 413,
    field: 'files',
    message: {
      sv: `Uppladdningen är större än gränsen på ${limit} MB; ladda upp färre filer åt gången, eller lägg till stora filer och mappar direkt på servern med \`polett kb add <sökväg>\` (varje fil får vara högst 50 MB).`,
      en: `The upload is larger than the limit of ${limit} MB; upload fewer files at a time, or add large files and folders on the server with \`polett kb add <path>\` (each file may be at most 50 MB).`,
    },
  });
}

export function uploadUnreadableError(cause?: unknown): PolettError {
  return new PolettError({
    code: 'knowledge_upload_empty',
    status: 400,
    field: 'files',
    message: {
      sv: 'Uppladdningen innehåller inga filer; skicka en eller flera filer i fältet files (multipart/form-data).',
      en: 'The upload contains no files; send one or more files in the field files (multipart/form-data).',
    },
    cause,
  });
}

/**
 * Reads a multipart upload into `folder` (created), files as they stream in; throws
 * `knowledge_upload_too_large` (having read and dropped the rest, and removed what was written)
 * when the files together pass `limitBytes`, or `knowledge_upload_empty` when the body is not
 * multipart form data.
 */
export async function receiveUpload(
  request: Request,
  options: { folder: string; limitBytes: number },
): Promise<ReceivedUpload> {
  const contentType = request.headers.get('content-type') ?? '';
  if (!request.body || !/^multipart\/form-data/i.test(contentType)) throw uploadUnreadableError();
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  const body = Readable.fromWeb(request.body as WebReadableStream<Uint8Array>);
  if (Number.isFinite(declared) && declared > options.limitBytes + 1024 * 1024) {
    // Said to be too large before a byte was read: read it to the end unwritten, then answer.
    await drain(body, options.limitBytes);
    throw uploadTooLargeError(options.limitBytes);
  }

  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { 'content-type': contentType },
      limits: { files: 1000, fields: 20, fieldSize: 64 * 1024, parts: 1100 },
      defParamCharset: 'utf8',
    });
  } catch (error) {
    body.resume();
    throw uploadUnreadableError(error);
  }
  await mkdir(options.folder, { recursive: true });
  const files: ReceivedFile[] = [];
  const fields: Record<string, string> = {};
  const writes: Promise<void>[] = [];
  const openStreams = new Set<Writable>();
  const incoming = new Set<Readable>();
  let total = 0;
  let drained = 0;
  let tooLarge = false;

  const cutOff = () => {
    tooLarge = true;
    for (const stream of openStreams) stream.destroy();
    openStreams.clear();
    // A file paused for a disk that was slow must go on flowing, to be read and dropped.
    for (const stream of incoming) stream.resume();
  };

  parser.on('field', (name, value) => {
    fields[name] = value;
  });
  parser.on('file', (field, stream, info) => {
    if (tooLarge || (field !== 'files' && field !== 'files[]')) {
      stream.resume();
      return;
    }
    const file: ReceivedFile = {
      name: info.filename || `file-${files.length + 1}`,
      path: path.join(options.folder, `${files.length}`),
      bytes: 0,
    };
    files.push(file);
    incoming.add(stream);
    const target = createWriteStream(file.path);
    openStreams.add(target);
    stream.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      total += chunk.length;
      file.bytes += chunk.length;
      if (total > options.limitBytes) {
        cutOff();
        return;
      }
      // Back-pressure: the request is read no faster than the disk takes it.
      if (!target.write(chunk)) {
        stream.pause();
        target.once('drain', () => {
          if (!tooLarge) stream.resume();
        });
      }
    });
    stream.on('end', () => {
      incoming.delete(stream);
      if (openStreams.delete(target)) target.end();
    });
    writes.push(
      finished(target).catch((error: unknown) => {
        // A stream destroyed on purpose (the limit) is no failure of its own.
        if (!tooLarge) throw error;
      }),
    );
  });

  try {
    await new Promise<void>((resolve, reject) => {
      parser.on('close', resolve);
      parser.on('error', reject);
      body.on('error', reject);
      body.on('data', (chunk: Buffer) => {
        if (tooLarge) drained += chunk.length;
        // A client that goes on and on past the limit is cut off rather than read forever.
        if (drained > MOST_DRAINED_BYTES) body.destroy(uploadTooLargeError(options.limitBytes));
      });
      body.pipe(parser);
    });
    await Promise.all(writes);
  } catch (error) {
    cutOff();
    await rm(options.folder, { recursive: true, force: true });
    if (error instanceof PolettError) throw error;
    throw uploadUnreadableError(error);
  }
  if (tooLarge) {
    await rm(options.folder, { recursive: true, force: true });
    throw uploadTooLargeError(options.limitBytes);
  }
  return { files, fields };
}

/** Reads a body to its end (up to a gigabyte past the limit), keeping nothing. */
async function drain(body: Readable, limitBytes: number): Promise<void> {
  let read = 0;
  try {
    for await (const chunk of body) {
      read += (chunk as Buffer).length;
      if (read > MOST_DRAINED_BYTES + limitBytes) {
        body.destroy();
        return;
      }
    }
  } catch {
    // The client gave up: nothing more to read.
  }
}
