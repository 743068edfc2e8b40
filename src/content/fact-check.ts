/**
 * Which sentences state a fact, and whether a retrieved passage supports each one. Deterministic,
 * so that the editor can trust the flag and see why it was raised:
 *
 * 1. A sentence states a fact when it holds a number (a price, an amount, a percentage, a year), a
 *    date (a month or weekday name), a claim word (best, only, first, guaranteed, certified,
 *    organic… in Swedish and English), or a proper name in the middle of the sentence.
 * 2. Those pieces are its fact terms. Numbers are compared as values ("1 299 kr" and "1299" are one
 *    number; "2,5" and "2.5" too); words by their first five letters, so that Swedish inflection
 *    ("garanti" / "garantin", "ekologisk" / "ekologiska") does not break the match.
 * 3. The sentence is supported when one passage holds every fact term. One passage, not the union
 *    of all: a price from one document next to a product from another is exactly the kind of
 *    invented fact the editor must see. The missing terms are listed in the finding.
 * The brand's own name and its required phrases are not fact terms: the brand stands behind them.
 */
import type { Passage } from '../knowledge/search-contract.js';
import { splitSentences, type SentenceSpan } from './text-patterns.js';

const CLAIM_WORDS = [
  // Swedish superlatives and claims (the stems; matched by prefix).
  'bäst',
  'störst',
  'billigast',
  'snabbast',
  'först',
  'enda',
  'ledande',
  'marknadsledande',
  'garanti',
  'garanterat',
  'certifierad',
  'ekologisk',
  'prisbelönt',
  'vinnare',
  'miljövänlig',
  'klimatneutral',
  'svensktillverkad',
  'handgjord',
  'patenterad',
  'rekord',
  'nummer',
  // English.
  'best',
  'largest',
  'biggest',
  'cheapest',
  'fastest',
  'first',
  'only',
  'leading',
  'guarantee',
  'certified',
  'organic',
  'award',
  'winning',
  'climate',
  'patented',
  'record',
  'handmade',
];
/**
 * Months as written, or with a genitive s ("majs" is rare, "mars" must not catch "marsipan"). The
 * English "may" and "march" are left out: as verbs they would flag half of all English sentences,
 * and as months in mid-sentence their capital makes them names anyway.
 */
const MONTHS = [
  'januari',
  'februari',
  'mars',
  'april',
  'maj',
  'juni',
  'juli',
  'augusti',
  'september',
  'oktober',
  'november',
  'december',
  'january',
  'february',
  'april',
  'june',
  'july',
  'august',
  'october',
];
/** Weekdays inflect ("söndagar", "fredagens"), so they match by prefix. */
const WEEKDAYS = [
  'måndag',
  'tisdag',
  'onsdag',
  'torsdag',
  'fredag',
  'lördag',
  'söndag',
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
];
const PREFIX_LENGTH = 5;

/** Numbers as values: "1 299" → "1299", "2,5" → "2.5"; a thousands space needs three digits after it. */
function numbersIn(text: string): string[] {
  return [...text.matchAll(/\d{1,3}(?:[  ]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?/g)].map((match) =>
    String(Number(match[0].replace(/[  ]/g, '').replace(',', '.'))),
  );
}

function wordsIn(text: string): string[] {
  return [...text.matchAll(/\p{L}[\p{L}\p{N}-]*/gu)].map((match) => match[0]);
}

const prefixOf = (word: string) => word.toLocaleLowerCase('sv').slice(0, PREFIX_LENGTH);

export interface FactTerms {
  numbers: string[];
  words: string[];
}

/** The fact terms of one sentence; empty when it states no fact. */
export function factTermsOf(sentence: string, ownText = ''): FactTerms {
  const brandWords = new Set(wordsIn(ownText).map(prefixOf));
  const numbers = numbersIn(sentence);
  const words = new Set<string>();
  wordsIn(sentence).forEach((word, index) => {
    const lower = word.toLocaleLowerCase('sv');
    if (brandWords.has(prefixOf(word))) return;
    if (
      MONTHS.some((month) => lower === month || lower === `${month}s`) ||
      WEEKDAYS.some((day) => lower.startsWith(day) && lower.length <= day.length + 4)
    )
      words.add(lower);
    else if (CLAIM_WORDS.some((claim) => lower.startsWith(claim) && lower.length <= claim.length + 4))
      words.add(lower);
    // A capital in the middle of a sentence is a name (a product, a place, a certification).
    else if (index > 0 && /^\p{Lu}/u.test(word) && word.length > 1) words.add(lower);
  });
  return { numbers, words: [...words] };
}

export interface SentenceSupport {
  sentence: SentenceSpan;
  terms: FactTerms;
  /** The passage that holds every term, when one does. */
  supportedBy?: Passage;
  /** The terms the closest passage lacks (all of them without passages). */
  missing: string[];
}

/**
 * Every fact-stating sentence of the text, with the passage that supports it or what is missing.
 * `ownText` is the brand's name and required phrases, whose words are never fact terms.
 */
export function checkFacts(
  text: string,
  passages: readonly Passage[],
  options: { ownText?: string; language?: 'sv' | 'en' } = {},
): SentenceSupport[] {
  const indexed = passages.map((passage) => ({
    passage,
    numbers: new Set(numbersIn(passage.text)),
    prefixes: new Set(wordsIn(`${passage.title} ${passage.text}`).map(prefixOf)),
  }));
  const results: SentenceSupport[] = [];
  for (const sentence of splitSentences(text, options.language)) {
    const terms = factTermsOf(sentence.text, options.ownText);
    const all = [...terms.numbers, ...terms.words];
    if (all.length === 0) continue;
    let best: { passage: Passage; missing: string[] } | undefined;
    for (const candidate of indexed) {
      const missing = [
        ...terms.numbers.filter((number) => !candidate.numbers.has(number)),
        ...terms.words.filter((word) => !candidate.prefixes.has(prefixOf(word))),
      ];
      if (!best || missing.length < best.missing.length) best = { passage: candidate.passage, missing };
      if (missing.length === 0) break;
    }
    results.push({
      sentence,
      terms,
      ...(best && best.missing.length === 0 ? { supportedBy: best.passage } : {}),
      missing: best ? best.missing : all,
    });
  }
  return results;
}
