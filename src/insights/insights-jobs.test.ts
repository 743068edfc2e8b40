/**
 * Insights' jobs for real: an analysis killed with SIGKILL in the middle resumes at restart and
 * ends with each text analysed exactly once; a trained classifier's labels become the sentiment
 * and the results name the model that produced them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_MODELS_DIR } from '../../test-support/paths.js';
import { TINY_ONNX_NLI } from '../../test-support/tiny-onnx.js';
import { startWorkers } from '../jobs/index.js';
import { createLocalOnnxProvider } from '../models/providers/local-onnx-provider.js';
import { openInsightsStore, type NewFeedback } from './feedback-store.js';
import { INSIGHTS_ANALYZE_JOB, insightsJobHandlers } from './insights-jobs.js';
import {
  buildInsightsDatabase,
  buildInsightsWorkspace,
  waitForJob,
  waitUntil,
} from './testing/insights-builders.js';
import { TextClassifier } from './text-classifier.js';

const CHILD_SCRIPT = fileURLToPath(new URL('./testing/analysis-child-process.ts', import.meta.url));
const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LEASE_MS = 600;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const OPENINGS = [
  'Mycket bra',
  'Inte bra',
  'Snabb leverans',
  'Dålig service',
  'Trevlig personal',
  'För dyrt',
];

function feedbackRows(count: number): NewFeedback[] {
  return Array.from({ length: count }, (_, index) => ({
    externalId: `r-${index}`,
    contentHash: `hash-${index}`,
    text: `${OPENINGS[index % OPENINGS.length]!}, beställning ${index}.`,
    occurredAt: new Date(Date.UTC(2024, 0, 1 + (index % 60))).toISOString(),
    rating: null,
    source: 'test',
    author: null,
    label: null,
    fields: {},
    importId: null,
    importLine: null,
  }));
}

async function buildWorkspaceWithFeedback(count: number) {
  const built = buildInsightsDatabase();
  cleanups.push(() => built.close());
  const workspace = buildInsightsWorkspace(built.storage, 'Analys AB');
  const scope = openInsightsStore(built.storage.database).forWorkspace(workspace.id);
  scope.insertFeedback(feedbackRows(count));
  return { ...built, scope, workspace };
}

function startChild(dataDir: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD_SCRIPT, dataDir, String(LEASE_MS)], {
    cwd: REPOSITORY_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

describe('the analysis job', () => {
  it('killed with SIGKILL in the middle, resumes and holds each text exactly once', async () => {
    const TEXTS = 3000;
    const { storage, queue, dataDir, scope, workspace } = await buildWorkspaceWithFeedback(TEXTS);
    const job = await queue.enqueue({
      type: INSIGHTS_ANALYZE_JOB,
      input: { pageSize: 20 },
      workspaceId: workspace.id,
    });
    const count = () =>
      storage.database
        .prepare(
          "SELECT COUNT(*) AS rows, COUNT(DISTINCT feedback_id) AS texts FROM insights_results WHERE workspace_id = ? AND analysis = 'sentiment'",
        )
        .get(workspace.id) as { rows: number; texts: number };

    const child = startChild(dataDir);
    await waitUntil(() => count().rows >= 300, { timeoutMs: 30_000, what: 'the child to analyse 300 texts' });
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    const atKill = count();
    expect(atKill.rows).toBeLessThan(TEXTS);
    expect((await queue.get(job.id))?.state).toBe('running');

    const restarted = startWorkers({
      queue,
      handlers: insightsJobHandlers({ database: storage.database }),
      leaseMs: LEASE_MS,
      pollIntervalMs: 50,
    });
    cleanups.push(() => restarted.stop({ timeoutMs: 1000 }));
    const final = await waitForJob(queue, job.id, 60_000);
    expect(final.state).toBe('succeeded');
    expect(final.attempts).toBe(2);
    // The resumed attempt analysed only what the killed one had not committed.
    expect(final.result).toMatchObject({ analysedNow: TEXTS - atKill.rows, total: TEXTS });
    expect(count()).toEqual({ rows: TEXTS, texts: TEXTS });
    const languages = storage.database
      .prepare(
        "SELECT COUNT(*) AS rows FROM insights_results WHERE workspace_id = ? AND analysis = 'language'",
      )
      .get(workspace.id) as { rows: number };
    expect(languages.rows).toBe(TEXTS);
    const first = scope.feedbackPage(0, 1)[0]!;
    expect(scope.results(first.id)).toEqual([
      expect.objectContaining({ analysis: 'language', model: 'tinyld' }),
      expect.objectContaining({ analysis: 'sentiment', label: 'positive', model: 'lexicon-sv-en' }),
      expect.objectContaining({ analysis: 'topic', model: 'tfidf-kmeans' }),
    ]);
  }, 90_000);

  it('uses a trained classifier when one is named, and records it as the model', async () => {
    const { storage, queue, scope, workspace } = await buildWorkspaceWithFeedback(12);
    const examples = OPENINGS.flatMap((opening, index) =>
      ['', '!', ' idag'].map((ending) => ({
        text: `${opening}${ending}`,
        label: index % 2 === 0 ? 'nöjd' : 'missnöjd',
      })),
    );
    const classifier = TextClassifier.train(examples, { inverseRegularisation: 10 });
    scope.saveClassifier('nöjdhet', {
      kind: classifier.kind,
      labels: classifier.labels,
      model: classifier.serialise(),
    });
    const workers = startWorkers({
      queue,
      handlers: insightsJobHandlers({ database: storage.database }),
      pollIntervalMs: 20,
    });
    cleanups.push(() => workers.stop({ timeoutMs: 1000 }));
    const job = await queue.enqueue({
      type: INSIGHTS_ANALYZE_JOB,
      input: { classifier: 'nöjdhet' },
      workspaceId: workspace.id,
    });
    expect((await waitForJob(queue, job.id)).state).toBe('succeeded');
    const first = scope.feedbackPage(0, 1)[0]!;
    expect(scope.results(first.id).find((result) => result.analysis === 'sentiment')).toMatchObject({
      label: 'nöjd',
      model: 'classifier:nöjdhet',
    });
    const aspects = storage.database
      .prepare('SELECT aspect, sentiment FROM insights_aspects WHERE workspace_id = ? ORDER BY aspect')
      .all(workspace.id) as Array<{ aspect: string; sentiment: string }>;
    expect(aspects).toEqual(
      expect.arrayContaining([
        { aspect: 'leverans', sentiment: 'positive' },
        { aspect: 'pris', sentiment: 'negative' },
      ]),
    );
  });
});

describe('the analysis job, tier 2', () => {
  it('classifies sentiment and custom categories with a real ONNX zero-shot model and records it', async () => {
    const provider = createLocalOnnxProvider({ name: 'local', modelsDirectory: TEST_MODELS_DIR, threads: 1 });
    cleanups.push(() => provider.close());
    const { storage, queue, scope, workspace } = await buildWorkspaceWithFeedback(6);
    const workers = startWorkers({
      queue,
      handlers: insightsJobHandlers({
        database: storage.database,
        classificationModel: () => provider.classificationModel(TINY_ONNX_NLI),
      }),
      pollIntervalMs: 20,
    });
    cleanups.push(() => workers.stop({ timeoutMs: 1000 }));
    const job = await queue.enqueue({
      type: INSIGHTS_ANALYZE_JOB,
      input: {
        sentimentBy: 'model',
        categories: [{ name: 'beröm' }, { name: 'klagomål', description: 'något gick fel' }],
      },
      workspaceId: workspace.id,
    });
    expect((await waitForJob(queue, job.id, 60_000)).state).toBe('succeeded');
    const results = scope.results(scope.feedbackPage(0, 1)[0]!.id);
    // The tiny model's weights are random: what is checked is the real run and the record of it.
    expect(results.find((result) => result.analysis === 'sentiment')).toMatchObject({
      model: 'local/tiny-bert-nli',
    });
    expect(['positive', 'neutral', 'negative']).toContain(
      results.find((result) => result.analysis === 'sentiment')!.label,
    );
    expect(results.find((result) => result.analysis === 'category')).toMatchObject({
      model: 'local/tiny-bert-nli',
    });
    expect(['beröm', 'klagomål']).toContain(results.find((result) => result.analysis === 'category')!.label);
  }, 60_000);

  it('says which model is needed when none serves', async () => {
    const { storage, queue, workspace } = await buildWorkspaceWithFeedback(3);
    const workers = startWorkers({
      queue,
      handlers: insightsJobHandlers({ database: storage.database }),
      pollIntervalMs: 20,
    });
    cleanups.push(() => workers.stop({ timeoutMs: 1000 }));
    const job = await queue.enqueue({
      type: INSIGHTS_ANALYZE_JOB,
      input: { sentimentBy: 'model' },
      workspaceId: workspace.id,
      maxAttempts: 1,
    });
    const final = await waitForJob(queue, job.id);
    expect(final.state).toBe('failed');
    expect(final.error?.message.sv).toMatch(
      /behöver en klassificeringsmodell .*polett models catalogue classify/,
    );
    const emotions = await queue.enqueue({
      type: INSIGHTS_ANALYZE_JOB,
      input: { emotions: true },
      workspaceId: workspace.id,
      maxAttempts: 1,
    });
    expect((await waitForJob(queue, emotions.id)).error?.message.en).toMatch(/Emotions .* need a chat model/);
  });
});
