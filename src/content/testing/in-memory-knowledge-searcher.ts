/**
 * A KnowledgeSearcher over fixture passages, for Content's tests: a fake of the contract in
 * src/knowledge/search-contract.ts, not of a model. It ranks by how many query words (by their
 * first five letters) a passage holds, honours `collections` and `limit`, and records the queries
 * so that a test can see what was asked.
 */
import type { KnowledgeSearcher, KnowledgeSearchOptions, Passage } from '../../knowledge/search-contract.js';

const prefixes = (text: string) =>
  new Set(
    [...text.matchAll(/\p{L}{3,}|\p{N}+/gu)].map((match) => match[0].toLocaleLowerCase('sv').slice(0, 5)),
  );

export class InMemoryKnowledgeSearcher implements KnowledgeSearcher {
  readonly queries: Array<{ query: string; options: KnowledgeSearchOptions }> = [];

  constructor(private readonly passages: readonly Passage[]) {}

  async search(query: string, options: KnowledgeSearchOptions = {}): Promise<Passage[]> {
    this.queries.push({ query, options });
    const wanted = prefixes(query);
    const collections = options.collections ?? [];
    return this.passages
      .filter((passage) => collections.length === 0 || collections.includes(passage.collection))
      .map((passage) => {
        const have = prefixes(`${passage.title} ${passage.text}`);
        const score = [...wanted].filter((prefix) => have.has(prefix)).length;
        return { ...passage, score };
      })
      .filter((passage) => passage.score > 0)
      .sort((a, b) => b.score - a.score)
      .slice(0, options.limit ?? 10);
  }
}
