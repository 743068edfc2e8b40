/**
 * Runs transformers.js (onnxruntime-node) for real on the tiny generated encoders
 * (test-support/tiny-onnx.ts): embeddings through the AI SDK's `embedMany`, classification with
 * and without labels, reranking through `rerank`, token counts, and the errors for broken models.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { embedMany, rerank } from 'ai';
import { afterAll, describe, expect, it } from 'vitest';
import { isPolettError, type PolettError } from '../../errors.js';
import { TEST_MODELS_DIR } from '../../../test-support/paths.js';
import {
  TINY_ONNX_ENCODER,
  TINY_ONNX_HIDDEN_SIZE,
  TINY_ONNX_NLI,
  TINY_ONNX_NLI_LABELS,
  TINY_ONNX_RERANKER,
} from '../../../test-support/tiny-onnx.js';
import { createLocalOnnxProvider } from './local-onnx-provider.js';

const provider = createLocalOnnxProvider({ name: 'local', modelsDirectory: TEST_MODELS_DIR, threads: 1 });
const scratch = mkdtempSync(path.join(tmpdir(), 'polett-onnx-'));

afterAll(async () => {
  await provider.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** A copy of a generated model folder that a test may change. */
function copyModel(folderName: string, copyName: string): string {
  const copy = path.join(scratch, copyName);
  cpSync(path.join(TEST_MODELS_DIR, folderName), copy, { recursive: true });
  return copy;
}

async function caught(promise: PromiseLike<unknown>): Promise<PolettError> {
  const error = await Promise.resolve(promise).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!isPolettError(error)) throw new Error(`Expected a PolettError, got ${String(error)}`);
  return error;
}

function norm(vector: number[]): number {
  return Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
}

