/**
 * What goes into the lexical index and what a query asks it. Three kinds of evidence, each in its
 * own FTS5 columns, summed by BM25 with column weights:
 * - Swedish stems of the title, the headings and the body (Snowball, on the base form the
 *   dictionary knows);
 * - the stems of compound parts and derivational roots ("kund" and "tjänst" for "kundtjänsten",
 *   "vaccin" for "vaccinering"), at a lower weight, so that "kund" finds "kundtjänst" but a
 *   passage about "kund" itself ranks first;
 * - character 4-grams of the body, spanning word boundaries, which match what the first two miss:
 *   spelling variants (iordningställa / iordningsställa), compounds the dictionary lacks, and
 *   words next to each other.
 */
import { createHash } from 'node:crypto';
import {
  characterGrams,
  characterGramsOfFoldedWords,
  foldedWords,
  swedishWords,
  type SwedishAnalysis,
  type SwedishAnalyzer,
} from '../text/swedish.js';

/** BM25 column weights of knowledge_fts (title, headings, body, parts, grams, scope). */
export const LEXICAL_COLUMN_WEIGHTS = [2, 1.5, 1, 0.5, 1, 0] as const;

/** What a chunk is filtered by, as FTS5 tokens of the `scope` column. */
export interface LexicalScope {
  workspaceId: string;
  collectionId?: string;
  sourceId?: string;
  language?: string | null;
  tags?: string[];
}

function token(prefix: string, value: string): string {
  // Ids and tags become single FTS5 tokens: letters and digits only, tags hashed.
  return `${prefix}_${value.replace(/[^\p{L}\p{N}]/gu, '').toLowerCase()}`;
}

export const scopeTokens = {
  workspace: (id: string) => token('w', id),
  collection: (id: string) => token('c', id),
  source: (id: string) => token('s', id),
  language: (language: string) => token('l', language),
  tag: (tag: string) =>
    token('t', createHash('sha256').update(tag.trim().toLowerCase()).digest('hex').slice(0, 16)),
};

/** The scope column of a chunk. */
export function scopeColumn(scope: LexicalScope): string {
  return [
    scopeTokens.workspace(scope.workspaceId),
    ...(scope.collectionId ? [scopeTokens.collection(scope.collectionId)] : []),
    ...(scope.sourceId ? [scopeTokens.source(scope.sourceId)] : []),
    ...(scope.language ? [scopeTokens.language(scope.language)] : []),
    ...(scope.tags ?? []).map(scopeTokens.tag),
  ].join(' ');
}

export interface LexicalColumns {
  title: string;
  headings: string;
  body: string;
  parts: string;
  grams: string;
  scope: string;
}

/** The analysed terms of a chunk, one string of space-separated terms per FTS5 column. */
export function lexicalColumns(
  analyzer: SwedishAnalyzer,
  chunk: { title: string; headingPath: string[]; text: string },
  scope: LexicalScope,
): LexicalColumns {
  const title = analyzer.analyze(chunk.title);
  const headings = analyzer.analyze(chunk.headingPath.join('\n'));
  const body = analyzer.analyze(chunk.text);
  return {
    title: title.stems.join(' '),
    headings: headings.stems.join(' '),
    body: body.stems.join(' '),
    parts: [...title.compoundParts, ...headings.compoundParts, ...body.compoundParts].join(' '),
    grams: gramTokens(chunk.text).join(' '),
    scope: scopeColumn(scope),
  };
}

/** A chunk's lexical columns but its scope (which depends on where the chunk is stored). */
export type AnalysedColumns = Omit<LexicalColumns, 'scope'>;

/** Characters the FTS5 tokenizer does not keep inside a token; `_` stands in for them in a gram. */
const NOT_A_TOKEN_CHARACTER = /[^\p{L}\p{N}_]/gu;
const HAS_NOT_A_TOKEN_CHARACTER = /[^\p{L}\p{N}_]/u;

/**
 * `lexicalColumns` (but the scope) of every chunk of one document, the same terms, computed with
 * less work: the title analysed once, a heading path once, and each body's words found and folded
 * once for both its stems and its grams. Indexing spends most of its CPU here, outside the write
 * transaction, so it may run on another thread.
 */
