/**
 * Tier-2 sentiment in the analysis job, with a real local encoder behind the model registry: the
 * job hands each page to the model in batches (never text by text), the registry's fallback chain
 * passes a batch through whole, and every stored result is what the model says for that text alone,
 * recorded with the model that produced it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPolett } from '../../../test-support/builders.js';
import { writeTinyBertFolder } from '../../../test-support/onnx-writer.js';
import { buildTinyVocabulary } from '../../../test-support/tiny-onnx.js';
import { startWorkers } from '../../jobs/index.js';
import type { ClassificationModel } from '../../models/index.js';
import { openInsightsStore, type NewFeedback } from '../feedback-store.js';
import { INSIGHTS_ANALYZE_JOB, insightsJobHandlers } from '../insights-jobs.js';
import { buildInsightsDatabase, buildInsightsWorkspace, waitForJob } from '../testing/insights-builders.js';
import { TEXTS_PER_MODEL_CALL } from './tier2-classification.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'polett-tier2-'));
const modelFolder = path.join(scratch, 'tiny-bert-sentiment');
const vocabulary = buildTinyVocabulary();
// A fine-tuned sentiment model's layout: its own three labels, in capitals, no entailment label.
writeTinyBertFolder(modelFolder, {
  vocabulary,
  shape: {
    vocabularySize: vocabulary.length,
    hiddenSize: 32,
    layerCount: 2,
    headCount: 2,
    intermediateSize: 64,
    maxPositions: 128,
    typeVocabularySize: 2,
    weightScale: 0.5,
    seed: 5,
    labels: ['NEGATIVE', 'NEUTRAL', 'POSITIVE'],
  },
});
const polett = buildPolett({
  providers: { encoders: { type: 'local-onnx' } },
  models: { sentiment: { provider: 'encoders', model: modelFolder } },
  tasks: { classify: ['sentiment'] },
});
const insights = buildInsightsDatabase();

afterAll(async () => {
  await polett.close();
  insights.close();
  rmSync(scratch, { recursive: true, force: true });
});

const OPENINGS = [
  'Mycket bra',
  'Inte bra alls',
  'Snabb leverans till Umeå',
  'Dålig service',
  '😊',
  'För dyrt',
];

function feedbackRows(count: number): NewFeedback[] {
  return Array.from({ length: count }, (_, index) => ({
    externalId: `r-${index}`,
    contentHash: `hash-${index}`,
    // Lengths vary from one word to a few sentences, so the batches are padded.
    text: `${OPENINGS[index % OPENINGS.length]!}${'. Beställningen kom fram och personalen var trevlig'.repeat(index % 5)}.`,
    occurredAt: new Date(Date.UTC(2024, 0, 1 + (index % 30))).toISOString(),
    rating: null,
    source: 'test',
    author: null,
    label: null,
    fields: {},
    importId: null,
    importLine: null,
  }));
}

describe('tier-2 sentiment in batches', () => {
  it('passes a batch through the registry chain whole, with the results of one call per text', async () => {
    const model = polett.models.classificationModel();
    const texts = feedbackRows(7).map((row) => row.text);
    const labels = ['positive', 'neutral', 'negative'];
    const { results } = await model.doClassifyBatch({ texts, labels });
    for (const [index, text] of texts.entries()) {
      const { scores } = await model.doClassify({ text, labels });
      expect(results[index]!.map((score) => score.label)).toEqual(scores.map((score) => score.label));
      results[index]!.forEach((score, rank) => expect(score.score).toBeCloseTo(scores[rank]!.score, 4));
    }
  });

  it('classifies a page in calls of many texts and records the model on every result', async () => {
    const workspace = buildInsightsWorkspace(insights.storage, 'Batch AB');
    const scope = openInsightsStore(insights.storage.database).forWorkspace(workspace.id);
    const rows = feedbackRows(TEXTS_PER_MODEL_CALL + 6);
    scope.insertFeedback(rows);
    const registryModel = polett.models.classificationModel({ workspaceId: workspace.id });
    const calls = { single: 0, batch: [] as number[] };
    // The registry's model, counted: how the job calls it is what this test is about.
    const counted: ClassificationModel = {
      provider: registryModel.provider,
      modelId: registryModel.modelId,
      doClassify: (options) => {
        calls.single += 1;
        return registryModel.doClassify(options);
      },
      doClassifyBatch: (options) => {
        calls.batch.push(options.texts.length);
        return registryModel.doClassifyBatch(options);
      },
    };
    const workers = startWorkers({
      queue: insights.queue,
      handlers: insightsJobHandlers({
        database: insights.storage.database,
        classificationModel: () => counted,
      }),
      pollIntervalMs: 20,
    });
    try {
      const job = await insights.queue.enqueue({
        type: INSIGHTS_ANALYZE_JOB,
        input: { sentimentBy: 'model' },
        workspaceId: workspace.id,
      });
      expect((await waitForJob(insights.queue, job.id, 60_000)).state).toBe('succeeded');
    } finally {
      await workers.stop({ timeoutMs: 1000 });
    }
    expect(calls).toEqual({ single: 0, batch: [TEXTS_PER_MODEL_CALL, 6] });

    const stored = scope.feedbackPage(0, rows.length);
    expect(stored).toHaveLength(rows.length);
    const labelsSeen = new Set<string>();
    for (const feedback of stored) {
      const sentiment = scope.results(feedback.id).find((result) => result.analysis === 'sentiment')!;
      expect(sentiment.model).toBe('polett/sentiment');
      const { scores } = await registryModel.doClassify({
        text: feedback.text,
        labels: ['positive', 'neutral', 'negative'],
      });
      expect(sentiment.label).toBe(scores[0]!.label);
      expect(sentiment.score).toBeCloseTo(scores[0]!.score, 4);
      labelsSeen.add(sentiment.label!);
    }
    // The model's own head answered, in the job's label names.
    for (const label of labelsSeen) expect(['positive', 'neutral', 'negative']).toContain(label);
  }, 60_000);
});
