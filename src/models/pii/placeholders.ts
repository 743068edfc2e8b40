/**
 * The placeholder format shared by redaction and restoration: `[LABEL_N]`, upper-case label,
 * counter from 1. Square brackets and upper case survive every tokenizer and chat template we
 * know of, and models copy such tokens verbatim far more reliably than they copy a number.
 */
import type { PiiKind } from './detect-pii.js';

/** The label each kind gets in its placeholder. Swedish terms stay Swedish: they have no exact English twin. */
export const PLACEHOLDER_LABELS: Readonly<Record<PiiKind, string>> = {
  personnummer: 'PERSONNUMMER',
  samordningsnummer: 'SAMORDNINGSNUMMER',
  organisationsnummer: 'ORGANISATIONSNUMMER',
  email: 'EMAIL',
  phone: 'PHONE',
  iban: 'IBAN',
  bankgiro: 'BANKGIRO',
  card: 'CARD',
};

/** Matches anything shaped like a placeholder, whether or not this request issued it. */
export const PLACEHOLDER_PATTERN = /\[[A-Z]+_\d+\]/g;

export interface ReplacePlaceholdersOptions {
  /**
   * The text is JSON (a tool call's input, a JSON-mode answer): originals are escaped as the
   * inside of a JSON string, so that restoring can never break the document.
   */
  json?: boolean;
}

/** Puts the originals back for the placeholders the map knows; any other bracketed text is left as it is. */
export function replacePlaceholders(
  text: string,
  originalsByPlaceholder: ReadonlyMap<string, string>,
  options: ReplacePlaceholdersOptions = {},
): string {
  if (originalsByPlaceholder.size === 0 || !text.includes('[')) return text;
  return text.replace(PLACEHOLDER_PATTERN, (placeholder) => {
    const original = originalsByPlaceholder.get(placeholder);
    if (original === undefined) return placeholder;
    return options.json ? JSON.stringify(original).slice(1, -1) : original;
  });
}
