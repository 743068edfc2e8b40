/**
 * Lexical search over a large index: word terms in more than a tenth of the chunks are not asked of
 * FTS5 but complete the score of the top candidates, so they still rank what they should; a word's
 * own 4-grams are asked only when no rare term of its own finds it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyseQuery } from './lexical-analysis.js';
import { openScratchKnowledge, type ScratchKnowledge } from './scratch-database.js';
import { nearDuplicateHash, type PreparedDocument } from './sqlite-knowledge-store.js';

const FILLER = ['cykel', 'sadel', 'ram', 'däck', 'kedja', 'broms', 'pedal', 'styre', 'lampa', 'korg'];

let scratch: ScratchKnowledge;

beforeAll(async () => {
  scratch = await openScratchKnowledge();
  const { knowledge, database } = scratch;
  const source = knowledge.createSource({ kind: 'folder', location: '/test' });
  // 2,400 chunks: "leveranstiden" in a third of them (a common term), "vattenflaska" in three.
  const texts = Array.from({ length: 2400 }, (_, index) => {
    const words = [FILLER[index % 10], FILLER[(index * 7) % 10], `modell${index}`];
    if (index % 3 === 0) words.push('leveranstiden var bra');
    return `${words.join(' ')}.`;
  });
  // The same rare word, the same length; one of them also has a common word ("cykel", in a fifth).
  texts[1] = 'Vattenflaska i blått, sadel.';
  texts[2] = 'Vattenflaska i blått, cykel.';
  const write = database.transaction((documents: PreparedDocument[]) => {
    for (const document of documents) knowledge.writeDocument(document);
  });
  const documents: PreparedDocument[] = [];
  for (let start = 0; start < texts.length; start += 10) {
    documents.push({
      sourceId: source.id,
      uri: `d${start}.txt`,
      documentId: `d${start}`,
      title: `Dokument ${start}`,
      format: 'text',
      language: 'sv',
      contentHash: `d${start}`,
      embeddingModel: null,
      chunks: texts.slice(start, start + 10).map((text, offset) => ({
        id: `c${start + offset}`,
        ordinal: offset,
        text,
        headingPath: [],
        location: {},
        tokenCount: 0,
        contentHash: `${start + offset}`,
        nearHash: nearDuplicateHash(text),
      })),
    });
  }
  write(documents);
}, 120_000);

afterAll(() => scratch?.close());

describe('lexical search with common terms over a large index', () => {
  it('leaves a word in more than a tenth of the chunks out of the FTS5 query', () => {
    const { store } = scratch;
    const selected = store.selectiveTerms({ terms: ['vattenflask', 'leveranstid'], grams: [] });
    expect(selected.terms).toEqual(['vattenflask']);
    expect(selected.common).toEqual(['leveranstid']);
  });

  it('still ranks by the common word: it lifts the chunk that has it, as much as BM25 says', () => {
    const { knowledge, store } = scratch;
    // Two results wanted, as many as the rare word finds: with fewer, FTS5 is asked for the common
    // word too (and would score it itself, which this test is not about).
    const score = (query: string) =>
      new Map(knowledge.lexicalSearch(query, {}, 2).chunks.map((chunk) => [chunk.id, chunk.score]));
    // On the rare word alone the two chunks tie …
    const rareOnly = score('vattenflaska');
    expect(rareOnly.get('c1')).toBeCloseTo(rareOnly.get('c2')!, 9);
    // … and the common word, though FTS5 is not asked for it, adds its BM25 share to the one that has it.
    const both = score('vattenflaska cykel');
    expect(store.selectiveTerms({ terms: ['vattenflask', 'cykel'], grams: [] }).common).toEqual(['cykel']);
    const { documents, total } = store.termStatistics('cykel');
    const idf = Math.log((total - documents + 0.5) / (documents + 0.5));
    const added = both.get('c2')! - both.get('c1')!;
    expect(added).toBeGreaterThan(idf * 0.5);
    expect(added).toBeLessThan(idf * 2.2);
    expect([...both.keys()].slice(0, 2)).toEqual(['c2', 'c1']);
  });

  it('leaves out the 4-grams of a word its rare stem finds, and asks those spanning into the next word', () => {
    const { store } = scratch;
    const selected = store.selectiveTerms(analyseQuery(store.analyzer, 'vattenflaska i blått'));
    // Every word here is rare (in two chunks): its stem finds it, its own grams would
    // find the same chunks again. The grams across word boundaries say the words stand together.
    expect([...selected.grams].sort()).toEqual(['_i_b', 'a_i_', 'i_bl', 'ka_i']);
    expect(selected.terms).toEqual(expect.arrayContaining(['vattenflask']));
  });

  it('asks the 4-grams of a word the index does not know, so that a misspelling still finds', () => {
    const { knowledge, store } = scratch;
    const selected = store.selectiveTerms(analyseQuery(store.analyzer, 'vatenflaska'));
    expect(selected.grams).toEqual(expect.arrayContaining(['flas', 'lask', 'aska']));
    const found = knowledge.lexicalSearch('vatenflaska', {}, 3).chunks.map((chunk) => chunk.id);
    expect(found.slice(0, 2).sort()).toEqual(['c1', 'c2']);
  });

  it('estimates a 4-gram’s chunk count from a sample, near the exact count, and small for an unseen one', () => {
    const { store, database } = scratch;
    const exact = (gram: string) =>
      (database
        .prepare('SELECT doc FROM knowledge_fts_vocabulary WHERE term = ?')
        .pluck()
        .get(gram) as number) ?? 0;
    const total = store.lexicalChunkCount();
    // What a large index's query uses instead of counting (gramEstimate is private: reached here).
    const estimate = (gram: string) =>
      (store as unknown as { gramEstimate(gram: string, total: number): number }).gramEstimate(gram, total);
    // "leveranstiden" is in a third of the chunks; "cykel" (as a filler word) in a fifth.
    for (const gram of ['vera', 'tide', 'cyke']) {
      expect(estimate(gram)).toBeGreaterThan(exact(gram) * 0.7);
      expect(estimate(gram)).toBeLessThan(exact(gram) * 1.3);
    }
    // In two chunks of 2,400, or none: under one chunk in a thousand sampled, so counted small.
    expect(estimate('flas')).toBeLessThan(10);
    expect(estimate('qxzw')).toBeGreaterThan(0);
    expect(estimate('qxzw')).toBeLessThan(10);
  });

  it('asks for common words alone when a query has nothing rarer', () => {
    const { chunks } = scratch.knowledge.lexicalSearch('leveranstiden', {}, 5);
    expect(chunks).toHaveLength(5);
    expect(chunks.every((chunk) => /leveranstiden/.test(chunk.text))).toBe(true);
  });
});
