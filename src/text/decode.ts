/**
 * Bytes to text for everything users upload (documents, feedback files, catalogues): UTF-8 with
 * or without BOM, UTF-16 (LE/BE, with a BOM or recognisably without), and Windows-1252, so that
 * å, ä and ö arrive intact whatever program wrote the file. Node's own TextDecoder does the
 * decoding (full ICU ships with Node); chardet only breaks ties among the legacy encodings.
 */
import chardet from 'chardet';
import iconv from 'iconv-lite';

export type TextEncodingLabel = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface DetectedEncoding {
  encoding: TextEncodingLabel;
  /** Bytes of byte-order mark at the start, to skip. */
  bomLength: number;
}

/** How much of a file's start the detection looks at. */
export const ENCODING_SAMPLE_BYTES = 64 * 1024;

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return prefix.every((byte, index) => bytes[index] === byte);
}

/** UTF-16 without a BOM shows as a zero byte in every other position of mostly-Latin text. */
function utf16WithoutBom(sample: Uint8Array): TextEncodingLabel | undefined {
  const pairs = Math.floor(Math.min(sample.length, 4096) / 2);
  if (pairs < 2) return undefined;
  let zeroEven = 0;
  let zeroOdd = 0;
  for (let index = 0; index < pairs * 2; index += 2) {
    if (sample[index] === 0) zeroEven += 1;
    if (sample[index + 1] === 0) zeroOdd += 1;
  }
  if (zeroOdd > pairs * 0.4 && zeroEven < pairs * 0.05) return 'utf-16le';
  if (zeroEven > pairs * 0.4 && zeroOdd < pairs * 0.05) return 'utf-16be';
  return undefined;
}

/** Whether the bytes are valid UTF-8, allowing a multi-byte character cut at the sample's end. */
function isUtf8(sample: Uint8Array, complete: boolean): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: !complete });
    return true;
  } catch {
    return false;
  }
}

/**
 * The encoding of a file from its first bytes. `complete` says the sample is the whole file (so a
 * cut character at its end is an error, not the sample's edge).
 */
export function detectEncoding(sample: Uint8Array, complete = false): DetectedEncoding {
  if (startsWith(sample, [0xef, 0xbb, 0xbf])) return { encoding: 'utf-8', bomLength: 3 };
  if (startsWith(sample, [0xff, 0xfe])) return { encoding: 'utf-16le', bomLength: 2 };
  if (startsWith(sample, [0xfe, 0xff])) return { encoding: 'utf-16be', bomLength: 2 };
  const utf16 = utf16WithoutBom(sample);
  if (utf16) return { encoding: utf16, bomLength: 0 };
  // A whole file is checked whole: a Windows-1252 file can be plain ASCII for its first 64 KiB.
  if (isUtf8(complete ? sample : sample.subarray(0, ENCODING_SAMPLE_BYTES), complete))
    return { encoding: 'utf-8', bomLength: 0 };
  // Not UTF-8: Swedish text from Windows programs (Excel's "CSV") is Windows-1252, of which
  // ISO-8859-1 is a subset; chardet's other guesses for short Swedish text are unreliable.
  const guess = chardet.detect(sample.subarray(0, ENCODING_SAMPLE_BYTES))?.toLowerCase();
  if (guess === 'utf-16le' || guess === 'utf-16be') return { encoding: guess, bomLength: 0 };
  return { encoding: 'windows-1252', bomLength: 0 };
}

/**
 * Whether bytes look like a binary file rather than text: NUL bytes or many control characters
 * in a sample that is not UTF-16.
 */
export function looksBinary(sample: Uint8Array): boolean {
  const { encoding } = detectEncoding(sample);
  if (encoding === 'utf-16le' || encoding === 'utf-16be') return false;
  const length = Math.min(sample.length, 8192);
  if (length === 0) return false;
  let control = 0;
  for (let index = 0; index < length; index += 1) {
    const byte = sample[index]!;
    if (byte === 0) return true;
    if (byte < 32 && byte !== 9 && byte !== 10 && byte !== 13 && byte !== 12) control += 1;
  }
  return control / length > 0.1;
}

/**
 * A decoder for one of the labels. Node 20's TextDecoder reads 'windows-1252' as ISO-8859-1 (bytes
 * 0x80–0x9F become control characters instead of €, “, ”, …), so that one goes through iconv-lite;
 * it is a single-byte encoding, so chunks decode independently.
 */
function createDecoder(encoding: TextEncodingLabel): (bytes: Uint8Array, stream: boolean) => string {
  if (encoding === 'windows-1252')
    return (bytes) => iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'win1252');
  const decoder = new TextDecoder(encoding);
  return (bytes, stream) => decoder.decode(bytes, { stream });
}

export interface DecodedText {
  text: string;
  encoding: TextEncodingLabel;
}

/** Decodes a whole file (BOM removed). */
export function decodeText(bytes: Uint8Array): DecodedText {
  const { encoding, bomLength } = detectEncoding(bytes, true);
  const text = createDecoder(encoding)(bytes.subarray(bomLength), false);
  return { text, encoding };
}

/**
 * Decodes a file whose lines may not all share one encoding (an UTF-8 export with rows pasted in
 * from a Windows program): each line that is not valid UTF-8 is read as Windows-1252. UTF-16 files
 * are decoded whole. (A file that is Windows-1252 throughout comes out the same as from
 * `decodeText`, line by line; the reported encoding is then 'windows-1252'.)
 */
export function decodeMixedLines(bytes: Uint8Array): DecodedText {
  const detected = detectEncoding(bytes, true);
  if (detected.encoding === 'utf-16le' || detected.encoding === 'utf-16be' || isUtf8(bytes, true)) {
    return decodeText(bytes);
  }
  const strict = new TextDecoder('utf-8', { fatal: true });
  const legacy = createDecoder('windows-1252');
  const parts: string[] = [];
  let start = detected.bomLength;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    end = end === -1 ? bytes.length : end + 1;
    const line = bytes.subarray(start, end);
    try {
      parts.push(strict.decode(line));
    } catch {
      parts.push(legacy(line, false));
    }
    start = end;
  }
  return { text: parts.join(''), encoding: detected.encoding };
}

/**
 * A streaming decoder for large files: feed chunks, get text; the encoding is fixed from the
 * first chunk (at least `ENCODING_SAMPLE_BYTES` of it when the file is that large).
 */
export function createStreamingDecoder(firstChunk: Uint8Array): {
  encoding: TextEncodingLabel;
  decode(chunk: Uint8Array, options?: { last?: boolean }): string;
} {
  const { encoding, bomLength } = detectEncoding(firstChunk);
  const decoder = createDecoder(encoding);
  let bomToSkip = bomLength;
  return {
    encoding,
    decode(chunk, options = {}) {
      let bytes = chunk;
      if (bomToSkip > 0) {
        bytes = chunk.subarray(Math.min(bomToSkip, chunk.length));
        bomToSkip -= chunk.length - bytes.length;
      }
      return decoder(bytes, !options.last);
    },
  };
}
