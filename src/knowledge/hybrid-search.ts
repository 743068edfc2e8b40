/**
 * Hybrid search: lexical (BM25 over Swedish stems and compound parts) and, when an embedding
 * model is configured, vectors (sqlite-vec), fused by reciprocal rank fusion, then an optional
 * reranker pass.
 *
 * "With models never worse": a plain RRF gives a weak embedder (or a random one) as much say as
 * BM25, and its noise pushes right answers down. So each model list's weight in the fusion is
 * earned per query by agreeing with the lexical list beyond chance: the two top-10 lists must
 * share more results than two random lists would (two standard deviations over the mean), and
 * only the excess counts. A useful embedder shares many; a random one earns no weight. When lexical search finds nothing, vectors have the field
 * to themselves. The reranker's order is fused the same way, weighted by how well it correlates
 * with the fused order.
 */
import { rerank, type RerankingModel } from 'ai';
import type { Embedder, FoundChunk, WorkspaceKnowledge } from './sqlite-knowledge-store.js';
import { matchedWords } from './lexical-analysis.js';
import { emptyQueryError } from './knowledge-errors.js';
import type { KnowledgeSearcher, KnowledgeSearchOptions, Passage } from './search-contract.js';
import { swedishWords } from '../text/swedish.js';

/** The RRF constant: 60 as in Cormack et al. (2009), the usual choice. */
export const RRF_K = 60;
/** How many of the top results two lists are compared on to weigh their agreement. */
const AGREEMENT_DEPTH = 10;
/** Candidates each list contributes to the fusion: past 30, 1/(60 + rank) barely moves a sum. */
const CANDIDATES = 30;
/** Candidates the reranker reorders. */
const RERANK_CANDIDATES = 20;

export interface HybridSearchDependencies {
  knowledge: WorkspaceKnowledge;
  /** The configured embedding model; lexical only without one. */
  embedder?: Embedder | undefined;
  reranker?: RerankingModel | undefined;
  /**
   * What the models have earned over earlier queries (kept by the caller per workspace and model).
   * Without it each query judges the models on its own evidence alone.
   */
  trust?: { vector: ModelTrust; rerank: ModelTrust } | undefined;
}

/**
 * How far a model has agreed with lexical search beyond chance, over the queries so far: its say
 * in the fusion is the lower bound of the mean's 95% confidence interval (0 until there are a few
 * queries), so a model that knows nothing settles at no weight however lucky one query is, and a
 * useful one earns a steady weight.
 */
export class ModelTrust {
  private count = 0;
  private sum = 0;
  private squares = 0;

  /** One query's chance-corrected agreement, from −1 to 1. */
  observe(agreement: number): void {
    if (!Number.isFinite(agreement)) return;
    this.count += 1;
    this.sum += agreement;
    this.squares += agreement * agreement;
  }

  weight(): number {
    if (this.count < 3) return 0;
    const mean = this.sum / this.count;
    const variance = Math.max((this.squares - this.count * mean * mean) / (this.count - 1), 0.01);
    return Math.max(0, Math.min(1, mean - 2 * Math.sqrt(variance / this.count)));
  }
}

/** The overlap of two top lists beyond what chance gives, scaled so that the same top results are 1. */
export function chanceCorrectedOverlap(
  reference: string[],
  other: string[],
  population: number,
  depth = AGREEMENT_DEPTH,
): number {
  const top = reference.slice(0, depth);
  const otherTop = new Set(other.slice(0, depth));
  if (top.length === 0 || otherTop.size === 0) return 0;
  const observed = top.filter((id) => otherTop.has(id)).length;
  const best = Math.min(top.length, otherTop.size);
  const expected = (top.length * otherTop.size) / Math.max(population, top.length, otherTop.size, 1);
  return best <= expected ? 0 : (observed - expected) / (best - expected);
}

/** Spearman's rank correlation of two orders of the same items, from −1 to 1. */
export function rankCorrelation(order: string[], otherOrder: string[]): number {
  const n = order.length;
  if (n < 2) return 0;
  const position = new Map(otherOrder.map((id, index) => [id, index]));
  let sum = 0;
  order.forEach((id, index) => {
    const difference = index - (position.get(id) ?? index);
    sum += difference * difference;
  });
  return 1 - (6 * sum) / (n * (n * n - 1));
}