export function documentLexicalColumns(
  analyzer: SwedishAnalyzer,
  title: string,
  chunks: ReadonlyArray<{ headingPath: readonly string[]; text: string }>,
): AnalysedColumns[] {
  const titleAnalysis = analyzer.analyze(title);
  const titleStems = titleAnalysis.stems.join(' ');
  const headingAnalyses = new Map<string, SwedishAnalysis>();
  return chunks.map((chunk) => {
    const headingText = chunk.headingPath.join('\n');
    let headings = headingAnalyses.get(headingText);
    if (headings === undefined) {
      headings = analyzer.analyze(headingText);
      headingAnalyses.set(headingText, headings);
    }
    const words = foldedWords(chunk.text);
    const body = analyzer.analyzeFoldedWords(words);
    return {
      title: titleStems,
      headings: headings.stems.join(' '),
      body: body.stems.join(' '),
      parts: [...titleAnalysis.compoundParts, ...headings.compoundParts, ...body.compoundParts].join(' '),
      grams: gramColumn(words),
    };
  });
}

/**
 * The grams column from folded words: `gramTokens(text).join(' ')`, with the characters FTS5 would
 * split on replaced in the joined words once rather than in every gram. Replacing code point for
 * code point keeps every gram in place, outside the BMP too (there the grams are cut from the
 * replaced words by code point).
 */
function gramColumn(words: readonly string[]): string {
  const clean = HAS_NOT_A_TOKEN_CHARACTER.test(words.join('_'))
    ? words.map((word) => word.replace(NOT_A_TOKEN_CHARACTER, '_'))
    : words;
  return characterGramsOfFoldedWords(clean, 4).join(' ');
}

/** The 4-grams a chunk's text has in the grams column, as `lexicalColumns` writes them. */
export function chunkGrams(text: string): string[] {
  return gramTokens(text);
}

/** 4-grams as FTS5 tokens: only letters, digits and `_` survive the tokenizer whole. */
function gramTokens(text: string): string[] {
  return characterGrams(text, 4).map((gram) => gram.replace(/[^\p{L}\p{N}_]/gu, '_'));
}

export interface AnalysedQuery {
  /** The word terms the query asks for (stems, compound parts and roots), distinct. */
  terms: string[];
  /** The query's 4-grams, distinct. */
  grams: string[];
  /**
   * Each word of the query with its terms and the 4-grams of the word alone (its edges `_` included,
   * not the grams spanning into the next word), so that a search can tell which grams only repeat
   * what a word's stem already finds.
   */
  words: Array<{ terms: string[]; grams: string[] }>;
}

/** A query's word terms and 4-grams. */
export function analyseQuery(analyzer: SwedishAnalyzer, query: string): AnalysedQuery {
  const terms = new Set<string>();
  const words: AnalysedQuery['words'] = [];
  for (const word of swedishWords(query)) {
    const ofWord = analyzer.termsOfWord(word.folded).filter(Boolean);
    for (const term of ofWord) terms.add(term);
    words.push({ terms: ofWord, grams: gramTokens(word.folded) });
  }
  return { terms: [...terms], grams: [...new Set(gramTokens(query))], words };
}

function quoted(terms: Iterable<string>): string {
  return [...terms].map((term) => `"${term.replaceAll('"', '""')}"`).join(' OR ');
}

/**
 * The FTS5 expression of a query: any term may match (OR), and BM25 ranks passages that match
 * more and rarer terms first. Word terms are asked of the word columns and 4-grams of the gram
 * column only, so that a gram never matches a stem that happens to be spelt the same. Terms are
 * quoted: no word of a query is read as FTS5 syntax. Empty when there is nothing to ask.
 */
export function matchExpression(
  terms: readonly string[],
  grams: readonly string[],
  scopes: ReadonlyArray<readonly string[]> = [],
): string {
  const parts: string[] = [];
  if (terms.length > 0) parts.push(`{title headings body parts} : (${quoted(terms)})`);
  if (grams.length > 0) parts.push(`grams : (${quoted(grams)})`);
  if (parts.length === 0) return '';
  // Each scope group must match (AND); within a group any token may (a filter's OR).
  const filters = scopes.filter((group) => group.length > 0).map((group) => `scope : (${quoted(group)})`);
  return [`(${parts.join(' OR ')})`, ...filters].join(' AND ');
}

/**
 * The words of a text (as written) that match any of the query's terms, for highlighting.
 * Function words ("i", "på") are left out unless the query has nothing else.
 */
export function matchedWords(analyzer: SwedishAnalyzer, text: string, terms: ReadonlySet<string>): string[] {
  const matched = new Set<string>();
  const functionWords = new Set<string>();
  for (const word of swedishWords(text)) {
    if (matched.has(word.surface) || functionWords.has(word.surface)) continue;
    if (!analyzer.termsOfWord(word.folded).some((term) => terms.has(term))) continue;
    if (analyzer.isFunctionWord(word.folded)) functionWords.add(word.surface);
    else matched.add(word.surface);
  }
  return matched.size > 0 ? [...matched] : [...functionWords];
}
