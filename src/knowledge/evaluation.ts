/**
 * `polett kb eval`: how well search finds the right answer. A file of questions, each with its
 * candidate answers and the index of the right one (the shape of SuperLim's SweFAQ), is loaded as
 * a knowledge base: every distinct answer becomes a document in a fresh, temporary store; every
 * question is asked; the rank of the right answer's document gives recall@1, recall@5 and MRR.
 *
 * The same run scores a plain BM25 over lower-cased word tokens (FTS5's unicode61 tokenizer, no
 * stemming, no compounds) on the same answers, so that what Swedish analysis adds is visible.
 */
import { readFile } from 'node:fs/promises';
import type { RerankingModel } from 'ai';
import { z } from 'zod';
import type { ChunkOptions } from './chunker.js';
import { hybridSearch, ModelTrust } from './hybrid-search.js';
import { evalFileError } from './knowledge-errors.js';
import { openScratchKnowledge } from './scratch-database.js';
import { nearDuplicateHash, type Embedder } from './sqlite-knowledge-store.js';

const evalLineSchema = z.object({
  question: z.string().min(1),
  candidate_answers: z.array(z.string()).min(1),
  label: z.number().int().min(0),
});

export interface EvalQuestion {
  question: string;
  answer: string;
}

export interface EvalScores {
  recall1: number;
  recall5: number;
  mrr: number;
  n: number;
}

export interface EvalReport extends EvalScores {
  mode: 'lexical' | 'hybrid';
  reranked: boolean;
  documents: number;
  /** Plain BM25 over lower-cased word tokens, on the same documents and questions. */
  baseline: Omit<EvalScores, 'n'>;
}

/** Reads an evaluation file; a bad line is refused with its number. */
export async function readEvalFile(path: string): Promise<EvalQuestion[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw evalFileError(path, { sv: reason, en: reason });
  }
  const questions: EvalQuestion[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((line, index) => {
    if (!line.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw evalFileError(path, { sv: `rad ${index + 1} är inte JSON`, en: `line ${index + 1} is not JSON` });
    }
    const parsed = evalLineSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = `${issue?.path.join('.') || '-'}: ${issue?.message ?? ''}`.trim();
      throw evalFileError(path, { sv: `rad ${index + 1}, ${where}`, en: `line ${index + 1}, ${where}` });
    }
    const answer = parsed.data.candidate_answers[parsed.data.label];
    if (answer === undefined)
      throw evalFileError(path, {
        sv: `rad ${index + 1}: label ${parsed.data.label} pekar inte på något svar`,
        en: `line ${index + 1}: label ${parsed.data.label} points at no answer`,
      });
    questions.push({ question: parsed.data.question, answer });
  });
  if (questions.length === 0) throw evalFileError(path, { sv: 'inga frågor', en: 'no questions' });
  // Every candidate answer of every line joins the pool, not only the right ones.
  return questions;
}

/** Every distinct answer in the file (right or not), in first-seen order. */
export async function readEvalAnswers(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8');
  const answers = new Set<string>();
  for (const line of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    if (!line.trim()) continue;
    const parsed = evalLineSchema.safeParse(JSON.parse(line));
    if (parsed.success) for (const answer of parsed.data.candidate_answers) answers.add(answer.trim());
  }
  return [...answers];
}

function score(ranks: Array<number | null>): EvalScores {
  const n = ranks.length;
  const round = (value: number) => Math.round(value * 10_000) / 10_000;
  return {
    recall1: round(ranks.filter((rank) => rank !== null && rank <= 1).length / n),
    recall5: round(ranks.filter((rank) => rank !== null && rank <= 5).length / n),
    mrr: round(ranks.reduce<number>((sum, rank) => sum + (rank === null ? 0 : 1 / rank), 0) / n),
    n,
  };
}

/** The rank among distinct documents of the first that is one of the wanted ones. */
function documentRank(documentIds: string[], wanted: ReadonlySet<string>): number | null {
  const seen: string[] = [];
  for (const id of documentIds) {
    if (seen.includes(id)) continue;
    seen.push(id);
    if (wanted.has(id)) return seen.length;
  }
  return null;
}

