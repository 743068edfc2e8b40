/**
 * Replaces personal data with placeholders before text leaves for a remote model, and puts the
 * originals back in the answer. A `PiiSession` is one request's mapping: every message of a
 * prompt goes through the same session, so the same e-mail address is `[EMAIL_1]` wherever it
 * appears and the model can still follow the conversation.
 */
import { detectPii, type DetectPiiOptions, type PiiKind } from './detect-pii.js';
import { PiiStreamRestorer } from './pii-stream-restorer.js';
import {
  PLACEHOLDER_LABELS,
  PLACEHOLDER_PATTERN,
  replacePlaceholders,
  type ReplacePlaceholdersOptions,
} from './placeholders.js';

/** Which kinds to redact, and the day birth dates are judged against. */
export type PiiRedactionOptions = DetectPiiOptions;

/** One original and the placeholder that stands for it in this session. */
export interface PiiMapping {
  kind: PiiKind;
  original: string;
  placeholder: string;
}

/** One redacted occurrence; `start` and `end` are UTF-16 offsets into the text before redaction. */
export interface PiiEntity extends PiiMapping {
  start: number;
  end: number;
}

export interface PiiRedaction {
  /** The text with every occurrence replaced by its placeholder. */
  text: string;
  entities: PiiEntity[];
}

/** The mapping of one request (or one conversation): same original, same placeholder. */
export class PiiSession {
  readonly #options: PiiRedactionOptions;
  readonly #placeholderByOriginal = new Map<string, string>();
  readonly #originalByPlaceholder = new Map<string, string>();
  readonly #mappings: PiiMapping[] = [];
  readonly #lastNumberByKind = new Map<PiiKind, number>();
  /** Placeholder-shaped text the customer wrote: never issued, so restoring cannot rewrite it. */
  readonly #literalPlaceholders = new Set<string>();

  constructor(options: PiiRedactionOptions = {}) {
    this.#options = options;
  }

  /**
   * Notes placeholder-shaped text (`[EMAIL_1]`) that the customer wrote, so that this session
   * issues other numbers. `redact` does this for its own text; call it first for every text of a
   * request when a later text could contain what an earlier one would otherwise be given.
   */
  reserve(text: string): void {
    for (const [literal] of text.matchAll(PLACEHOLDER_PATTERN)) {
      if (!this.#originalByPlaceholder.has(literal)) this.#literalPlaceholders.add(literal);
    }
  }

  /** Replaces the personal data in one text, reusing the placeholders this session already issued. */
  redact(text: string): PiiRedaction {
    this.reserve(text);
    const matches = detectPii(text, this.#options);
    if (matches.length === 0) return { text, entities: [] };

    const entities: PiiEntity[] = [];
    const pieces: string[] = [];
    let position = 0;
    for (const match of matches) {
      const placeholder = this.#placeholderFor(match.kind, match.text);
      pieces.push(text.slice(position, match.start), placeholder);
      position = match.end;
      entities.push({
        kind: match.kind,
        original: match.text,
        placeholder,
        start: match.start,
        end: match.end,
      });
    }
    pieces.push(text.slice(position));
    return { text: pieces.join(''), entities };
  }

  /** Puts the originals back for every placeholder this session issued. */
  restore(text: string, options: ReplacePlaceholdersOptions = {}): string {
    return replacePlaceholders(text, this.#originalByPlaceholder, options);
  }

  /** A restorer for an answer that streams back in pieces; it sees placeholders issued later too. */
  createStreamRestorer(options: ReplacePlaceholdersOptions = {}): PiiStreamRestorer {
    return new PiiStreamRestorer(this.#originalByPlaceholder, options);
  }

  /** Placeholder → original, for restorers and tests. */
  originalsByPlaceholder(): ReadonlyMap<string, string> {
    return this.#originalByPlaceholder;
  }

  /** Every mapping issued so far, in the order of first appearance. */
  get mappings(): readonly PiiMapping[] {
    return this.#mappings;
  }

  #placeholderFor(kind: PiiKind, original: string): string {
    const existing = this.#placeholderByOriginal.get(original);
    if (existing !== undefined) return existing;
    let number = this.#lastNumberByKind.get(kind) ?? 0;
    let placeholder: string;
    do {
      number++;
      placeholder = `[${PLACEHOLDER_LABELS[kind]}_${number}]`;
    } while (this.#literalPlaceholders.has(placeholder));
    this.#lastNumberByKind.set(kind, number);
    this.#placeholderByOriginal.set(original, placeholder);
    this.#originalByPlaceholder.set(placeholder, original);
    this.#mappings.push({ kind, original, placeholder });
    return placeholder;
  }
}

/**
 * Redacts one text with a fresh session. For several texts of one request, use one `PiiSession`.
 *
 * @example redactPii('Mejla anna@exempel.se').text // 'Mejla [EMAIL_1]'
 */
export function redactPii(text: string, options: PiiRedactionOptions = {}): PiiRedaction {
  return new PiiSession(options).redact(text);
}

/** Puts the originals of the given entities (or mappings) back into a text. */
export function restorePii(
  text: string,
  entities: readonly PiiMapping[],
  options: ReplacePlaceholdersOptions = {},
): string {
  const originalsByPlaceholder = new Map(
    entities.map((entity) => [entity.placeholder, entity.original] as const),
  );
  return replacePlaceholders(text, originalsByPlaceholder, options);
}
