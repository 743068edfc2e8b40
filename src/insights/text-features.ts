/**
 * What the tier-1 classifier sees in a text. Beyond the words it knows some Swedish: Snowball
 * stems (so "leveransen" and "leveranser" are one word), negation scope ("inte bra", "inget
 * vidare", "aldrig igen" turn the following words around until punctuation or "men"), intensifiers
 * and dampeners ("mycket", "jättebra", "ganska"), emojis and emoticons with their lean, repeated
 * punctuation ("!!!"), capitals and stretched words ("braaaa"), and character n-grams inside words
 * that catch the parts of compounds ("leveranstid", "kundtjänstpersonalen") and misspellings.
 * The lexicon's leanings are features too: their weights are learnt from the labels, so the same
 * features serve sentiment and any other label set.
 */
import { stemmer as swedishStemmer } from '@orama/stemmers/swedish';
import {
  DAMPENERS,
  EMOTICONS,
  emojiScore,
  INTENSIFIERS,
  INTENSIFYING_PREFIXES,
  NEGATORS,
  SCOPE_ENDERS,
  wordScore,
} from './sentiment-lexicon.js';
import { countingSink, type FeatureCounts, type FeatureSink } from './tfidf-vectorizer.js';

/** How many words after a negator it governs, unless punctuation or a conjunction ends it first. */
const NEGATION_SCOPE_WORDS = 3;
/** Words after which the rest of the sentence usually carries the verdict: "bra mat men dålig service". */
const CONTRASTS = new Set(['men', 'dock', 'tyvärr', 'fast', 'but', 'however', 'unfortunately']);
const CHARACTER_NGRAM_SIZES = [3, 4, 5] as const;

const URL_PATTERN = /\b(?:https?:\/\/|www\.)\S+/giu;
const MENTION_PATTERN = /(^|\s)@[\p{L}\p{N}_]+/gu;
const EMOJI_PATTERN = /\p{Extended_Pictographic}/gu;
/** Words (letters and digits, joined by inner hyphens or apostrophes) and the punctuation between them. */
const TOKEN_PATTERN = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*|[.!?;:,()]+/gu;
const STRETCHED_PATTERN = /(\p{L})\1{2,}/gu;
/** The characters that every pattern of EMOTICONS needs (see sentiment-lexicon.ts). */
const EMOTICON_CHARACTERS = /[:;=8xX<]/;

const stemCache = new Map<string, string>();
const STEM_CACHE_LIMIT = 200_000;

/** Snowball stem of a lower-case Swedish word, cached: stemming is the costliest step per word. */
export function stemSwedish(word: string): string {
  let stem = stemCache.get(word);
  if (stem === undefined) {
    stem = swedishStemmer(word);
    if (stemCache.size >= STEM_CACHE_LIMIT) stemCache.clear();
    stemCache.set(word, stem);
  }
  return stem;
}

function add(features: FeatureSink, name: string, count = 1): void {
  features.add(name, count);
}

/** The intensifying prefix of a compound such as "jättebra", and the rest, when the rest is a word. */
function splitIntensifyingPrefix(word: string): string | undefined {
  for (const prefix of INTENSIFYING_PREFIXES)
    if (word.length >= prefix.length + 3 && word.startsWith(prefix)) return word.slice(prefix.length);
  return undefined;
}

/**
 * What a word is, whatever text it stands in: its normalised form, its stem, what the lexicon
 * says of it, and the classifier's feature names for it. Words repeat from text to text, so
 * these are worked out once per word (about ten map lookups and a few new strings each) and
 * remembered; the feature names are then the same string objects every time, whose hashes the
 * vectorizer's map has already computed.
 */
