/** Test-data builders for Content: a brand profile and fixture passages for the fake searcher. */
import type { Passage } from '../../knowledge/search-contract.js';
import { parseBrandProfile, type BrandProfile, type BrandProfileInput } from '../brand-profile.js';

/** A complete, consistent profile of a small Swedish coffee roastery; override what a test needs. */
export function buildBrandProfile(overrides: Partial<BrandProfileInput> = {}): BrandProfile {
  return parseBrandProfile({
    name: 'Rosteriet Kaffekvarnen',
    description: 'Ett litet kafferosteri i Göteborg som rostar ekologiska bönor i små satser.',
    language: 'sv',
    voice: {
      examples: ['Vi rostar varje tisdag, och doften når hela kvarteret.'],
      adjectives: ['varm', 'kunnig', 'jordnära'],
    },
    audiences: [
      { name: 'Kaffeentusiaster', description: 'Hemmabryggare som vill veta var bönorna kommer ifrån.' },
    ],
    rules: {
      bannedWords: [{ word: 'billig', instead: 'prisvärd' }, 'fantastisk'],
      requiredPhrases: ['Rostat i Göteborg'],
      address: 'du',
      emojis: false,
      maxExclamationMarks: 1,
      maxCharacters: 1500,
      minCharacters: null,
    },
    knowledgeCollections: ['sortiment'],
    ...overrides,
  });
}

let passageNumber = 0;

/** A passage as Knowledge returns it. */
export function buildPassage(text: string, overrides: Partial<Passage> = {}): Passage {
  passageNumber += 1;
  return {
    chunkId: `chunk-${passageNumber}`,
    documentId: `document-${passageNumber}`,
    sourceId: 'source-1',
    collection: 'sortiment',
    title: 'Sortiment 2026',
    headingPath: [],
    text,
    location: {},
    score: 1,
    matchedTerms: [],
    language: 'sv',
    ...overrides,
  };
}
