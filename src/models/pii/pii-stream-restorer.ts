/**
 * Restores placeholders in an answer that arrives in pieces. A placeholder can be cut anywhere
 * (`[PERSON` + `NUMMER_1]`), so the end of each piece that could still grow into a known
 * placeholder is held back until the next piece decides it; everything else passes at once, so
 * the stream keeps its pace.
 */
import { replacePlaceholders, type ReplacePlaceholdersOptions } from './placeholders.js';

export class PiiStreamRestorer {
  readonly #originalsByPlaceholder: ReadonlyMap<string, string>;
  readonly #options: ReplacePlaceholdersOptions;
  #pending = '';

  /**
   * @param originalsByPlaceholder the request's mapping (`PiiSession.originalsByPlaceholder()`).
   * @param options `json: true` for tool-call input, which is JSON text.
   */
  constructor(originalsByPlaceholder: ReadonlyMap<string, string>, options: ReplacePlaceholdersOptions = {}) {
    this.#originalsByPlaceholder = originalsByPlaceholder;
    this.#options = options;
  }

  /** Takes the next piece and returns what can be shown now, with its placeholders restored. */
  push(delta: string): string {
    const text = this.#pending + delta;
    // A placeholder holds exactly one '[', at its start: only the text from the last '[' can be
    // the beginning of one.
    const lastOpening = text.lastIndexOf('[');
    if (lastOpening !== -1 && this.#couldGrowIntoPlaceholder(text.slice(lastOpening))) {
      this.#pending = text.slice(lastOpening);
      return replacePlaceholders(text.slice(0, lastOpening), this.#originalsByPlaceholder, this.#options);
    }
    this.#pending = '';
    return replacePlaceholders(text, this.#originalsByPlaceholder, this.#options);
  }

  /** Returns whatever is still held back, at the end of the text. */
  flush(): string {
    const text = this.#pending;
    this.#pending = '';
    return replacePlaceholders(text, this.#originalsByPlaceholder, this.#options);
  }

  /** True while text is held back. */
  get holding(): boolean {
    return this.#pending !== '';
  }

  #couldGrowIntoPlaceholder(tail: string): boolean {
    for (const placeholder of this.#originalsByPlaceholder.keys()) {
      if (placeholder.length > tail.length && placeholder.startsWith(tail)) return true;
    }
    return false;
  }
}
