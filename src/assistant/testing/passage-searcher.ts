/**
 * A KnowledgeSearcher over a fixed list of passages, for the Assistant's tests while they run
 * without Knowledge's index: it ranks by how much of the query a passage covers. A fake of the
 * Knowledge contract, not of a model.
 */
import type { KnowledgeSearcher, Passage } from '../../knowledge/search-contract.js';
import { questionCoverage, wordsOf } from '../question-text.js';

export function passage(overrides: Partial<Passage> & { text: string; title: string }): Passage {
  return {
    chunkId: `chunk-${overrides.title}-${overrides.text.length}`,
    documentId: `document-${overrides.title}`,
    sourceId: 'source-1',
    collection: 'default',
    headingPath: [],
    location: {},
    score: 0,
    matchedTerms: [],
    ...overrides,
  };
}

export function passageSearcher(passages: Passage[]): KnowledgeSearcher {
  return {
    search(query, options = {}) {
      const ranked = passages
        .filter(
          (candidate) => !options.collections?.length || options.collections.includes(candidate.collection),
        )
        .map((candidate) => ({ ...candidate, score: questionCoverage(query, candidate.text) }))
        .filter((candidate) => candidate.score > 0)
        .sort((first, second) => second.score - first.score)
        .slice(0, options.limit ?? 10)
        .map((candidate) => ({
          ...candidate,
          matchedTerms: wordsOf(query).filter((word) => wordsOf(candidate.text).includes(word)),
        }));
      return Promise.resolve(ranked);
    },
  };
}
