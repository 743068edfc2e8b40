/**
 * DOCX and XLSX are zip files, and a zip can unpack to far more than it weighs (a zip bomb). Before
 * mammoth or exceljs inflate anything, yauzl reads the zip's central directory: too many entries or
 * a declared total over the limit is refused. Then every entry is inflated once as a stream that
 * yauzl stops the moment it exceeds its declared size, so a zip that lies about its sizes is caught
 * too, without ever holding more than the limit in memory.
 */
import yauzl from 'yauzl';
import { PolettError } from '../../errors.js';
import { corruptFile, encryptedFile, fileTooLarge } from './parse-errors.js';

export interface ZipLimits {
  /** The most all entries together may unpack to. */
  maxUnpackedBytes: number;
  /** The most entries a document may have (a real DOCX has tens, an XLSX a few hundred). */
  maxEntries: number;
}

export interface CheckedZip {
  /** Entry names, in directory order. */
  names: string[];
  /** The unpacked contents of the entries that `keep` asked for. */
  kept: Map<string, Buffer>;
}

const ZIP_MAGIC = [0x50, 0x4b];

export function isZip(bytes: Uint8Array): boolean {
  return bytes[0] === ZIP_MAGIC[0] && bytes[1] === ZIP_MAGIC[1] && (bytes[2] === 3 || bytes[2] === 5);
}

/** The entry names only (central directory), for telling a DOCX from an XLSX. */
export async function listZipEntries(bytes: Uint8Array, name: string, format: string): Promise<string[]> {
  const zip = await openZip(bytes, name, format);
  const names: string[] = [];
  try {
    for await (const entry of zip.eachEntry()) names.push(entry.fileName);
  } catch (error) {
    throw corruptFile(name, format, error);
  } finally {
    zip.close();
  }
  return names;
}

/**
 * Checks the declared and actual unpacked sizes against the limits; throws `file_too_large` for a
 * zip bomb, `encrypted_file` for encrypted entries and `corrupt_file` for a broken zip.
 */
export async function checkZip(
  bytes: Uint8Array,
  name: string,
  format: string,
  limits: ZipLimits,
  keep: (entryName: string) => boolean = () => false,
): Promise<CheckedZip> {
  const zip = await openZip(bytes, name, format);
  const names: string[] = [];
  const kept = new Map<string, Buffer>();
  try {
    if (zip.entryCount > limits.maxEntries) throw fileTooLarge(name, limits.maxEntries, 'entries');
    const entries: yauzl.Entry[] = [];
    let declared = 0;
    for await (const entry of zip.eachEntry()) {
      declared += entry.uncompressedSize;
      if (declared > limits.maxUnpackedBytes) throw fileTooLarge(name, limits.maxUnpackedBytes, 'unpacked');
      if (entry.isEncrypted()) throw encryptedFile(name);
      entries.push(entry);
      names.push(entry.fileName);
    }
    let unpacked = 0;
    for (const entry of entries) {
      if (entry.fileName.endsWith('/')) continue;
      const stream = await zip.openReadStreamPromise(entry);
      const chunks: Buffer[] = [];
      const wanted = keep(entry.fileName);
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        unpacked += chunk.length;
        if (unpacked > limits.maxUnpackedBytes) {
          stream.destroy();
          throw fileTooLarge(name, limits.maxUnpackedBytes, 'unpacked');
        }
        if (wanted) chunks.push(chunk);
      }
      if (wanted) kept.set(entry.fileName, Buffer.concat(chunks));
    }
  } catch (error) {
    if (error instanceof PolettError) throw error;
    // yauzl's "too many bytes in the stream" is a zip that lied about its sizes: a bomb.
    if (error instanceof Error && /too many bytes|expected \d+ bytes/i.test(error.message)) {
      throw fileTooLarge(name, limits.maxUnpackedBytes, 'unpacked');
    }
    throw corruptFile(name, format, error);
  } finally {
    zip.close();
  }
  return { names, kept };
}

async function openZip(bytes: Uint8Array, name: string, format: string): Promise<yauzl.ZipFile> {
  try {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return await yauzl.fromBufferPromise(buffer, { lazyEntries: true, validateEntrySizes: true });
  } catch (error) {
    throw corruptFile(name, format, error);
  }
}