export interface RunEvalOptions {
  embedder?: Embedder | undefined;
  reranker?: RerankingModel | undefined;
  /** Passages asked for per question; ranks beyond count as not found. */
  depth?: number;
  onProgress?: (done: number, total: number) => void;
  /** Chunking of the answers; the product's defaults unless given. */
  chunking?: Partial<ChunkOptions>;
}

/** Loads the answers into a temporary knowledge base, asks every question, and scores both searches. */
export async function runEval(path: string, options: RunEvalOptions = {}): Promise<EvalReport> {
  const questions = await readEvalFile(path);
  const answers = await readEvalAnswers(path);
  const depth = options.depth ?? 50;
  const scratch = await openScratchKnowledge(options.chunking ? { chunking: options.chunking } : {});
  try {
    const { knowledge, database } = scratch;
    const source = knowledge.createSource({ kind: 'file', location: path, name: 'eval' });
    const documentOfAnswer = new Map<string, string>();
    // Answers that differ only in spacing or punctuation are stored once (as the product stores
    // near-duplicates once); finding either one is finding the answer.
    const documentsOfNearHash = new Map<string, Set<string>>();
    database.exec(
      `CREATE VIRTUAL TABLE temp.eval_baseline USING fts5(body, tokenize = 'unicode61 remove_diacritics 0')`,
    );
    const insertBaseline = database.prepare('INSERT INTO temp.eval_baseline (rowid, body) VALUES (?, ?)');
    const baselineDocuments: string[] = [];
    let done = 0;
    for (const answer of answers) {
      const prepared = await knowledge.prepareDocument(
        source.id,
        `answer-${documentOfAnswer.size + 1}`,
        { title: '', format: 'text', blocks: [{ kind: 'paragraph', text: answer, location: {} }] },
        options.embedder ? { embedder: options.embedder } : {},
      );
      const outcome = knowledge.writeDocument(prepared);
      documentOfAnswer.set(answer, outcome.documentId);
      const near = nearDuplicateHash(answer);
      documentsOfNearHash.set(near, (documentsOfNearHash.get(near) ?? new Set()).add(outcome.documentId));
      baselineDocuments.push(outcome.documentId);
      insertBaseline.run(baselineDocuments.length, answer);
      options.onProgress?.(++done, answers.length + questions.length);
    }

    const searchBaseline = database.prepare(
      'SELECT rowid FROM eval_baseline WHERE eval_baseline MATCH ? ORDER BY bm25(eval_baseline) LIMIT ?',
    );
    // The models earn their weight over the questions, as they do over a workspace's searches.
    const trust = { vector: new ModelTrust(), rerank: new ModelTrust() };
    const ranks: Array<number | null> = [];
    const baselineRanks: Array<number | null> = [];
    let mode: EvalReport['mode'] = 'lexical';
    let reranked = false;
    for (const { question, answer } of questions) {
      const wanted = documentsOfNearHash.get(nearDuplicateHash(answer.trim())) ?? new Set<string>();
      const result = await hybridSearch(
        { knowledge, embedder: options.embedder, reranker: options.reranker, trust },
        question,
        {
          limit: depth,
        },
      );
      mode = result.mode;
      reranked ||= result.reranked;
      ranks.push(
        documentRank(
          result.passages.map((passage) => passage.documentId),
          wanted,
        ),
      );

      const words = [...new Set(question.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])];
      const rows =
        words.length === 0
          ? []
          : (searchBaseline.all(words.map((word) => `"${word}"`).join(' OR '), depth) as Array<{
              rowid: number;
            }>);
      baselineRanks.push(
        documentRank(
          rows.map((row) => baselineDocuments[row.rowid - 1]!),
          wanted,
        ),
      );
      options.onProgress?.(++done, answers.length + questions.length);
    }
    const { n: _n, ...baseline } = score(baselineRanks);
    return { ...score(ranks), mode, reranked, documents: answers.length, baseline };
  } finally {
    scratch.close();
  }
}
