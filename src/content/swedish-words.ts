/**
 * Finding a banned word in its Swedish (and English) inflections and compounds: "billig" must also
 * catch "billiga", "billigaste" and "superbillig", but "bil" must not catch "billig".
 *
 * Why not a stemmer: Snowball's Swedish stemmer cuts "billig" to "bil" (car), so matching stems
 * would flag every car. Instead the banned word, as written, is the stem, and a word matches when
 * it is that stem with
 * - an inflection ending after it (the list below: plural, definite, comparative, superlative,
 *   participle, genitive s), or
 * - for stems of four letters or more, a compound part around it: another word of at least two
 *   letters before it ("super|billig") and/or of at least three after it ("billig|flyg"). A
 *   hyphenated compound ("super-billig") needs no rule: the hyphen is a word boundary.
 * Stems under four letters match only as whole words with an ending from the list, since short
 * strings hide inside too many unrelated words ("bil" in "stabil"). The price is a rare false hit
 * where an ending makes another word ("kul" → "kult"), which the editor sees and dismisses.
 * A banned word that ends in an unstressed vowel (köpa, rolig·a) also matches without it, so that
 * "köpa" catches "köper" and "köpt".
 * A phrase of several words matches word by word with any spacing; only its last word inflects.
 */
import { escapeRegExp } from './text-patterns.js';

/**
 * Swedish inflection endings (longest first, so the regex prefers them), plus the English ones that
 * matter for banned words (s, es, ed, ing, er, est, ly).
 */
const INFLECTION_ENDINGS = [
  'arnas',
  'ernas',
  'ornas',
  'arna',
  'erna',
  'orna',
  'andes',
  'ande',
  'ende',
  'aste',
  'este',
  'ares',
  'ast',
  'are',
  'ade',
  'ing',
  'est',
  'ens',
  'ets',
  'nas',
  'ans',
  'ar',
  'er',
  'or',
  'en',
  'et',
  'na',
  'ne',
  'ad',
  'at',
  'de',
  'te',
  'da',
  'ta',
  'dd',
  'tt',
  'es',
  'ed',
  'ly',
  'a',
  'e',
  'n',
  't',
  's',
];
const ENDINGS = INFLECTION_ENDINGS.join('|');
const MINIMUM_COMPOUND_STEM = 4;

export interface BannedWordRule {
  word: string;
  instead?: string | undefined;
}

export interface BannedWordMatch {
  /** The rule's word, as the profile states it. */
  word: string;
  instead?: string | undefined;
  /** What the text says ("Superbilliga"). */
  found: string;
  start: number;
  end: number;
}

function stemsOf(word: string): string[] {
  const lower = word.toLocaleLowerCase('sv');
  // "köpa" → also "köp": an unstressed final vowel drops in most inflections.
  return /[^aeiouyåäö][ae]$/u.test(lower) && lower.length > 3 ? [lower, lower.slice(0, -1)] : [lower];
}

const patternCache = new Map<string, RegExp>();

/** The regex of one banned word or phrase; cached, since profiles are checked again and again. */
export function bannedWordPattern(word: string): RegExp {
  const cached = patternCache.get(word);
  if (cached) return new RegExp(cached.source, cached.flags);
  const parts = word.trim().split(/\s+/u);
  const last = parts.pop() ?? '';
  const leading = parts.map((part) => escapeRegExp(part.toLocaleLowerCase('sv'))).join('\\s+');
  const stems = stemsOf(last).map(escapeRegExp);
  const stemAlternation = `(?:${stems.join('|')})`;
  let lastPattern: string;
  if (parts.length === 0 && last.length >= MINIMUM_COMPOUND_STEM) {
    // Compound parts around the stem, or an ending after it.
    lastPattern = `(?:\\p{L}{2,})?${stemAlternation}(?:${ENDINGS}|\\p{L}{3,})?`;
  } else {
    lastPattern = `${stemAlternation}(?:${ENDINGS})?`;
  }
  const body = leading ? `${leading}\\s+${lastPattern}` : lastPattern;
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])${body}(?![\\p{L}\\p{N}])`, 'giu');
  patternCache.set(word, pattern);
  return new RegExp(pattern.source, pattern.flags);
}

/** Every occurrence of every banned word in the text, in the order they appear. */
export function findBannedWords(text: string, rules: readonly BannedWordRule[]): BannedWordMatch[] {
  const matches: BannedWordMatch[] = [];
  for (const rule of rules) {
    for (const match of text.matchAll(bannedWordPattern(rule.word))) {
      matches.push({
        word: rule.word,
        ...(rule.instead ? { instead: rule.instead } : {}),
        found: match[0],
        start: match.index,
        end: match.index + match[0].length,
      });
    }
  }
  return matches.sort((a, b) => a.start - b.start);
}
