/**
 * The errors a parser throws, one constructor per code in the contract (see `types.ts`). Each
 * names the file and says what to do, in Swedish and English, so that an ingestion report can
 * show it as it is.
 */
import { PolettError } from '../../errors.js';

/** The codes a parser throws; anything else escaping a parser is a bug. */
export const PARSE_ERROR_CODES = [
  'unsupported_format',
  'corrupt_file',
  'encrypted_file',
  'file_too_large',
  'empty_document',
] as const;

export type ParseErrorCode = (typeof PARSE_ERROR_CODES)[number];

/** Whether an error is one of the parse errors above (as opposed to a bug or an I/O failure). */
export function isParseError(error: unknown): error is PolettError & { code: ParseErrorCode } {
  return error instanceof PolettError && (PARSE_ERROR_CODES as readonly string[]).includes(error.code);
}

const SUPPORTED_LIST = 'PDF, DOCX, HTML, Markdown, text, CSV, XLSX';

/** `detail` is a short English or Swedish-neutral reason, such as the detected file type. */
export function unsupportedFormat(name: string, detail?: { sv: string; en: string }): PolettError {
  return new PolettError({
    code: 'unsupported_format',
    status: 415,
    retryable: false,
    message: {
      sv: `${quote(name)} är inte ett format som Polett kan läsa${detail ? ` (${detail.sv})` : ''}; spara den som ${SUPPORTED_LIST} och lägg till den igen.`,
      en: `${quote(name)} is not in a format Polett can read${detail ? ` (${detail.en})` : ''}; save it as ${SUPPORTED_LIST} and add it again.`,
    },
  });
}

export function corruptFile(name: string, format: string, cause?: unknown): PolettError {
  return new PolettError({
    code: 'corrupt_file',
    status: 422,
    retryable: false,
    message: {
      sv: `${quote(name)} gick inte att läsa som ${format}: filen är skadad eller inte vad den utger sig för att vara; öppna den i programmet som skapade den, spara om den och lägg till den igen.`,
      en: `${quote(name)} could not be read as ${format}: the file is damaged or not what it claims to be; open it in the program that made it, save it again and add it again.`,
    },
    cause,
  });
}

/**
 * A file whose parsing took more memory than the parser thread may have: most likely built to
 * exhaust memory (a PDF or workbook of millions of objects), or far larger inside than outside.
 */
export function parserOutOfMemory(name: string, format: string, memoryMegabytes: number): PolettError {
  return new PolettError({
    code: 'file_too_large',
    status: 413,
    retryable: false,
    message: {
      sv: `${quote(name)} behöver mer än ${memoryMegabytes} MB minne för att läsas som ${format} och avbröts; dela upp den i mindre filer eller spara om den i programmet som skapade den.`,
      en: `${quote(name)} needs more than ${memoryMegabytes} MB of memory to read as ${format} and was stopped; split it into smaller files or save it again in the program that made it.`,
    },
  });
}

/** A file whose parsing did not end in time (a PDF whose structure loops, say). */
export function parserTimedOut(name: string, format: string, seconds: number): PolettError {
  return new PolettError({
    code: 'corrupt_file',
    status: 422,
    retryable: false,
    message: {
      sv: `${quote(name)} gick inte att läsa som ${format} på ${seconds} sekunder och avbröts; öppna den i programmet som skapade den, spara om den och lägg till den igen.`,
      en: `${quote(name)} could not be read as ${format} within ${seconds} seconds and was stopped; open it in the program that made it, save it again and add it again.`,
    },
  });
}

export function encryptedFile(name: string, cause?: unknown): PolettError {
  return new PolettError({
    code: 'encrypted_file',
    status: 422,
    retryable: false,
    message: {
      sv: `${quote(name)} är lösenordsskyddad och kan inte läsas; spara en kopia utan lösenord och lägg till den.`,
      en: `${quote(name)} is password-protected and cannot be read; save a copy without the password and add that.`,
    },
    cause,
  });
}

/**
 * `what` says which limit: the file itself, what it unpacks to (a zip bomb), how many entries its
 * zip holds or how many pages a PDF has (then `limitBytes` is that count).
 */
export function fileTooLarge(
  name: string,
  limitBytes: number,
  what: 'file' | 'unpacked' | 'entries' | 'pages' = 'file',
): PolettError {
  const limit = formatMegabytes(limitBytes);
  if (what === 'pages') {
    return new PolettError({
      code: 'file_too_large',
      status: 413,
      retryable: false,
      message: {
        sv: `${quote(name)} har fler än ${limitBytes} sidor; dela upp den i mindre filer och lägg till dem igen.`,
        en: `${quote(name)} has more than ${limitBytes} pages; split it into smaller files and add them again.`,
      },
    });
  }
  if (what === 'entries') {
    return new PolettError({
      code: 'file_too_large',
      status: 413,
      retryable: false,
      message: {
        sv: `${quote(name)} innehåller fler än ${limitBytes} delfiler, vilket ser ut som en zip-bomb; kontrollera filen och spara om den i programmet som skapade den.`,
        en: `${quote(name)} holds more than ${limitBytes} parts, which looks like a zip bomb; check the file and save it again in the program that made it.`,
      },
    });
  }
  return new PolettError({
    code: 'file_too_large',
    status: 413,
    retryable: false,
    message:
      what === 'file'
        ? {
            sv: `${quote(name)} är större än gränsen på ${limit} MB per fil; dela upp den i mindre filer och lägg till dem igen.`,
            en: `${quote(name)} is larger than the limit of ${limit} MB a file; split it into smaller files and add them again.`,
          }
        : {
            sv: `${quote(name)} packas upp till mer än ${limit} MB (eller påstår det), vilket ser ut som en zip-bomb; kontrollera filen och spara om den i programmet som skapade den.`,
            en: `${quote(name)} unpacks to more than ${limit} MB (or claims to), which looks like a zip bomb; check the file and save it again in the program that made it.`,
          },
  });
}

export function emptyDocument(name: string, hint?: { sv: string; en: string }): PolettError {
  return new PolettError({
    code: 'empty_document',
    status: 422,
    retryable: false,
    message: {
      sv: `${quote(name)} innehåller ingen text att söka i${hint ? ` (${hint.sv})` : ''}; kontrollera att det är rätt fil.`,
      en: `${quote(name)} contains no text to search${hint ? ` (${hint.en})` : ''}; check that it is the right file.`,
    },
  });
}

function quote(name: string): string {
  return `"${name.length > 120 ? `${name.slice(0, 117)}…` : name}"`;
}

function formatMegabytes(bytes: number): string {
  const megabytes = bytes / (1024 * 1024);
  return Number.isInteger(megabytes) ? String(megabytes) : megabytes.toFixed(1);
}
