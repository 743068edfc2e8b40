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
  let rest = text.normalize('NFC').replace(URL_PATTERN, ' ').replace(MENTION_PATTERN, '$1 ');
  const emoticonPolarities: number[] = [];
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
    let word = token.replace(/’/g, "'");
    if (STRETCHED_PATTERN.test(word)) {
      stretchedWords += 1;
      word = word.replace(STRETCHED_PATTERN, '$1');
    }
    STRETCHED_PATTERN.lastIndex = 0;
    plainWords.push(word);
    const compact = word.replace(/'/g, '');
    if (NEGATORS.has(compact)) {
      words.push({
        word,
        stem: compact,
        negated: negationLeft > 0,
        emphasis: 1,
        polarity: 0,
        afterContrast,
        sentence,
      });
      negationLeft = NEGATION_SCOPE_WORDS;
      continue;
    }
    if (SCOPE_ENDERS.has(word)) negationLeft = 0;
    if (CONTRASTS.has(word)) afterContrast = true;
    if (INTENSIFIERS.has(word)) {
      words.push({
        word,
        stem: word,
        negated: negationLeft > 0,
        emphasis: 1,
        polarity: 0,
        afterContrast,
        sentence,
      });
      emphasis = 2;
      continue;
    }
    if (DAMPENERS.has(word)) {
      words.push({
        word,
        stem: word,
        negated: negationLeft > 0,
        emphasis: 1,
        polarity: 0,
        afterContrast,
        sentence,
      });
      emphasis = 0.5;
      continue;
    }
    const stem = stemSwedish(word);
    let polarity = wordScore(word, stem);
    let wordEmphasis = emphasis;
    const base = splitIntensifyingPrefix(word);
    if (base !== undefined) {
      const basePolarity = wordScore(base, stemSwedish(base));
      if (basePolarity !== 0) {
        polarity ||= basePolarity;
        wordEmphasis = 2;
      }
    }
    const negated = negationLeft > 0;
    // A negator that is itself a lexicon word ("ingen", "aldrig") carries no lean of its own here.
    words.push({
      word,
      stem,
      negated,
      emphasis: wordEmphasis,
      polarity: negated ? -polarity : polarity,
      afterContrast,
      sentence,
    });
    if (negationLeft > 0) negationLeft -= 1;
    emphasis = 1;
  }
  return {
    words,
    emojis,
    emojiPolarities,
    emoticonPolarities,
    exclamations,
    questions,
    capitalisedWords,
    stretchedWords,
    plainWords,
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
  const analysed = analyseText(text);
  let previous = '<s>';
  const lastSentence = analysed.words.at(-1)?.sentence ?? 0;
  for (const { word, stem, negated, emphasis, polarity, afterContrast, sentence } of analysed.words) {
    const marked = negated ? `¬${stem}` : stem;
    add(features, `w:${marked}`);
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
    if (NEGATORS.has(word)) add(features, 's:negator');
    const base = splitIntensifyingPrefix(word);
    if (base !== undefined) add(features, `w:${negated ? '¬' : ''}${stemSwedish(base)}`);
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
  for (const word of analysed.plainWords) addCharacterNgrams(features, word);
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
