import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPolett } from '../../test-support/builders.js';
import { waitForJobEnd } from '../../test-support/job-builders.js';
import { startFakeHub, type FakeHub } from './hub/testing/fake-hub.js';
import { buildGgufBytes } from './hub/testing/gguf-bytes.js';
import { MODEL_PULL_JOB } from './local-models.js';

let hub: FakeHub;
const previousEndpoint = process.env.HF_ENDPOINT;

beforeAll(async () => {
  hub = await startFakeHub({
    repositories: [
      {
        id: 'polett-test/small-GGUF',
        files: [
          { path: 'small-Q4_K_M.gguf', content: buildGgufBytes({ name: 'Small', paddingBytes: 300_000 }) },
        ],
      },
    ],
  });
  process.env.HF_ENDPOINT = hub.url;
});

afterAll(async () => {
  if (previousEndpoint === undefined) delete process.env.HF_ENDPOINT;
  else process.env.HF_ENDPOINT = previousEndpoint;
  await hub.close();
});

describe('the model pull job', () => {
  it('downloads with progress, registers the model, and makes it the chat model', async () => {
    const polett = buildPolett({});
    polett.startWorkers({ concurrency: 1 });
    const job = await polett.jobs.enqueue({
      type: MODEL_PULL_JOB,
      workspaceId: null,
      input: { reference: 'polett-test/small-GGUF/small-Q4_K_M.gguf', name: 'small' },
    });
    const finished = await waitForJobEnd(polett.jobs, job.id);
    expect(finished.state).toBe('succeeded');
    expect(finished.progress?.done).toBe(finished.progress?.total);
    expect(finished.progress?.total).toBeGreaterThan(300_000);
    expect(polett.storage.localModels.get('small')?.format).toBe('gguf');
    // The running registry sees the new model at once, and the chat task uses it.
    expect(polett.models.aliasesFor('chat')).toEqual(['small']);
    await polett.close();
  });

  it('fails with the hub sentence and registers nothing when the repository does not exist', async () => {
    const polett = buildPolett({});
    polett.startWorkers({ concurrency: 1 });
    const job = await polett.jobs.enqueue({
      type: MODEL_PULL_JOB,
      workspaceId: null,
      input: { reference: 'polett-test/missing-GGUF' },
      maxAttempts: 1,
    });
    const finished = await waitForJobEnd(polett.jobs, job.id);
    expect(finished.state).toBe('failed');
    expect(finished.error?.message.en).toMatch(/polett-test\/missing-GGUF/);
    expect(polett.storage.localModels.list()).toEqual([]);
    await polett.close();
  });
});
