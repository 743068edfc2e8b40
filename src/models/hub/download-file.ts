/**
 * Downloads one file so that a model is never half there: bytes go to `<file>.part`, an interrupted
 * download resumes from the part with an HTTP Range request, and only a file whose size and checksum
 * match the hub's listing is renamed to its final name (an atomic rename on the same disk).
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { isPolettError, type PolettError } from '../../errors.js';
import {
  downloadCorruptError,
  downloadInterruptedError,
  formatBytes,
  HubStallError,
  type HubErrorContext,
} from './hub-errors.js';
import type { HubFileEntry } from './select-files.js';

export interface DownloadFileOptions {
  /** The `resolve` address of the file. */
  url: string;
  /** Where the verified file ends up. */
  destination: string;
  entry: HubFileEntry;
  fetch: typeof globalThis.fetch;
  signal: AbortSignal | undefined;
  /** Milliseconds without a byte after which the connection counts as broken. */
  stallTimeoutMs: number;
  /** Called as bytes arrive (and as an existing part is re-read), with the bytes of this file so far. */
  onBytes: (bytesDone: number) => void;
  context: HubErrorContext & { file: string };
  /** Turns a non-ok response into the right sentence (404, 401, 5xx…). */
  errorForResponse: (response: Response) => PolettError;
}

export interface DownloadedFile {
  sha256: string;
  /** Bytes fetched over the network in this call (less than the size when a part was resumed). */
  bytesFetched: number;
}

/** The hash state of a file being assembled: sha256 always, the git blob id when it is the only check. */
class FileHashes {
  sha256: Hash = createHash('sha256');
  gitBlob: Hash | undefined;

  constructor(readonly entry: HubFileEntry) {
    this.reset();
  }

  reset(): void {
    this.sha256 = createHash('sha256');
    // Small files outside LFS carry only their git blob id; the hub computes it over this header.
    this.gitBlob =
      this.entry.sha256 === undefined && this.entry.gitOid !== undefined ? createHash('sha1') : undefined;
    this.gitBlob?.update(`blob ${this.entry.size}\0`);
  }

  update(chunk: Uint8Array): void {
    this.sha256.update(chunk);
    this.gitBlob?.update(chunk);
  }
}

/** Hashes a file (or its first bytes) into the given hashes, reporting progress. */
async function hashExisting(
  filePath: string,
  hashes: FileHashes,
  onBytes: (bytesDone: number) => void,
  signal: AbortSignal | undefined,
): Promise<number> {
  let bytes = 0;
  const stream = createReadStream(filePath, { highWaterMark: 1 << 20, ...(signal ? { signal } : {}) });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hashes.update(chunk);
    bytes += chunk.length;
    onBytes(bytes);
  }
  return bytes;
}