describe('local ONNX provider', () => {
  it('embeds texts with embedMany: right dimension, finite, normalised, deterministic', async () => {
    const model = provider.embeddingModel(TINY_ONNX_ENCODER);
    expect(model).toBeDefined();
    const texts = [
      'Hej! Vi skickade paketet igår.',
      'The delivery was slow.',
      'Hej! Vi skickade paketet igår.',
      '',
    ];
    const { embeddings, usage } = await embedMany({ model: model!, values: texts });

    expect(embeddings).toHaveLength(texts.length);
    for (const vector of embeddings) {
      expect(vector).toHaveLength(TINY_ONNX_HIDDEN_SIZE);
      expect(vector.every(Number.isFinite)).toBe(true);
      expect(norm(vector)).toBeCloseTo(1, 5);
    }
    expect(embeddings[2]).toEqual(embeddings[0]);
    expect(embeddings[1]).not.toEqual(embeddings[0]);
    expect(usage.tokens).toBeGreaterThan(texts.length * 2);
  });

  it('uses the pooling that the sentence-transformers config names', async () => {
    const folder = copyModel(TINY_ONNX_ENCODER, 'cls-pooling');
    const poolingConfigPath = path.join(folder, '1_Pooling', 'config.json');
    const poolingConfig = JSON.parse(readFileSync(poolingConfigPath, 'utf8')) as Record<string, unknown>;
    writeFileSync(
      poolingConfigPath,
      JSON.stringify({ ...poolingConfig, pooling_mode_mean_tokens: false, pooling_mode_cls_token: true }),
    );
    const text = 'Kundtjänsten svarade snabbt.';
    const [mean] = (await provider.embeddingModel(TINY_ONNX_ENCODER)!.doEmbed({ values: [text] })).embeddings;
    // An absolute folder path is used as it is.
    const [cls] = (await provider.embeddingModel(folder)!.doEmbed({ values: [text] })).embeddings;
    expect(cls).toHaveLength(TINY_ONNX_HIDDEN_SIZE);
    expect(norm(cls!)).toBeCloseTo(1, 5);
    expect(cls).not.toEqual(mean);
  });

  it('classifies zero-shot against the given labels', async () => {
    const model = provider.classificationModel(TINY_ONNX_NLI)!;
    const labels = ['leverans', 'pris', 'kvalitet'];
    const { scores } = await model.doClassify({ text: 'Paketet kom fram efter två veckor.', labels });

    expect(scores.map((score) => score.label).sort()).toEqual([...labels].sort());
    expect(scores.reduce((sum, score) => sum + score.score, 0)).toBeCloseTo(1, 5);
    for (const { score } of scores) expect(score).toBeGreaterThanOrEqual(0);
    expect(scores.map((score) => score.score)).toEqual(
      [...scores.map((score) => score.score)].sort((a, b) => b - a),
    );

    const multi = await model.doClassify({
      text: 'Bra pris.',
      labels,
      multiLabel: true,
      hypothesisTemplate: 'It is about {}.',
    });
    // Several labels may be true: each score stands alone and they need not sum to 1.
    for (const { score } of multi.scores) {
      expect(score).toBeGreaterThan(0);
      expect(score).toBeLessThan(1);
    }
  });

  it("classifies with the model's own labels when none are given", async () => {
    const { scores } = await provider
      .classificationModel(TINY_ONNX_NLI)!
      .doClassify({ text: 'Tack för hjälpen!', labels: [] });
    expect(scores.map((score) => score.label).sort()).toEqual([...TINY_ONNX_NLI_LABELS].sort());
    expect(scores.reduce((sum, score) => sum + score.score, 0)).toBeCloseTo(1, 5);
    expect(scores[0]!.score).toBeGreaterThanOrEqual(scores[2]!.score);
  });

  it('reranks documents with a cross-encoder through the AI SDK', async () => {
    const model = provider.rerankingModel(TINY_ONNX_RERANKER);
    expect(model).toBeDefined();
    const documents = ['Leveransen tar två dagar.', 'Vi har öppet på lördagar.', 'Priset är 99 kronor.'];
    const { ranking } = await rerank({
      model: model!,
      query: 'Hur lång tid tar leveransen?',
      documents,
      topN: 2,
    });
    expect(ranking).toHaveLength(2);
    for (const entry of ranking) {
      expect(entry.score).toBeGreaterThan(0);
      expect(entry.score).toBeLessThan(1);
      expect(documents).toContain(entry.document);
    }
    expect(ranking[0]!.score).toBeGreaterThanOrEqual(ranking[1]!.score);
  });

  it('counts tokens of Swedish text with å, ä and ö using the WordPiece tokenizer', async () => {
    const counter = provider.tokenCounter(TINY_ONNX_ENCODER);
    // Hej | ! | Vi | skickade | paket ##et | igår | . — known words, one split word, no special tokens.
    expect(await counter.countTokens('Hej! Vi skickade paketet igår.')).toBe(8);
    const ids = await counter.encode!('Älgen åt blåbär på ön.');
    expect(ids.length).toBeGreaterThan(5);
    expect(ids).not.toContain(1); // [UNK]: every letter, å ä ö included, is in the vocabulary.
  });

  it('says which tasks each model cannot do', () => {
    expect(provider.type).toBe('local-onnx');
    expect(provider.remote).toBe(false);
    expect(provider.languageModel(TINY_ONNX_ENCODER)).toBeUndefined();
    expect(provider.embeddingModel(TINY_ONNX_NLI)).toBeUndefined();
    expect(provider.classificationModel(TINY_ONNX_ENCODER)).toBeUndefined();
    expect(provider.classificationModel(TINY_ONNX_RERANKER)).toBeUndefined();
    expect(provider.rerankingModel(TINY_ONNX_ENCODER)).toBeUndefined();
  });

  it('gives one clear error for a missing model folder', async () => {
    const error = await caught(provider.embeddingModel('no-such-model')!.doEmbed({ values: ['hej'] }));
    expect(error.code).toBe('model_not_found');
    expect(error.messageIn('sv')).toContain('no-such-model');
    expect(error.messageIn('en')).toContain('no-such-model');
  });

  it('names the weight file of the configured dtype when it is missing', async () => {
    const quantized = createLocalOnnxProvider({
      name: 'local',
      modelsDirectory: TEST_MODELS_DIR,
      dtype: 'q8',
    });
    const error = await caught(quantized.embeddingModel(TINY_ONNX_ENCODER)!.doEmbed({ values: ['hej'] }));
    expect(error.code).toBe('model_not_found');
    expect(error.messageIn('en')).toContain(path.join('onnx', 'model_quantized.onnx'));
    await quantized.close();
  });

  it('refuses a hypothesis template without a place for the label', async () => {
    const model = provider.classificationModel(TINY_ONNX_NLI)!;
    const error = await caught(
      model.doClassify({ text: 'Hej', labels: ['pris'], hypothesisTemplate: 'Om pris.' }),
    );
    expect(error.code).toBe('hypothesis_template_invalid');
    expect(error.status).toBe(400);
  });

  it('gives one clear error for a truncated model file, and loads it once repaired', async () => {
    const folder = copyModel(TINY_ONNX_ENCODER, 'truncated');
    const modelFile = path.join(folder, 'onnx', 'model.onnx');
    const original = readFileSync(modelFile);
    truncateSync(modelFile, Math.floor(original.length / 3));
    const model = provider.embeddingModel(folder)!;

    const error = await caught(model.doEmbed({ values: ['hej'] }));
    expect(error.code).toBe('model_file_invalid');
    expect(error.isRetryable).toBe(false);
    expect(error.messageIn('en')).toContain(modelFile);
    expect(error.messageIn('sv')).toContain('ladda ner modellen igen');

    writeFileSync(modelFile, original);
    expect((await model.doEmbed({ values: ['hej'] })).embeddings).toHaveLength(1);
  });

  it('refuses a relative model id that leaves the models folder', async () => {
    const error = await caught(provider.tokenCounter('../outside').countTokens('hej'));
    expect(error.code).toBe('model_id_invalid');
  });
});
