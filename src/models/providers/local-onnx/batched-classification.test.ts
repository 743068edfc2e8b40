/**
 * The batched classification path against transformers.js's own pipelines called once per text,
 * on the tiny generated encoders: texts of mixed lengths (one over the model's 128 positions, so
 * truncated; Swedish with å, ä and ö; one that is only spaces and one that is only "!") must get
 * the scores they get alone, to 1e-4, though they run padded in shared batches.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  pipeline,
  type TextClassificationPipeline,
  type ZeroShotClassificationPipeline,
} from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyBertFolder } from '../../../../test-support/onnx-writer.js';
import { TEST_MODELS_DIR } from '../../../../test-support/paths.js';
import { buildTinyVocabulary, TINY_ONNX_NLI } from '../../../../test-support/tiny-onnx.js';
import { PolettError } from '../../../errors.js';
import type { ClassificationModel, ClassificationScore } from '../../types.js';
import { classifyTexts } from '../classify-texts.js';
import { createLocalOnnxProvider } from '../local-onnx-provider.js';
import { ClassifierThreads, planBatches } from './batched-classification.js';

const TEXTS = [
  'Bra.',
  'Leveransen kom på två dagar och paketet var helt, tack så mycket för snabb service!',
  '   ',
  'Jättedåligt bemötande i butiken i Malmö; personalen svarade inte ens när jag frågade om priset på kaffet.',
  '!',
  'Åsa köpte ölglas på rea – höstens fynd är äkta.',
  // Over 128 tokens: truncated to the model's length, the same way in both paths.
  Array.from({ length: 40 }, (_, index) => `Beställning ${index} kom fram i tid.`).join(' '),
  'Tyvärr',
  'Kunden är nöjd med kvaliteten men tycker att frakten är för dyr.',
];

const SENTIMENT_MODEL = 'tiny-bert-sentiment';
const SENTIMENT_LABELS = ['NEGATIVE', 'NEUTRAL', 'POSITIVE'];
const scratch = mkdtempSync(path.join(tmpdir(), 'polett-batched-'));
// Batches of 4: several batches, each padded to its longest text; two threads, so two sessions run
// batches at once.
const provider = createLocalOnnxProvider({
  name: 'local',
  modelsDirectory: scratch,
  threads: 2,
  batchSize: 4,
});
const pipelineOptions = { local_files_only: true, device: 'cpu', dtype: 'fp32' } as const;

beforeAll(() => {
  // A fine-tuned sentiment model's layout: three labels of its own, no entailment.
  const vocabulary = buildTinyVocabulary();
  writeTinyBertFolder(path.join(scratch, SENTIMENT_MODEL), {
    vocabulary,
    shape: {
      vocabularySize: vocabulary.length,
      hiddenSize: 32,
      layerCount: 2,
      headCount: 2,
      intermediateSize: 64,
      maxPositions: 128,
      typeVocabularySize: 2,
      weightScale: 0.2,
      seed: 11,
      labels: SENTIMENT_LABELS,
    },
  });
});

afterAll(async () => {
  await provider.close();
  rmSync(scratch, { recursive: true, force: true });
});

function expectSameScores(actual: ClassificationScore[], expected: ClassificationScore[]): void {
  expect(actual.map((score) => score.label).sort()).toEqual(expected.map((score) => score.label).sort());
  const expectedByLabel = new Map(expected.map((score) => [score.label, score.score]));
  for (const { label, score } of actual)
    expect(Math.abs(score - expectedByLabel.get(label)!)).toBeLessThan(1e-4);
  // Best first.
  expect(actual.map((score) => score.score)).toEqual(
    [...actual.map((score) => score.score)].sort((a, b) => b - a),
  );
}

describe('planBatches', () => {
  it('orders by length, fills batches up to the size and the padded-token budget, and keeps every text once', () => {
    const lengths = [50, 3, 200, 7, 7, 60, 5, 3];
    const batches = planBatches(lengths, { batchSize: 3, maxBatchTokens: 160, maxPaddingShare: 1 });
    expect(batches.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(batches).toEqual([[1, 7, 6], [3, 4, 0], [5], [2]]);
    for (const batch of batches) {
      const longest = Math.max(...batch.map((index) => lengths[index]!));
      expect(batch.length <= 3).toBe(true);
      // A text longer than the budget still runs, alone.
      expect(batch.length * longest <= 160 || batch.length === 1).toBe(true);
    }
  });

  it('keeps texts of very different lengths apart, so that padding stays under its share', () => {
    const lengths = [10, 11, 12, 40, 41, 100, 12, 10];
    const batches = planBatches(lengths, { batchSize: 32, maxBatchTokens: 8192, maxPaddingShare: 0.2 });
    expect(batches).toEqual([[0, 7, 1, 2, 6], [3, 4], [5]]);
    for (const batch of batches) {
      const longest = Math.max(...batch.map((index) => lengths[index]!));
      const real = batch.reduce((sum, index) => sum + lengths[index]!, 0);
      expect(batch.length * longest - real).toBeLessThanOrEqual(0.2 * batch.length * longest);
    }
  });
});

describe('batched classification', () => {
  it("gives each text the scores the text-classification pipeline gives it alone, with the model's own labels", async () => {
    const folder = path.join(scratch, SENTIMENT_MODEL);
    const reference = (await pipeline(
      'text-classification',
      folder,
      pipelineOptions,
    )) as TextClassificationPipeline;
    const model = provider.classificationModel(SENTIMENT_MODEL)!;
    const { results } = await model.doClassifyBatch!({ texts: TEXTS, labels: [] });
    expect(results).toHaveLength(TEXTS.length);
    for (const [index, text] of TEXTS.entries()) {
      const alone = (await reference(text, { top_k: 3 })) as ClassificationScore[];
      expectSameScores(results[index]!, alone);
    }
    // Asked for its own labels in another spelling, the model answers with its head, in that spelling.
    const asked = await model.doClassifyBatch!({ texts: TEXTS, labels: ['positive', 'neutral', 'negative'] });
    for (const [index, scores] of asked.results.entries()) {
      expectSameScores(
        scores,
        results[index]!.map(({ label, score }) => ({ label: label.toLowerCase(), score })),
      );
    }
    await reference.dispose();
  });

  it('gives each text the zero-shot scores of the pipeline, for one true label and for several', async () => {
    const nli = createLocalOnnxProvider({
      name: 'local',
      modelsDirectory: TEST_MODELS_DIR,
      threads: 1,
      batchSize: 5,
    });
    const reference = (await pipeline(
      'zero-shot-classification',
      path.join(TEST_MODELS_DIR, TINY_ONNX_NLI),
      pipelineOptions,
    )) as ZeroShotClassificationPipeline;
    try {
      const model = nli.classificationModel(TINY_ONNX_NLI)!;
      const labels = ['leverans', 'pris', 'bemötande i butik'];
      for (const multiLabel of [false, true]) {
        const hypothesisTemplate = 'Texten handlar om {}.';
        const { results } = await model.doClassifyBatch!({
          texts: TEXTS,
          labels,
          multiLabel,
          hypothesisTemplate,
        });
        for (const [index, text] of TEXTS.entries()) {
          const alone = await reference(text, labels, {
            hypothesis_template: hypothesisTemplate,
            multi_label: multiLabel,
          });
          expectSameScores(
            results[index]!,
            alone.labels.map((label, rank) => ({ label, score: alone.scores[rank]! })),
          );
        }
      }
      // One text through doClassify is the same path with a batch of one.
      const single = await model.doClassify({ text: TEXTS[1]!, labels });
      const alone = await reference(TEXTS[1]!, labels, {
        hypothesis_template: 'Den här texten handlar om {}.',
      });
      expectSameScores(
        single.scores,
        alone.labels.map((label, rank) => ({ label, score: alone.scores[rank]! })),
      );
    } finally {
      await reference.dispose();
      await nli.close();
    }
  });

  it('classifies text by text, with progress, a model that cannot batch (as a chat model)', async () => {
    const model = provider.classificationModel(SENTIMENT_MODEL)!;
    const oneAtATime: ClassificationModel = {
      provider: model.provider,
      modelId: model.modelId,
      doClassify: (options) => model.doClassify(options),
    };
    const progress: number[] = [];
    const results = await classifyTexts(oneAtATime, {
      texts: TEXTS.slice(0, 3),
      labels: [],
      onProgress: (done) => progress.push(done),
    });
    expect(progress).toEqual([1, 2, 3]);
    const batched = await classifyTexts(model, { texts: TEXTS.slice(0, 3), labels: [] });
    results.forEach((scores, index) => expectSameScores(scores, batched[index]!));
  });

  it('returns nothing for no texts and stops at an aborted signal', async () => {
    const model = provider.classificationModel(SENTIMENT_MODEL)!;
    expect((await model.doClassifyBatch!({ texts: [], labels: [] })).results).toEqual([]);
    const controller = new AbortController();
    controller.abort(new Error('stopped'));
    await expect(
      model.doClassifyBatch!({ texts: TEXTS, labels: [], abortSignal: controller.signal }),
    ).rejects.toThrow('stopped');
  });

  it('runs batches on two session threads at once, the same logits as one at a time, and ends the threads on close', async () => {
    const threads = await ClassifierThreads.start({
      folder: path.join(scratch, SENTIMENT_MODEL),
      dtype: 'fp32',
      sessions: 2,
      intraOpThreads: 1,
    });
    expect(threads.parallelism).toBe(2);
    const batch = (rows: number, width: number) => ({
      dims: [rows, width] as [number, number],
      inputIds: BigInt64Array.from({ length: rows * width }, (_, index) => BigInt(5 + (index % 40))),
      attentionMask: new BigInt64Array(rows * width).fill(1n),
      tokenTypeIds: new BigInt64Array(rows * width),
    });
    const alone = await threads.forward(batch(3, 9));
    const together = await Promise.all([1, 2, 3, 4].map(() => threads.forward(batch(3, 9))));
    expect(alone.labelCount).toBe(3);
    for (const { logits } of together) expect(Array.from(logits)).toEqual(Array.from(alone.logits));
    await threads.close();
    await expect(threads.forward(batch(1, 4))).rejects.toThrow('closed');
    // close() returns once the threads have ended, not just once the pool refuses work.
    const ended = (threads as unknown as { threads: Array<{ exited: boolean }> }).threads;
    expect(ended.map((thread) => thread.exited)).toEqual([true, true]);
  });

  it('gives one clear error for a truncated weight file, and loads it once repaired', async () => {
    const folder = path.join(scratch, 'truncated');
    cpSync(path.join(scratch, SENTIMENT_MODEL), folder, { recursive: true });
    const modelFile = path.join(folder, 'onnx', 'model.onnx');
    const original = readFileSync(modelFile);
    truncateSync(modelFile, Math.floor(original.length / 3));
    const model = provider.classificationModel('truncated')!;
    const error = await model.doClassifyBatch!({ texts: TEXTS, labels: [] }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(PolettError);
    expect((error as PolettError).code).toBe('model_file_invalid');
    expect((error as PolettError).messageIn('en')).toContain(modelFile);
    writeFileSync(modelFile, original);
    expect((await model.doClassifyBatch!({ texts: TEXTS, labels: [] })).results).toHaveLength(TEXTS.length);
  });
});
