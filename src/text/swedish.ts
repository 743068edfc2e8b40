/**
 * Swedish text analysis for search and text statistics: words with their positions, folding as a
 * Swedish reader expects (case away, é → e, but å, ä and ö are letters of their own), Snowball
 * stemming, and compound splitting ("kundtjänsten" → kund + tjänst) from Swedish morphology: a
 * vocabulary of known words (the hunspell dictionary of `dictionary-sv` by default) and the
 * linking sounds Swedish puts between the parts of a compound (-s-, -e-, -a-, -u-, -o-, or a
 * dropped final vowel, as in skol|gård from skola).
 *
 * Pure functions over plain strings; the only state is the vocabulary a splitter is built with.
 */
import { stemmer } from '@orama/stemmers/swedish';

/** One word of a text, where it stands, and its folded form. */
export interface SwedishWord {
  /** As written in the text. */
  surface: string;
  /** Lower-cased and folded (`Café` → `cafe`, `Åsa` → `åsa`). */
  folded: string;
  /** Offsets in the original text (UTF-16 code units), end exclusive. */
  start: number;
  end: number;
}

/** Letters a Swedish reader reads as the same letter; å, ä and ö stay as they are. */
const LETTER_EQUIVALENTS: Record<string, string> = { æ: 'ä', ø: 'ö', ß: 'ss' };

/**
 * Case and diacritics as a Swedish reader expects: lower case; accents that Swedish treats as
 * decoration removed (é → e, ü → u, à → a); å, ä and ö kept, since they are letters of their own
 * (får, fär and för are three different words); Danish and Norwegian æ/ø read as ä/ö.
 */
export function foldSwedish(text: string): string {
  const lower = text.toLowerCase();
  // Fast path: plain ASCII and the Swedish letters need no decomposition.
  if (/^[\p{ASCII}åäö]*$/u.test(lower)) return lower;
  // Only the other characters are looked at, one code point at a time: a passage with one "é" or
  // "–" in it is not decomposed character by character.
  return lower.replace(/[^\p{ASCII}åäö]/gu, foldCharacter);
}

function foldCharacter(character: string): string {
  return LETTER_EQUIVALENTS[character] ?? character.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
}