async function sizeOf(filePath: string): Promise<number | undefined> {
  try {
    return (await stat(filePath)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function removeIfPresent(filePath: string): Promise<void> {
  try {
    await unlink(filePath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** Compares the assembled hashes with the listing; returns the sentence detail on a mismatch. */
function checksumMismatch(
  hashes: FileHashes,
  entry: HubFileEntry,
): { sv: string; en: string; sha256: string } | { sha256: string } {
  const sha256 = hashes.sha256.digest('hex');
  if (entry.sha256 !== undefined && sha256 !== entry.sha256.toLowerCase()) {
    return {
      sha256,
      sv: `sha256 ${sha256.slice(0, 12)}… i stället för ${entry.sha256.slice(0, 12)}…`,
      en: `sha256 ${sha256.slice(0, 12)}… instead of ${entry.sha256.slice(0, 12)}…`,
    };
  }
  if (hashes.gitBlob !== undefined && entry.gitOid !== undefined) {
    const gitOid = hashes.gitBlob.digest('hex');
    if (gitOid !== entry.gitOid.toLowerCase()) {
      return {
        sha256,
        sv: `git-id ${gitOid.slice(0, 12)}… i stället för ${entry.gitOid.slice(0, 12)}…`,
        en: `git id ${gitOid.slice(0, 12)}… instead of ${entry.gitOid.slice(0, 12)}…`,
      };
    }
  }
  return { sha256 };
}

/**
 * Checks a file already at its final name (from an earlier pull): same size and checksum as the
 * listing means it need not be fetched again. Returns its sha256, or undefined when it must be.
 */
export async function verifyExistingFile(
  filePath: string,
  entry: HubFileEntry,
  onBytes: (bytesDone: number) => void,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  const size = await sizeOf(filePath);
  if (size !== entry.size) return undefined;
  const hashes = new FileHashes(entry);
  await hashExisting(filePath, hashes, onBytes, signal);
  const result = checksumMismatch(hashes, entry);
  return 'en' in result ? undefined : result.sha256;
}

/** Reads `bytes a-b/total` from a Content-Range header. */
function parseContentRange(value: string | null): { start: number; total: number | undefined } | undefined {
  if (value === null) return undefined;
  const match = /^bytes\s+(\d+)-\d+\/(\d+|\*)$/i.exec(value.trim());
  if (!match) return undefined;
  return { start: Number(match[1]), total: match[2] === '*' ? undefined : Number(match[2]) };
}

async function fsyncDirectory(directory: string): Promise<void> {
  // Makes the rename itself durable; some platforms and file systems cannot open a directory.
  let handle: FileHandle | undefined;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch {
    // Best effort only.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** Downloads (or resumes) one file and moves it to its final name once verified. */
export async function downloadFile(options: DownloadFileOptions): Promise<DownloadedFile> {
  const { entry, destination, context } = options;
  const partPath = `${destination}.part`;
  await mkdir(path.dirname(destination), { recursive: true });

  const hashes = new FileHashes(entry);
  let offset = (await sizeOf(partPath)) ?? 0;
  if (offset > entry.size) {
    await removeIfPresent(partPath);
    offset = 0;
  }
  if (offset > 0) {
    // The part's bytes are hashed again rather than trusted: the final check covers the whole file.
    await hashExisting(partPath, hashes, options.onBytes, options.signal);
  }

  if (entry.size === 0) {
    // Nothing to fetch, but the empty file still goes through the part and the rename.
    await (await open(partPath, 'w')).close();
  }

  let bytesFetched = 0;
  let restarted = false;
  while (offset < entry.size) {
    const stall = new AbortController();
    const signals = [stall.signal, ...(options.signal ? [options.signal] : [])];
    const response = await options.fetch(options.url, {
      headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
      signal: AbortSignal.any(signals),
    });

    if (response.status === 416 && !restarted) {
      // The part no longer fits the file on the hub (it changed); start over once.
      await response.body?.cancel();
      await removeIfPresent(partPath);
      hashes.reset();
      offset = 0;
      restarted = true;
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw options.errorForResponse(response);
    }

    let append = offset > 0;
    if (offset > 0) {
      const range =
        response.status === 206 ? parseContentRange(response.headers.get('content-range')) : undefined;
      const sameFile =
        range !== undefined &&
        range.start === offset &&
        (range.total === undefined || range.total === entry.size);
      if (!sameFile) {
        // A server that ignores Range sends the whole file (200); one whose file changed sends another
        // total. Either way the part is worthless and the answer starts at byte 0.
        if (response.status !== 200) {
          await response.body?.cancel();
          await removeIfPresent(partPath);
          hashes.reset();
          offset = 0;
          if (restarted) throw options.errorForResponse(response);
          restarted = true;
          continue;
        }
        hashes.reset();
        offset = 0;
        append = false;
        options.onBytes(0);
      }
    }

    const handle = await open(partPath, append ? 'a' : 'w');
    const timer = setTimeout(
      () => stall.abort(new HubStallError(options.stallTimeoutMs)),
      options.stallTimeoutMs,
    );
    try {
      if (response.body === null) throw new Error('empty body');
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        timer.refresh();
        if (offset + value.byteLength > entry.size) {
          throw downloadCorruptError(context, {
            sv: `större än ${formatBytes(entry.size)}`,
            en: `larger than ${formatBytes(entry.size)}`,
          });
        }
        await handle.write(value);
        hashes.update(value);
        offset += value.byteLength;
        bytesFetched += value.byteLength;
        options.onBytes(offset);
      }
      await handle.sync();
    } catch (error) {
      await handle.close();
      if (isPolettError(error)) {
        await removeIfPresent(partPath);
        throw error;
      }
      if (options.signal?.aborted) throw options.signal.reason;
      // Everything written so far stays in the part for the next attempt to resume from.
      throw downloadInterruptedError(
        context,
        offset,
        entry.size,
        stall.signal.aborted ? stall.signal.reason : error,
      );
    } finally {
      clearTimeout(timer);
    }
    await handle.close();

    if (offset < entry.size) {
      throw downloadInterruptedError(context, offset, entry.size, new Error('connection closed early'));
    }
  }

  const result = checksumMismatch(hashes, entry);
  if ('en' in result) {
    await removeIfPresent(partPath);
    throw downloadCorruptError(context, result);
  }
  await rename(partPath, destination);
  await fsyncDirectory(path.dirname(destination));
  return { sha256: result.sha256, bytesFetched };
}