interface WordFacts {
  /** The token with ’ as ' and stretched letters ("braaaa") shortened. */
  word: string;
  stretched: boolean;
  kind: 'negator' | 'intensifier' | 'dampener' | 'plain';
  /** A negator's form without apostrophes, an intensifier's or dampener's word, else the Snowball stem. */
  stem: string;
  negatedStem: string;
  scopeEnder: boolean;
  contrast: boolean;
  /** The lexicon score of a plain word, before negation (the rest's after an intensifying prefix). */
  polarity: number;
  /** A plain word whose intensifying prefix stands before a lexicon word ("jättebra"). */
  intensified: boolean;
  /** Whether the word itself (not its compact form) is a negator, as the classifier asks. */
  negatorWord: boolean;
  wordFeature: string;
  negatedWordFeature: string;
  /** The rest after an intensifying prefix, as a word feature, plain and negated. */
  baseFeature: string | undefined;
  negatedBaseFeature: string | undefined;
}

const wordFactsCache = new Map<string, WordFacts>();
const WORD_FACTS_CACHE_LIMIT = 50_000;

/** The facts of a lower-case token, worked out on first sight and remembered (a few tens of MB at most). */
function wordFacts(token: string): WordFacts {
  let facts = wordFactsCache.get(token);
  if (facts !== undefined) return facts;
  let word = token.includes('’') ? token.replace(/’/g, "'") : token;
  const stretched = STRETCHED_PATTERN.test(word);
  STRETCHED_PATTERN.lastIndex = 0;
  if (stretched) word = word.replace(STRETCHED_PATTERN, '$1');
  const compact = word.includes("'") ? word.replace(/'/g, '') : word;
  const kind = NEGATORS.has(compact)
    ? 'negator'
    : INTENSIFIERS.has(word)
      ? 'intensifier'
      : DAMPENERS.has(word)
        ? 'dampener'
        : 'plain';
  const stem = kind === 'negator' ? compact : kind === 'plain' ? stemSwedish(word) : word;
  let polarity = 0;
  let intensified = false;
  const base = splitIntensifyingPrefix(word);
  const baseStem = base === undefined ? undefined : stemSwedish(base);
  if (kind === 'plain') {
    polarity = wordScore(word, stem);
    if (base !== undefined) {
      const basePolarity = wordScore(base, baseStem!);
      if (basePolarity !== 0) {
        polarity ||= basePolarity;
        intensified = true;
      }
    }
  }
  facts = {
    word,
    stretched,
    kind,
    stem,
    negatedStem: `¬${stem}`,
    scopeEnder: SCOPE_ENDERS.has(word),
    contrast: CONTRASTS.has(word),
    polarity,
    intensified,
    negatorWord: NEGATORS.has(word),
    wordFeature: `w:${stem}`,
    negatedWordFeature: `w:¬${stem}`,
    baseFeature: baseStem === undefined ? undefined : `w:${baseStem}`,
    negatedBaseFeature: baseStem === undefined ? undefined : `w:¬${baseStem}`,
  };
  if (wordFactsCache.size >= WORD_FACTS_CACHE_LIMIT) wordFactsCache.clear();
  wordFactsCache.set(token, facts);
  return facts;
}

/** One analysed word of a text, for the lexicon scorer and the classifier alike. */
export interface AnalysedWord {
  word: string;
  stem: string;
  negated: boolean;
  /** 1 normally, more after an intensifier, less after a dampener. */
  emphasis: number;
  /** Whether the word follows a "men", "dock", "but" in its sentence: that clause usually carries the verdict. */
  afterContrast: boolean;
  /** Index of the sentence the word is in, from 0. */
  sentence: number;
  /** Lexicon score with negation applied, -5 to 5; 0 for words the lexicon does not know. */
  polarity: number;
}

export interface AnalysedText {
  words: AnalysedWord[];
  emojis: string[];
  emojiPolarities: number[];
  emoticonPolarities: number[];
  exclamations: number;
  questions: number;
  capitalisedWords: number;
  stretchedWords: number;
  /** The lower-cased text with URLs, mentions, emojis and emoticons taken out: for character n-grams. */
  plainWords: string[];
}

/** Splits a text into analysed words and signals. Pure and cheap: a few microseconds per review. */
export function analyseText(text: string): AnalysedText {
  return analyseWithFacts(text).analysed;
}

/** `analyseText`, with each word's facts beside it (`facts[i]` of `words[i]`) for the classifier. */
function analyseWithFacts(text: string): { analysed: AnalysedText; facts: WordFacts[] } {
  let rest = text.normalize('NFC').replace(URL_PATTERN, ' ').replace(MENTION_PATTERN, '$1 ');
  const emoticonPolarities: number[] = [];
  // Every emoticon has one of these characters: most texts have none, and skip five passes.
  if (EMOTICON_CHARACTERS.test(rest))
    for (const { pattern, polarity } of EMOTICONS) {
      rest = rest.replace(pattern, () => {
        emoticonPolarities.push(polarity);
        return ' ';
      });
    }
  const emojis: string[] = [];
  const emojiPolarities: number[] = [];
  rest = rest.replace(EMOJI_PATTERN, (emoji) => {
    emojis.push(emoji);
    emojiPolarities.push(emojiScore(emoji));
    return ' ';
  });
  const capitalisedWords = rest.match(/\b\p{Lu}{3,}\b/gu)?.length ?? 0;
  const lower = rest.toLowerCase();
  const exclamations = lower.match(/!/g)?.length ?? 0;
  const questions = lower.match(/\?/g)?.length ?? 0;

  const words: AnalysedWord[] = [];
  const wordsFacts: WordFacts[] = [];
  const plainWords: string[] = [];
  let stretchedWords = 0;
  let negationLeft = 0;
  let emphasis = 1;
  let afterContrast = false;
  let sentence = 0;
  for (const match of lower.matchAll(TOKEN_PATTERN)) {
    const token = match[0];
    const first = token.charCodeAt(0);
    // Punctuation ends a negation's scope and an intensifier's reach.
    if (first < 128 && /[.!?;:,()]/.test(token[0]!)) {
      negationLeft = 0;
      emphasis = 1;
      if (/[.!?]/.test(token)) {
        afterContrast = false;
        sentence += 1;
      }
      continue;
    }
    const facts = wordFacts(token);
    const { word } = facts;
    if (facts.stretched) stretchedWords += 1;
    plainWords.push(word);
    if (facts.kind === 'negator') {
      wordsFacts.push(facts);
      words.push({
        word,
        stem: facts.stem,
        negated: negationLeft > 0,
        emphasis: 1,
        polarity: 0,
        afterContrast,
        sentence,
      });
      negationLeft = NEGATION_SCOPE_WORDS;
      continue;
    }
    if (facts.scopeEnder) negationLeft = 0;
    if (facts.contrast) afterContrast = true;
    if (facts.kind === 'intensifier' || facts.kind === 'dampener') {
      wordsFacts.push(facts);
      words.push({
        word,
        stem: facts.stem,
        negated: negationLeft > 0,
        emphasis: 1,
        polarity: 0,
        afterContrast,
        sentence,
      });
      emphasis = facts.kind === 'intensifier' ? 2 : 0.5;
      continue;
    }
    const negated = negationLeft > 0;
    // A negator that is itself a lexicon word ("ingen", "aldrig") carries no lean of its own here.
    wordsFacts.push(facts);
    words.push({
      word,
      stem: facts.stem,
      negated,
      emphasis: facts.intensified ? 2 : emphasis,
      polarity: negated ? -facts.polarity : facts.polarity,
      afterContrast,
      sentence,
    });
    if (negationLeft > 0) negationLeft -= 1;
    emphasis = 1;
  }
  return {
    analysed: {
      words,
      emojis,
      emojiPolarities,
      emoticonPolarities,
      exclamations,
      questions,
      capitalisedWords,
      stretchedWords,
      plainWords,
    },
    facts: wordsFacts,
  };
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * The feature key of one character n-gram: its 32-bit FNV-1a hash, shifted to 31 bits so that V8
 * keeps it a small integer. With a few hundred thousand distinct n-grams, collisions are rare and
 * harmless (two n-grams share a weight).
 */
export function characterNgramKey(ngram: string): number {
  let hash = FNV_OFFSET;
  for (let index = 0; index < ngram.length; index += 1) {
    hash ^= ngram.charCodeAt(index);
    hash = Math.imul(hash, FNV_PRIME);
  }
  return hash >>> 1;
}

/** Adds the 3-, 4- and 5-grams of " word " by hashing incrementally from each start: no strings built. */
function addCharacterNgrams(features: FeatureSink, word: string): void {
  const padded = ` ${word} `;
  const length = padded.length;
  const smallest = CHARACTER_NGRAM_SIZES[0];
  const largest = CHARACTER_NGRAM_SIZES[CHARACTER_NGRAM_SIZES.length - 1]!;
  for (let start = 0; start + smallest <= length; start += 1) {
    let hash = FNV_OFFSET;
    for (let size = 1; size <= largest && start + size <= length; size += 1) {
      hash ^= padded.charCodeAt(start + size - 1);
      hash = Math.imul(hash, FNV_PRIME);
      if (size >= smallest) {
        features.add(hash >>> 1, 1);
      }
    }
  }
}

/** The classifier's features of one text, as a map of counts. */
export function extractFeatures(text: string): FeatureCounts {
  const features: FeatureCounts = new Map();
  collectFeatures(text, countingSink(features));
  return features;
}

/**
 * The classifier's features of one text, handed to a sink one by one: a vectorizer classifying at
 * scale looks each up in its vocabulary at once instead of building a map first.
 */
export function collectFeatures(text: string, features: FeatureSink): void {
  const { analysed, facts: wordsFacts } = analyseWithFacts(text);
  let previous = '<s>';
  const lastSentence = analysed.words.at(-1)?.sentence ?? 0;
  for (let index = 0; index < analysed.words.length; index += 1) {
    const { negated, emphasis, polarity, afterContrast, sentence } = analysed.words[index]!;
    const facts = wordsFacts[index]!;
    const marked = negated ? facts.negatedStem : facts.stem;
    add(features, negated ? facts.negatedWordFeature : facts.wordFeature);
    add(features, `b:${previous}_${marked}`);
    previous = marked;
    if (polarity !== 0) {
      const lean = polarity > 0 ? '+' : '-';
      add(features, `s:lex${lean}`, (emphasis * Math.abs(polarity)) / 2);
      if (negated) add(features, `s:negated${lean}`);
      if (emphasis > 1) add(features, `s:intense${lean}`);
      if (emphasis < 1) add(features, `s:dampened${lean}`);
      if (afterContrast) add(features, `s:contrast${lean}`);
      if (sentence === lastSentence && sentence > 0) add(features, `s:last${lean}`);
    }
    if (facts.negatorWord) add(features, 's:negator');
    const baseFeature = negated ? facts.negatedBaseFeature : facts.baseFeature;
    if (baseFeature !== undefined) add(features, baseFeature);
  }
  for (const emoji of analysed.emojis) add(features, `e:${emoji}`);
  for (const polarity of analysed.emojiPolarities)
    add(features, `s:emoji${polarity > 0 ? '+' : polarity < 0 ? '-' : '0'}`);
  for (const polarity of analysed.emoticonPolarities) add(features, `s:emoticon${polarity > 0 ? '+' : '-'}`);
  if (analysed.exclamations > 0)
    add(features, analysed.exclamations > 1 ? 's:exclamations' : 's:exclamation');
  if (analysed.questions > 0) add(features, 's:question');
  if (analysed.capitalisedWords > 0) add(features, 's:capitals');
  if (analysed.stretchedWords > 0) add(features, 's:stretched');
  for (const word of analysed.plainWords)
    if (features.addKeyed) features.addKeyed(word, addCharacterNgrams);
    else addCharacterNgrams(features, word);
}

/**
 * The baseline's features: lower-cased word tokens of two or more word characters, as
 * scikit-learn's TfidfVectorizer takes them by default.
 */
export function extractBaselineFeatures(text: string): FeatureCounts {
  const features: FeatureCounts = new Map();
  collectBaselineFeatures(text, countingSink(features));
  return features;
}

export function collectBaselineFeatures(text: string, features: FeatureSink): void {
  for (const match of text.toLowerCase().matchAll(/[\p{L}\p{N}_]{2,}/gu)) add(features, `w:${match[0]}`);
}