/** Why a passage is where it is: its rank and score in each list. */
export interface PassageExplanation {
  lexicalRank: number | null;
  lexicalScore: number | null;
  vectorRank: number | null;
  vectorScore: number | null;
  rerankScore: number | null;
  /** The weights the model lists earned in this query's fusion (lexical is always 1). */
  vectorWeight: number;
  rerankWeight: number;
}

export interface ExplainedPassage extends Passage {
  explanation: PassageExplanation;
}

export interface HybridSearchResult {
  passages: ExplainedPassage[];
  /** The analysed terms the query was searched by (stems and compound parts). */
  terms: string[];
  mode: 'lexical' | 'hybrid';
  reranked: boolean;
}

/**
 * How much more two lists' top results overlap than chance would make them, from 0 to 1 (the same
 * top results). Chance matters: in a small knowledge base any two top-10 lists share some items.
 * The overlap of two random top lists is hypergeometric; only an overlap beyond its mean plus two
 * standard deviations counts, so a model that knows nothing earns (almost always) no weight.
 */
export function topAgreement(
  reference: string[],
  other: string[],
  population: number,
  depth = AGREEMENT_DEPTH,
): number {
  const top = reference.slice(0, depth);
  const otherTop = new Set(other.slice(0, depth));
  if (top.length === 0 || otherTop.size === 0) return 0;
  const observed = top.filter((id) => otherTop.has(id)).length;
  const best = Math.min(top.length, otherTop.size);
  const size = Math.max(population, top.length, otherTop.size, 2);
  const share = otherTop.size / size;
  const expected = top.length * share;
  const deviation = Math.sqrt(top.length * share * (1 - share) * ((size - top.length) / (size - 1)));
  const threshold = expected + 2 * deviation;
  if (best <= threshold) return 0;
  return Math.max(0, Math.min(1, (observed - threshold) / (best - threshold)));
}

/**
 * Spearman's rank correlation of two orders of the same items, counted only beyond what chance
 * gives (two standard errors, 2/√(n−1)), rescaled to 0–1.
 */
export function positiveRankCorrelation(order: string[], otherOrder: string[]): number {
  const n = order.length;
  if (n < 3) return 0;
  const position = new Map(otherOrder.map((id, index) => [id, index]));
  let sum = 0;
  order.forEach((id, index) => {
    const difference = index - (position.get(id) ?? index);
    sum += difference * difference;
  });
  const rho = 1 - (6 * sum) / (n * (n * n - 1));
  const threshold = 2 / Math.sqrt(n - 1);
  return threshold >= 1 ? 0 : Math.max(0, (rho - threshold) / (1 - threshold));
}

/** Weighted reciprocal rank fusion of ranked id lists. */
export function reciprocalRankFusion(lists: Array<{ ids: string[]; weight: number }>): Map<string, number> {
  const scores = new Map<string, number>();
  for (const { ids, weight } of lists) {
    if (weight <= 0) continue;
    ids.forEach((id, index) => scores.set(id, (scores.get(id) ?? 0) + weight / (RRF_K + index + 1)));
  }
  return scores;
}

