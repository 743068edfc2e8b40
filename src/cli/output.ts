/** How the CLI talks to a person: one language, chosen once, and errors as one sentence. */
import type { Locale, LocalizedText } from '../errors.js';
import { toPolettError } from '../errors.js';

/** The CLI's language: POLETT_LOCALE, else the system's LANG when it is Swedish, else English. */
export function cliLocale(env: NodeJS.ProcessEnv = process.env): Locale {
  const chosen = env.POLETT_LOCALE ?? env.LC_ALL ?? env.LANG ?? '';
  return chosen.toLowerCase().startsWith('sv') ? 'sv' : 'en';
}

export function say(text: LocalizedText, locale: Locale = cliLocale()): string {
  return text[locale];
}

/** Prints any error as Polett's one sentence and sets a failing exit code; the stack only with POLETT_DEBUG. */
export function reportError(error: unknown, locale: Locale = cliLocale()): void {
  const polettError = toPolettError(error);
  process.stderr.write(`${polettError.messageIn(locale)}\n`);
  if (process.env.POLETT_DEBUG) console.error(error);
  process.exitCode = 1;
}
