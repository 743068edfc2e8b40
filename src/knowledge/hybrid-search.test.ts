/**
 * Hybrid search with real models: the tiny generated ONNX encoder and reranker
 * (test-support/tiny-onnx.ts) run in transformers.js. Their weights are random, which is the
 * point: fusion must not let a model that knows nothing push lexical answers down.
 */
import { embedMany } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalOnnxProvider } from '../models/providers/local-onnx-provider.js';
import { TEST_MODELS_DIR } from '../../test-support/paths.js';
import {
  TINY_ONNX_ENCODER,
  TINY_ONNX_HIDDEN_SIZE,
  TINY_ONNX_RERANKER,
} from '../../test-support/tiny-onnx.js';
import {
  hybridSearch,
  ModelTrust,
  positiveRankCorrelation,
  reciprocalRankFusion,
  topAgreement,
} from './hybrid-search.js';
import { openScratchKnowledge, type ScratchKnowledge } from './scratch-database.js';
import type { Embedder } from './sqlite-knowledge-store.js';
import { HANDBOOK_PAGES } from './testing/documents.js';

const provider = createLocalOnnxProvider({ name: 'local', modelsDirectory: TEST_MODELS_DIR, threads: 1 });
const encoder = provider.embeddingModel(TINY_ONNX_ENCODER)!;
const embedder: Embedder = {
  modelId: 'tiny-encoder',
  async embed(values) {
    return (await embedMany({ model: encoder, values, maxRetries: 0 })).embeddings;
  },
};
const reranker = provider.rerankingModel(TINY_ONNX_RERANKER)!;

let scratch: ScratchKnowledge;
beforeAll(async () => {
  scratch = await openScratchKnowledge();
  const source = scratch.knowledge.createSource({ kind: 'folder', location: '/handbok' });
  for (const [uri, document] of Object.entries(HANDBOOK_PAGES)) {
    const prepared = await scratch.knowledge.prepareDocument(source.id, uri, document, { embedder });
    scratch.knowledge.writeDocument(prepared);
  }
});
afterAll(async () => {
  scratch.close();
  await provider.close();
});

describe('fusion arithmetic', () => {
  it('fuses by reciprocal rank with weights, and measures agreement and correlation', () => {
    const scores = reciprocalRankFusion([
      { ids: ['a', 'b'], weight: 1 },
      { ids: ['b', 'c'], weight: 0.5 },
    ]);
    expect([...scores.entries()].sort((x, y) => y[1] - x[1]).map(([id]) => id)).toEqual(['b', 'a', 'c']);
    // 2 of 4 shared among 1,000 items is far beyond chance; among 4 items it is chance itself.
    expect(topAgreement(['a', 'b', 'c', 'd'], ['d', 'c', 'x', 'y'], 1000)).toBeGreaterThan(0.4);
    expect(topAgreement(['a', 'b', 'c', 'd'], ['d', 'c', 'b', 'a'], 4)).toBe(0);
    expect(topAgreement([], ['a'], 10)).toBe(0);
    // Among 110 items, one shared of ten is what two random lists share.
    const ten = (prefix: string) => Array.from({ length: 10 }, (_, index) => `${prefix}${index}`);
    expect(topAgreement(ten('a'), [...ten('b').slice(0, 9), 'a3'], 110)).toBe(0);
    const twenty = Array.from({ length: 20 }, (_, index) => String(index));
    expect(positiveRankCorrelation(twenty, twenty)).toBe(1);
    expect(positiveRankCorrelation(twenty, [...twenty].reverse())).toBe(0);
  });
});

describe('what a model earns over queries', () => {
  it('gives a model that agrees no more than chance no weight, and a consistent one a steady weight', () => {
    const noise = new ModelTrust();
    const consistent = new ModelTrust();
    expect(consistent.weight()).toBe(0);
    // Deterministic "random" agreements around zero, and agreements around 0.5.
    for (let index = 0; index < 40; index += 1) {
      noise.observe(Math.sin(index * 12.9898) * 0.3);
      consistent.observe(0.5 + Math.sin(index * 78.233) * 0.1);
    }
    expect(noise.weight()).toBe(0);
    expect(consistent.weight()).toBeGreaterThan(0.4);
    expect(consistent.weight()).toBeLessThan(0.5);
  });
});

describe('hybrid search with a real (random) embedder and reranker', () => {
  const queries: Array<[string, string]> = [
    ['Hur returnerar jag en vara?', 'Returer'],
    ['kundtjänst telefon', 'Kontakt'],
    ['leveranstid till Malmö', 'Leveranser'],
    ['betala med Swish', 'Betalning'],
  ];

  it('stores one vector per chunk in the dimension of the model', () => {
    const counts = scratch.knowledge.counts();
    expect(counts.vectorRows).toBe(counts.canonicalChunks);
    expect(scratch.store.vectorDimensions()).toEqual([TINY_ONNX_HIDDEN_SIZE]);
  });

  it('is never worse than lexical: a random embedder and reranker keep every lexical first answer', async () => {
    const trust = { vector: new ModelTrust(), rerank: new ModelTrust() };
    for (const [query, title] of [...queries, ...queries]) {
      const lexical = await hybridSearch({ knowledge: scratch.knowledge }, query);
      const alone = await hybridSearch({ knowledge: scratch.knowledge, embedder, reranker }, query);
      const hybrid = await hybridSearch({ knowledge: scratch.knowledge, embedder, reranker, trust }, query);
      expect(alone.passages[0]?.title).toBe(title);
      expect(lexical.mode).toBe('lexical');
      expect(hybrid.mode).toBe('hybrid');
      expect(lexical.passages[0]?.title).toBe(title);
      expect(hybrid.passages[0]?.title).toBe(title);
      expect(hybrid.passages[0]!.explanation.vectorRank).not.toBeNull();
    }
  });

  it('lets vectors answer when no word matches, and explains every passage', async () => {
    const result = await hybridSearch({ knowledge: scratch.knowledge, embedder }, 'xyzzy qwerty');
    expect(result.passages.length).toBeGreaterThan(0);
    expect(result.passages[0]!.explanation).toMatchObject({ lexicalRank: null, vectorWeight: 1 });

    const [passage] = (await hybridSearch({ knowledge: scratch.knowledge, embedder }, 'Kundtjänst')).passages;
    expect(passage).toMatchObject({
      title: 'Kontakt',
      headingPath: ['Kundtjänst'],
      matchedTerms: ['Kundtjänsten'],
    });
    expect(passage!.explanation.lexicalRank).toBe(1);
  });

  it('refuses a query without words in one sentence', async () => {
    await expect(hybridSearch({ knowledge: scratch.knowledge }, ' ?! ')).rejects.toMatchObject({
      code: 'knowledge_query_empty',
      status: 400,
    });
  });
});