export async function hybridSearch(
  dependencies: HybridSearchDependencies,
  query: string,
  options: KnowledgeSearchOptions & { signal?: AbortSignal } = {},
): Promise<HybridSearchResult> {
  if (swedishWords(query).length === 0) throw emptyQueryError();
  const limit = Math.max(1, Math.min(100, options.limit ?? 10));
  const filters = {
    ...(options.collections ? { collections: options.collections } : {}),
    ...(options.sourceIds ? { sourceIds: options.sourceIds } : {}),
    ...(options.language ? { language: options.language } : {}),
    ...(options.tags ? { tags: options.tags } : {}),
  };
  const { knowledge, embedder } = dependencies;
  // The query's embedding is asked for first, so that the model (on its own threads, or a server)
  // works while lexical search runs here; the vector leg then waits only for what remains of it.
  const embedding = embedder?.embed([query], options.signal);
  embedding?.catch(() => undefined); // awaited below; this only keeps a failure from being "unhandled" meanwhile
  const lexical = knowledge.lexicalSearch(query, filters, Math.max(limit, CANDIDATES));
  const chunks = new Map<string, FoundChunk>(lexical.chunks.map((chunk) => [chunk.id, chunk]));
  const lexicalIds = lexical.chunks.map((chunk) => chunk.id);

  let vectorChunks: FoundChunk[] = [];
  if (embedder && embedding) {
    const [vector] = await embedding;
    if (vector)
      vectorChunks = knowledge.vectorSearch(vector, embedder.modelId, filters, Math.max(limit, CANDIDATES));
  }
  for (const chunk of vectorChunks) if (!chunks.has(chunk.id)) chunks.set(chunk.id, chunk);
  const vectorIds = vectorChunks.map((chunk) => chunk.id);
  let vectorWeight = 0;
  if (vectorIds.length > 0 && lexicalIds.length === 0) vectorWeight = 1;
  else if (vectorIds.length > 0) {
    const population = knowledge.embeddedChunkCount(embedder!.modelId);
    const trust = dependencies.trust?.vector;
    vectorWeight = trust ? trust.weight() : topAgreement(lexicalIds, vectorIds, population);
    trust?.observe(chanceCorrectedOverlap(lexicalIds, vectorIds, population));
  }

  const fused = reciprocalRankFusion([
    { ids: lexicalIds, weight: 1 },
    { ids: vectorIds, weight: vectorWeight },
  ]);
  let order = [...fused.entries()].sort((a, b) => b[1] - a[1]).map(([id]) => id);
  let scores = fused;

  let rerankScores = new Map<string, number>();
  let rerankWeight = 0;
  const reranker = options.rerank === false ? undefined : dependencies.reranker;
  if (reranker && order.length > 1) {
    const candidates = order.slice(0, RERANK_CANDIDATES);
    const { ranking } = await rerank({
      model: reranker,
      query,
      documents: candidates.map((id) => chunks.get(id)!.text),
      maxRetries: 0,
      ...(options.signal ? { abortSignal: options.signal } : {}),
    });
    const rerankOrder = ranking.map((entry) => candidates[entry.originalIndex]!);
    rerankScores = new Map(ranking.map((entry) => [candidates[entry.originalIndex]!, entry.score]));
    const trust = dependencies.trust?.rerank;
    rerankWeight = trust ? trust.weight() : positiveRankCorrelation(candidates, rerankOrder);
    trust?.observe(rankCorrelation(candidates, rerankOrder));
    const refused = reciprocalRankFusion([
      { ids: candidates, weight: 1 },
      { ids: rerankOrder, weight: rerankWeight },
    ]);
    const reordered = [...refused.entries()].sort((a, b) => b[1] - a[1]).map(([id]) => id);
    order = [...reordered, ...order.slice(RERANK_CANDIDATES)];
    scores = new Map([...fused, ...refused]);
  }

  const lexicalRank = new Map(lexicalIds.map((id, index) => [id, index + 1]));
  const vectorRank = new Map(vectorIds.map((id, index) => [id, index + 1]));
  const vectorScore = new Map(vectorChunks.map((chunk) => [chunk.id, chunk.score]));
  const terms = new Set(lexical.terms);
  const passages = order.slice(0, limit).map((id): ExplainedPassage => {
    const chunk = chunks.get(id)!;
    return {
      chunkId: chunk.id,
      documentId: chunk.documentId,
      sourceId: chunk.sourceId,
      collection: chunk.collection,
      title: chunk.title,
      headingPath: chunk.headingPath,
      text: chunk.text,
      location: chunk.location,
      score: scores.get(id) ?? 0,
      matchedTerms: matchedWords(knowledge.analyzer, chunk.text, terms),
      ...(chunk.language ? { language: chunk.language } : {}),
      explanation: {
        lexicalRank: lexicalRank.get(id) ?? null,
        lexicalScore: lexicalRank.has(id) ? chunk.score : null,
        vectorRank: vectorRank.get(id) ?? null,
        vectorScore: vectorScore.get(id) ?? null,
        rerankScore: rerankScores.get(id) ?? null,
        vectorWeight,
        rerankWeight,
      },
    };
  });
  return {
    passages,
    terms: lexical.terms,
    mode: embedder ? 'hybrid' : 'lexical',
    reranked: rerankScores.size > 0,
  };
}

/** The `KnowledgeSearcher` of one workspace (what Assistant and Content search through). */
export function createKnowledgeSearcher(dependencies: HybridSearchDependencies): KnowledgeSearcher {
  return {
    async search(query, options) {
      return (await hybridSearch(dependencies, query, options)).passages;
    },
  };
}
