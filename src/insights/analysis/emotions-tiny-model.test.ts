/**
 * Emotions read by a real chat model: the tiny GGUF model of test-support/tiny-gguf.ts through the
 * model registry and node-llama-cpp, with the JSON-schema grammar. Its weights are random, so
 * what it "feels" means nothing; what is checked is the contract that holds for any model: only
 * known emotions, at most three and no repeats, an intensity from 0 to 1 or null, an answer
 * outside the schema's ranges (this model answers an intensity of 576) or cut off mid-way read
 * without failing, and the analysis job storing every text's reading with the model that made it.
 */
import path from 'node:path';
import { wrapLanguageModel, type LanguageModel } from 'ai';
import type { LanguageModelV3 } from '@ai-sdk/provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPolett } from '../../../test-support/builders.js';
import { TEST_MODELS_DIR } from '../../../test-support/paths.js';
import { TINY_GGUF_MODEL } from '../../../test-support/tiny-gguf.js';
import { startWorkers } from '../../jobs/index.js';
import { openInsightsStore } from '../feedback-store.js';
import { INSIGHTS_ANALYZE_JOB, insightsJobHandlers } from '../insights-jobs.js';
import { buildInsightsWorkspace, waitForJob } from '../testing/insights-builders.js';
import { EMOTIONS, readEmotions, type EmotionReading } from './emotions.js';

const TEXTS = [
  'Paketet kom aldrig och ingen svarar i kundtjänst!',
  'Tack för snabb hjälp, ni är fantastiska 😊',
  'Ordernummer 123456.',
];

let polett: ReturnType<typeof buildPolett>;
let model: LanguageModel;
beforeAll(() => {
  polett = buildPolett({
    providers: { local: { type: 'local-gguf', contextSize: 2048 } },
    models: { tiny: { provider: 'local', model: path.join(TEST_MODELS_DIR, TINY_GGUF_MODEL) } },
    tasks: { chat: ['tiny'] },
  });
  model = polett.models.languageModel({ task: 'chat' });
});
afterAll(() => polett.close());

function expectWithinContract(reading: EmotionReading): void {
  expect(reading.emotions.length).toBeLessThanOrEqual(3);
  expect(new Set(reading.emotions).size).toBe(reading.emotions.length);
  for (const emotion of reading.emotions) {
    expect(EMOTIONS).toContain(emotion);
    expect(emotion).not.toBe('ingen');
  }
  if (reading.emotions.length === 0) expect(reading.intensity).toBe(reading.unreadable ? null : 0);
  else if (reading.intensity !== null) {
    expect(reading.intensity).toBeGreaterThanOrEqual(0);
    expect(reading.intensity).toBeLessThanOrEqual(1);
  }
}

describe('emotions with the real tiny chat model', () => {
  it('answers within the contract for every text, its out-of-range intensity read leniently', async () => {
    const answers: string[] = [];
    const recording = wrapLanguageModel({
      model: model as LanguageModelV3,
      middleware: {
        specificationVersion: 'v3',
        async wrapGenerate({ doGenerate }) {
          const result = await doGenerate();
          for (const part of result.content) if (part.type === 'text') answers.push(part.text);
          return result;
        },
      },
    });
    for (const [index, text] of TEXTS.entries()) {
      const reading = await readEmotions(recording, text);
      expectWithinContract(reading);
      // Valid JSON of the schema's shape (the grammar sees to that), so it is read, not dropped.
      expect(reading.unreadable).toBe(false);
      const raw = JSON.parse(answers[index]!) as { emotions: string[]; intensity: number };
      const outOfRange = raw.intensity < 0 || raw.intensity > 1;
      if (outOfRange) expect(reading.intensity).toBe(reading.emotions.length === 0 ? 0 : null);
      else if (reading.emotions.length > 0) expect(reading.intensity).toBe(raw.intensity);
    }
    expect(answers).toHaveLength(TEXTS.length);
  }, 60_000);

  it('records an answer cut off mid-way as unreadable instead of failing or guessing', async () => {
    // The real model's answer, cut after a dozen characters as a token limit would cut it.
    const truncating = wrapLanguageModel({
      model: model as LanguageModelV3,
      middleware: {
        specificationVersion: 'v3',
        async wrapGenerate({ doGenerate }) {
          const result = await doGenerate();
          return {
            ...result,
            content: result.content.map((part) =>
              part.type === 'text' ? { ...part, text: part.text.slice(0, 12) } : part,
            ),
          };
        },
      },
    });
    const reading = await readEmotions(truncating, TEXTS[0]!);
    expect(reading).toEqual({ emotions: [], intensity: null, unreadable: true });
  }, 60_000);

  it('stores each text’s emotions in the analysis job, with the model that read them', async () => {
    const { database } = polett.storage;
    const workspace = buildInsightsWorkspace({ database }, 'Känslor AB');
    const scope = openInsightsStore(database).forWorkspace(workspace.id);
    for (const text of TEXTS)
      scope.insertFeedback([
        {
          externalId: null,
          contentHash: text,
          text,
          occurredAt: null,
          rating: null,
          source: null,
          author: null,
          label: null,
          fields: {},
          importId: null,
          importLine: null,
        },
      ]);
    const workers = startWorkers({
      queue: polett.jobs,
      handlers: insightsJobHandlers({
        database,
        chatModel: (workspaceId) => polett.models.languageModel({ task: 'chat', workspaceId }),
      }),
      pollIntervalMs: 20,
    });
    try {
      const job = await polett.jobs.enqueue({
        type: INSIGHTS_ANALYZE_JOB,
        input: { emotions: true },
        workspaceId: workspace.id,
      });
      expect((await waitForJob(polett.jobs, job.id, 90_000)).state).toBe('succeeded');
    } finally {
      await workers.stop({ timeoutMs: 5000 });
    }
    const rows = scope.feedbackPage(0, 10);
    expect(rows).toHaveLength(TEXTS.length);
    for (const row of rows) {
      const emotions = scope.results(row.id).find((result) => result.analysis === 'emotions');
      expect(emotions?.model).toBe('polett/tiny');
      const stored = emotions!.detail as string[];
      expectWithinContract({
        emotions: stored as EmotionReading['emotions'],
        intensity: emotions!.score,
        unreadable: false,
      });
      expect(emotions!.label).toBe(stored[0] ?? null);
    }
  }, 120_000);
});