const WORD_PATTERN = /[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu;

/** The words of a text (letters and digits; hyphens, slashes and punctuation separate words). */
export function swedishWords(text: string): SwedishWord[] {
  const words: SwedishWord[] = [];
  for (const match of text.matchAll(WORD_PATTERN)) {
    const surface = match[0];
    const start = match.index;
    words.push({ surface, folded: foldSwedish(surface), start, end: start + surface.length });
  }
  return words;
}

/**
 * The folded words of a text (`swedishWords(text).map((word) => word.folded)` without the
 * positions): what indexing needs, for the stems and the grams alike, computed once per text.
 */
export function foldedWords(text: string): string[] {
  const words: string[] = [];
  for (const match of text.matchAll(WORD_PATTERN)) words.push(foldSwedish(match[0]));
  return words;
}

/**
 * `characterGrams` of words already folded: the same grams, and when the text has no character
 * outside the BMP (nearly always), cut from one string instead of an array of characters, which
 * makes indexing's most numerous terms cheap.
 */
export function characterGramsOfFoldedWords(words: readonly string[], size = 4): string[] {
  if (words.length === 0) return [];
  const joined = `_${words.join('_')}_`;
  if (/[\uD800-\uDFFF]/.test(joined)) {
    const characters = [...joined];
    if (characters.length <= size) return [joined];
    const grams: string[] = [];
    for (let start = 0; start + size <= characters.length; start += 1)
      grams.push(characters.slice(start, start + size).join(''));
    return grams;
  }
  if (joined.length <= size) return [joined];
  const grams = new Array<string>(joined.length - size + 1);
  for (let start = 0; start + size <= joined.length; start += 1)
    grams[start] = joined.slice(start, start + size);
  return grams;
}

/**
 * Character n-grams of a text's folded words, spanning the spaces between them (`_` marks a word
 * boundary): "kundtjänst" and "kund tjänst" share most of theirs, as do spelling variants and
 * derivations. For Swedish, a compounding language, 4-grams over the running text retrieve
 * better than words (McNamee & Mayfield, "Character N-Gram Tokenization for European Language
 * Text Retrieval", Information Retrieval 7, 2004).
 */
export function characterGrams(text: string, size = 4): string[] {
  const words = swedishWords(text).map((word) => word.folded);
  if (words.length === 0) return [];
  // By code point, so that no gram is cut inside a character outside the BMP.
  const characters = [...`_${words.join('_')}_`];
  if (characters.length <= size) return [characters.join('')];
  const grams: string[] = [];
  for (let start = 0; start + size <= characters.length; start += 1)
    grams.push(characters.slice(start, start + size).join(''));
  return grams;
}

/**
 * The Snowball Swedish stem of a folded word (`tjänsterna` → `tjänst`). Snowball leaves some
 * inflected forms apart (`insatsen` → `insats`, `insats` → `insat`): `SwedishAnalyzer` with a
 * lexicon stems the base form instead, which brings them together.
 */
export function stemSwedish(folded: string): string {
  // Numbers and very short words have nothing to strip; the stemmer would only mangle codes.
  if (folded.length < 3 || /\d/.test(folded)) return folded;
  return stemmer(folded);
}

/** The linking sounds between compound parts: arbet|s|givare, pojk|e|vän, gat|u|hörn. */
const LINKING_SOUNDS = ['s', 'e', 'a', 'u', 'o'];
/** Final vowels the first part may drop: skol(a)|gård, pojk(e)|vän, kyrk(a)|gård. */
const DROPPED_VOWELS = ['a', 'e', 'o'];
/**
 * Inflection endings of Swedish nouns, adjectives and verbs, longest first; Snowball leaves some
 * definite forms alone (`kassan`, `barnet`, `policyn`), so the lexicon finds their base form.
 */
const INFLECTIONS = [
  'arnas',
  'ernas',
  'ornas',
  'arna',
  'erna',
  'orna',
  'ens',
  'ets',
  'ans',
  'ats',
  'ade',
  'are',
  'ar',
  'er',
  'or',
  'en',
  'et',
  'na',
  'ns',
  'ts',
  'n',
  't',
  's',
  'a',
  'e',
];

/**
 * Derivational endings that make a new word of a known one (vaccin → vaccinera, vaccinering,
 * vaccination; sprida → spridning; frihet, vänskap, vänlig), longest first. A word that is a known
 * word plus one of them is a derivation, not a compound ("vaccinering" is not vaccin + ring), and
 * is also found by its root.
 */
const DERIVATIONS = [
  'iseringen',
  'isering',
  'eringen',
  'ationen',
  'ering',
  'ation',
  'erades',
  'erade',
  'erats',
  'erad',
  'erat',
  'erar',
  'eras',
  'era',
  'ningen',
  'ningar',
  'ning',
  'ingen',
  'ingar',
  'ing',
  'else',
  'heten',
  'het',
  'skapet',
  'skap',
  'ligt',
  'liga',
  'lig',
  'iskt',
  'iska',
  'isk',
];

export interface SwedishLexiconOptions {
  /** Shortest part accepted; shorter parts ("in", "på") make too many false splits. */
  minimumPartLength?: number;
  /** Shortest part accepted in a word that is itself in the vocabulary (`ansvar` is not ans + var). */
  minimumPartLengthOfKnownWord?: number;
  /** Shortest word that is tried at all. */
  minimumWordLength?: number;
  /** Most parts in one word. */
  maximumParts?: number;
  /** Function words, which are never a part of a compound (genomföra is not genom + för). */
  functionWords?: ReadonlySet<string>;
}

/**
 * Swedish words by a vocabulary of known words: the base form of an inflected word, the root of a
 * derivation, and the parts of a compound. A split is accepted only when every part is a known
 * word (after a linking sound or a dropped final vowel for the parts before the last, and after
 * its inflection for the last), so a word is split by what Swedish words are, not by any list of
 * compounds. Among the possible splits the one with fewest parts wins, then the one whose
 * shortest part is longest.
 */
export class SwedishLexicon {
  private readonly options: Required<Omit<SwedishLexiconOptions, 'functionWords'>>;
  private readonly functionWords: ReadonlySet<string>;
  private readonly cache = new Map<string, string[] | null>();

  /** @param words known words, folded, in their base forms (and compound-initial forms such as `arbets`). */
  constructor(
    private readonly words: ReadonlySet<string>,
    options: SwedishLexiconOptions = {},
  ) {
    this.options = {
      minimumPartLength: 3,
      minimumPartLengthOfKnownWord: 4,
      minimumWordLength: 6,
      maximumParts: 4,
      ...options,
    };
    this.functionWords = options.functionWords ?? new Set();
  }

  has(folded: string): boolean {
    return this.words.has(folded);
  }

  /** Whether the word is a function word (och, i, på, att …). */
  isFunctionWord(folded: string): boolean {
    return this.functionWords.has(folded);
  }

  /** The word's base form when the vocabulary knows it (`kassan` → `kassa`), else the word itself. */
  baseForm(folded: string): string {
    if (this.functionWords.has(folded)) return folded;
    return this.knownBase(folded, 3) ?? folded;
  }

  private knownBase(folded: string, minimumLength: number): string | undefined {
    if (this.words.has(folded)) return folded;
    for (const ending of INFLECTIONS) {
      if (folded.length - ending.length < minimumLength || !folded.endsWith(ending)) continue;
      const base = folded.slice(0, -ending.length);
      if (this.words.has(base)) return base;
    }
    return undefined;
  }

  /**
   * The known word a derivation is made from (`vaccinering` → `vaccin`, `spridning` → `sprida`),
   * or undefined when the word is not a known word plus a derivational ending.
   */
  root(folded: string): string | undefined {
    for (const ending of DERIVATIONS) {
      if (!folded.endsWith(ending)) continue;
      const base = folded.slice(0, -ending.length);
      if (base.length < 4 || this.functionWords.has(base)) continue;
      if (this.words.has(base)) return base;
      for (const vowel of DROPPED_VOWELS) if (this.words.has(base + vowel)) return base + vowel;
    }
    return undefined;
  }

  /**
   * The parts of a folded compound in their base forms (`kundtjänsten` → [`kund`, `tjänst`]), or
   * undefined when the word is not a compound of known words (a derivation such as `vaccinering`
   * is not: see `root`).
   */
  split(folded: string): string[] | undefined {
    if (folded.length < this.options.minimumWordLength || /\d/.test(folded)) return undefined;
    const cached = this.cache.get(folded);
    if (cached !== undefined) return cached ?? undefined;
    let result: string[] | undefined;
    if (this.root(folded) === undefined) {
      // A word the vocabulary knows whole is split only into long parts, and never by guessing a
      // dropped vowel: "kontroll" is not kont(o) + roll.
      const known = this.knownBase(folded, 3) !== undefined;
      const parts = this.bestSplit(
        folded,
        this.options.maximumParts,
        known ? this.options.minimumPartLengthOfKnownWord : this.options.minimumPartLength,
        !known,
        new Map(),
      );
      if (parts !== undefined && parts.length > 1) result = parts;
    }
    // Bounded: an index of a million distinct words must not keep them all.
    if (this.cache.size > 200_000) this.cache.clear();
    this.cache.set(folded, result ?? null);
    return result;
  }

  /** The base form of a non-final part, if it is a known word (with a linking sound or dropped vowel). */
  private modifier(part: string, minimum: number, droppedVowels: boolean): string | undefined {
    if (part.length < minimum || this.functionWords.has(part)) return undefined;
    if (this.words.has(part)) return part;
    for (const sound of LINKING_SOUNDS) {
      if (part.endsWith(sound)) {
        const base = part.slice(0, -sound.length);
        if (base.length >= minimum && this.words.has(base) && !this.functionWords.has(base)) return base;
      }
    }
    if (droppedVowels)
      for (const vowel of DROPPED_VOWELS) if (this.words.has(part + vowel)) return part + vowel;
    return undefined;
  }

  /**
   * The best split of the rest of a word: a part that is a known word is kept whole rather than
   * split further; the last part (the head, which carries the meaning) is at least four letters;
   * `memo` keeps the search linear in practice.
   */
  private bestSplit(
    word: string,
    partsLeft: number,
    minimum: number,
    droppedVowels: boolean,
    memo: Map<string, string[] | undefined>,
    top = true,
  ): string[] | undefined {
    const key = `${partsLeft}:${word}`;
    if (memo.has(key)) return memo.get(key);
    const whole =
      !top && word.length >= Math.max(minimum, 4) && !this.functionWords.has(word)
        ? this.knownBase(word, Math.max(minimum, 4))
        : undefined;
    let best: string[] | undefined = whole !== undefined ? [whole] : undefined;
    if (partsLeft > 1 && best === undefined) {
      for (let cut = minimum; cut <= word.length - minimum; cut += 1) {
        const modifier = this.modifier(word.slice(0, cut), minimum, droppedVowels);
        if (modifier === undefined) continue;
        const rest = this.bestSplit(word.slice(cut), partsLeft - 1, minimum, droppedVowels, memo, false);
        if (rest === undefined) continue;
        const candidate = [modifier, ...rest];
        if (best === undefined || score(candidate) > score(best)) best = candidate;
      }
    }
    memo.set(key, best);
    return best;
  }
}

/** Fewer parts first, then a longer shortest part. */
function score(parts: string[]): number {
  return -parts.length * 100 + Math.min(...parts.map((part) => part.length));
}

/** What the analysis of a text gives the index: stems of its words and the parts of its compounds. */
export interface SwedishAnalysis {
  /** One stem per word, in order. */
  stems: string[];
  /** Stems of the parts of every compound and of the root of every derivation, in order. */
  compoundParts: string[];
}

/**
 * A Swedish analyser: words → stems (of their base form when a lexicon knows it), plus compound
 * parts when it has a lexicon. Without one it is plain Snowball.
 */
export class SwedishAnalyzer {
  /**
   * Each word's analysis, remembered: words repeat (Zipf), and the lexicon's look-ups cost more
   * than a map's. Bounded, so that a million distinct words do not stay in memory.
   */
  private readonly memo = new Map<string, { stem: string; related: string[] }>();

  constructor(readonly lexicon?: SwedishLexicon) {}

  /** Whether the word is a function word: searched, but not worth highlighting. */
  isFunctionWord(folded: string): boolean {
    return this.lexicon?.isFunctionWord(folded) ?? false;
  }

  private analysed(folded: string): { stem: string; related: string[] } {
    const known = this.memo.get(folded);
    if (known) return known;
    const stem = stemSwedish(this.lexicon ? this.lexicon.baseForm(folded) : folded);
    let related: string[] = [];
    if (this.lexicon) {
      const root = this.lexicon.root(this.lexicon.baseForm(folded)) ?? this.lexicon.root(folded);
      const words =
        root === undefined ? (this.lexicon.split(folded) ?? []) : [root, ...(this.lexicon.split(root) ?? [])];
      related = [...new Set(words.map(stemSwedish))].filter((term) => term !== stem);
    }
    if (this.memo.size >= 100_000) this.memo.clear();
    const result = { stem, related };
    this.memo.set(folded, result);
    return result;
  }

  /** The stem a folded word is indexed under. */
  stemOf(folded: string): string {
    return this.analysed(folded).stem;
  }

  /** Stems and compound parts of a text. */
  analyze(text: string): SwedishAnalysis {
    const stems: string[] = [];
    const compoundParts: string[] = [];
    for (const word of swedishWords(text)) {
      const { stem, related } = this.analysed(word.folded);
      stems.push(stem);
      for (const term of related) compoundParts.push(term);
    }
    return { stems, compoundParts };
  }

  /** `analyze` of words already folded (see `foldedWords`), so that indexing finds a text's words once. */
  analyzeFoldedWords(words: readonly string[]): SwedishAnalysis {
    const stems = new Array<string>(words.length);
    const compoundParts: string[] = [];
    for (let index = 0; index < words.length; index += 1) {
      const { stem, related } = this.analysed(words[index]!);
      stems[index] = stem;
      for (const term of related) compoundParts.push(term);
    }
    return { stems, compoundParts };
  }

  /**
   * The terms a word is found by: its stem; for a compound, the stems of its parts; for a
   * derivation, the stem of its root.
   */
  termsOfWord(folded: string): string[] {
    const { stem, related } = this.analysed(folded);
    return [stem, ...related];
  }

  /** The stems of a word's compound parts and derivational root (not its own stem). */
  relatedTerms(folded: string): string[] {
    return this.analysed(folded).related;
  }
}

let dictionaryWords: Promise<Set<string>> | undefined;

/**
 * The words of the Swedish hunspell dictionary (`dictionary-sv`, about 150,000 base forms and
 * compound-initial forms such as `arbets`), folded; loaded once per process.
 */
export function loadSwedishDictionaryWords(): Promise<Set<string>> {
  dictionaryWords ??= import('dictionary-sv').then(({ default: dictionary }) => {
    const words = new Set<string>();
    const lines = new TextDecoder().decode(dictionary.dic).split('\n');
    // The first line is the count; each line is `word/FLAGS`.
    for (const line of lines.slice(1)) {
      const slash = line.indexOf('/');
      const word = slash === -1 ? line.trim() : line.slice(0, slash);
      // Proper names and abbreviations make false parts ("Ann" in "kanna"): only lower-case words.
      if (word.length < 2 || word !== word.toLowerCase() || /[^\p{L}]/u.test(word)) continue;
      words.add(foldSwedish(word));
    }
    return words;
  });
  return dictionaryWords;
}

let defaultAnalyzer: Promise<SwedishAnalyzer> | undefined;

/** The analyser with compound splitting by the Swedish dictionary; built once per process. */
export function swedishAnalyzer(): Promise<SwedishAnalyzer> {
  defaultAnalyzer ??= Promise.all([loadSwedishDictionaryWords(), import('@orama/stopwords/swedish')]).then(
    ([words, { stopwords }]) =>
      new SwedishAnalyzer(new SwedishLexicon(words, { functionWords: new Set(stopwords) })),
  );
  return defaultAnalyzer;
}
