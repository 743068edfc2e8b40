import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PolettError } from '../errors.js';
import {
  buildJobDatabase,
  waitFor,
  waitForJobEnd,
  type JobTestDatabase,
} from '../../test-support/job-builders.js';
import {
  createItemResultsTable,
  ITEM_WRITING_JOB_TYPE,
  itemWritingJobHandler,
} from '../../test-support/item-writing-job.js';
import {
  defineJobHandler,
  startWorkers,
  type JobEvent,
  type WorkerPool,
  type WorkerPoolOptions,
} from './index.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function database(): JobTestDatabase {
  const built = buildJobDatabase();
  cleanups.push(() => built.close());
  return built;
}

/** A pool with test-friendly timings; stopped after the test. */
function pool(options: WorkerPoolOptions): WorkerPool {
  const started = startWorkers({
    pollIntervalMs: 20,
    progressEmitMs: 0,
    progressPersistMs: 0,
    backoff: { baseMs: 10, jitter: false },
    onPoolError: (error) => {
      throw error;
    },
    ...options,
  });
  cleanups.push(() => started.stop({ timeoutMs: 1000 }));
  return started;
}

function unavailable(): PolettError {
  return new PolettError({
    code: 'model_unavailable',
    status: 503,
    message: { sv: 'Modellen svarar inte; försök igen.', en: 'The model does not answer; try again.' },
  });
}

const echoHandler = defineJobHandler({
  type: 'test.echo',
  input: z.object({ text: z.string() }),
  async run(input) {
    return { echoed: input.text };
  },
});

describe('startWorkers', () => {
  it('runs a job and stores its result', async () => {
    const { queue } = database();
    pool({ queue, handlers: [echoHandler] });
    const job = await queue.enqueue({
      type: 'test.echo',
      input: { text: 'hej' },
      workspaceId: 'workspace-a',
    });
    const final = await waitForJobEnd(queue, job.id);
    expect(final.state).toBe('succeeded');
    expect(final.result).toEqual({ echoed: 'hej' });
    expect(final.attempts).toBe(1);
    expect(final.leaseOwner).toBeNull();
    expect(final.finishedAt).not.toBeNull();
  });

  it('retries a retryable error with growing backoff, then succeeds', async () => {
    const { queue } = database();
    let calls = 0;
    const flaky = defineJobHandler({
      type: 'test.flaky',
      input: z.object({}),
      async run() {
        calls += 1;
        if (calls < 3) throw unavailable();
        return 'ok';
      },
    });
    const job = await queue.enqueue({ type: 'test.flaky', input: {}, workspaceId: null, maxAttempts: 4 });
    const events: JobEvent[] = [];
    const following = (async () => {
      for await (const event of queue.subscribe(job.id, { signal: AbortSignal.timeout(15_000) }))
        events.push(event);
    })();
    pool({ queue, handlers: [flaky], backoff: { baseMs: 30, jitter: false } });
    await following;
    const final = await queue.get(job.id);
    expect(final?.state).toBe('succeeded');
    expect(final?.attempts).toBe(3);
    expect(final?.error).toBeNull();
    const retries = events.filter(
      (event): event is Extract<JobEvent, { type: 'state-change' }> =>
        event.type === 'state-change' && event.retryAt !== null,
    );
    expect(retries.map((event) => [event.attempt, event.error?.code])).toEqual([
      [1, 'model_unavailable'],
      [2, 'model_unavailable'],
    ]);
  });

  it('fails a non-retryable error at once, with its code and sentence', async () => {
    const { queue } = database();
    let calls = 0;
    const broken = defineJobHandler({
      type: 'test.broken',
      input: z.object({}),
      async run() {
        calls += 1;
        throw new PolettError({
          code: 'file_unreadable',
          status: 400,
          message: { sv: 'Filen går inte att läsa.', en: 'The file cannot be read.' },
        });
      },
    });
    pool({ queue, handlers: [broken] });
    const job = await queue.enqueue({ type: 'test.broken', input: {}, workspaceId: null, maxAttempts: 5 });
    const final = await waitForJobEnd(queue, job.id);
    expect(final.state).toBe('failed');
    expect(final.attempts).toBe(1);
    expect(calls).toBe(1);
    expect(final.error).toEqual({
      code: 'file_unreadable',
      retryable: false,
      message: { sv: 'Filen går inte att läsa.', en: 'The file cannot be read.' },
    });
  });

  it('fails after max attempts of a retryable error, keeping the last error', async () => {
    const { queue } = database();
    const alwaysDown = defineJobHandler({
      type: 'test.down',
      input: z.object({}),
      async run() {
        throw unavailable();
      },
    });
    pool({ queue, handlers: [alwaysDown] });
    const job = await queue.enqueue({ type: 'test.down', input: {}, workspaceId: null, maxAttempts: 2 });
    const final = await waitForJobEnd(queue, job.id);
    expect(final.state).toBe('failed');
    expect(final.attempts).toBe(2);
    expect(final.error?.code).toBe('model_unavailable');
  });

  it('fails a job of an unknown type with a sentence naming the type', async () => {
    const { queue } = database();
    pool({ queue, handlers: [echoHandler] });
    const job = await queue.enqueue({ type: 'test.nobody-handles-this', input: {}, workspaceId: null });
    const final = await waitForJobEnd(queue, job.id);
    expect(final.state).toBe('failed');
    expect(final.attempts).toBe(1);
    expect(final.error?.code).toBe('job_type_unknown');
    expect(final.error?.message.en).toContain('"test.nobody-handles-this"');
    expect(final.error?.message.sv).toContain('"test.nobody-handles-this"');
  });

  it('leaves jobs of other types alone when it claims only the types it handles', async () => {
    const { queue } = database();
    pool({ queue, handlers: [echoHandler], claim: 'handled-types' });
    const foreign = await queue.enqueue({ type: 'models.pull', input: {}, workspaceId: null, priority: 9 });
    const own = await queue.enqueue({ type: 'test.echo', input: { text: 'hej' }, workspaceId: null });
    expect((await waitForJobEnd(queue, own.id)).state).toBe('succeeded');
    expect(await queue.get(foreign.id)).toMatchObject({ state: 'queued', attempts: 0 });
  });

  it('fails a job whose input does not match the schema, having written nothing', async () => {
    const { queue, storage } = database();
    createItemResultsTable(storage.database);
    pool({ queue, handlers: [itemWritingJobHandler] });
    const job = await queue.enqueue({
      type: ITEM_WRITING_JOB_TYPE,
      input: { count: 'many', sleepMs: 0 },
      workspaceId: null,
    });
    const final = await waitForJobEnd(queue, job.id);
    expect(final.state).toBe('failed');
    expect(final.attempts).toBe(1);
    expect(final.error?.code).toBe('job_input_invalid');
    expect(final.error?.message.en).toMatch(
      /^The input of the job "test\.item-writing" is invalid \(count: .+\)/,
    );
    expect(storage.database.prepare('SELECT COUNT(*) AS n FROM job_test_results').get()).toEqual({ n: 0 });
  });

  it('reports progress to a subscriber in order, then the end', async () => {
    const { queue } = database();
    const counting = defineJobHandler({
      type: 'test.counting',
      input: z.object({ steps: z.number() }),
      async run(input, context) {
        for (let step = 1; step <= input.steps; step += 1) {
          context.reportProgress({ done: step, total: input.steps, message: `steg ${step}` });
          await sleep(1);
        }
        return null;
      },
    });
    const job = await queue.enqueue({
      type: 'test.counting',
      input: { steps: 6 },
      workspaceId: 'workspace-a',
    });
    const events: JobEvent[] = [];
    const following = (async () => {
      for await (const event of queue.subscribe(job.id, { signal: AbortSignal.timeout(15_000) }))
        events.push(event);
    })();
    pool({ queue, handlers: [counting] });
    await following;
    expect(events[0]?.type).toBe('snapshot');
    expect(events.at(-1)?.type).toBe('end');
    const progress = events.flatMap((event) => (event.type === 'progress-update' ? [event.progress] : []));
    expect(progress.map((entry) => entry.done)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(progress.at(-1)).toEqual({ done: 6, total: 6, message: 'steg 6' });
    expect((await queue.get(job.id))?.progress).toEqual({ done: 6, total: 6, message: 'steg 6' });
  });

  it('cancels a queued job at once: it never runs', async () => {
    const { queue } = database();
    let calls = 0;
    const counted = defineJobHandler({
      type: 'test.counted',
      input: z.object({}),
      async run() {
        calls += 1;
      },
    });
    const job = await queue.enqueue({ type: 'test.counted', input: {}, workspaceId: 'workspace-a' });
    const cancelled = await queue.cancel(job.id, { workspaceId: 'workspace-a' });
    expect(cancelled.state).toBe('cancelled');
    const marker = await queue.enqueue({ type: 'test.counted', input: {}, workspaceId: 'workspace-a' });
    pool({ queue, handlers: [counted] });
    await waitForJobEnd(queue, marker.id);
    expect(calls).toBe(1);
    expect((await queue.get(job.id))?.state).toBe('cancelled');
  });

  it('cancels a running job through its abort signal: no item is written after', async () => {
    const { queue, storage } = database();
    createItemResultsTable(storage.database);
    pool({ queue, handlers: [itemWritingJobHandler] });
    const job = await queue.enqueue({
      type: ITEM_WRITING_JOB_TYPE,
      input: { count: 500, sleepMs: 5 },
      workspaceId: null,
    });
    await waitFor(async () => (await queue.countFinishedItems(job.id)) >= 3, { what: 'three items' });
    const requested = await queue.cancel(job.id);
    expect(requested.cancelRequested).toBe(true);
    const final = await waitForJobEnd(queue, job.id);
    expect(final.state).toBe('cancelled');
    const written = storage.database.prepare('SELECT COUNT(*) AS n FROM job_test_results').get() as {
      n: number;
    };
    expect(written.n).toBe(await queue.countFinishedItems(job.id));
    expect(written.n).toBeLessThan(500);
  });

  it('hears a cancel made in another process at its next heartbeat', async () => {
    const built = database();
    createItemResultsTable(built.storage.database);
    const elsewhere = built.openQueue();
    pool({ queue: built.queue, handlers: [itemWritingJobHandler], leaseMs: 300, heartbeatMs: 20 });
    const job = await built.queue.enqueue({
      type: ITEM_WRITING_JOB_TYPE,
      input: { count: 500, sleepMs: 5 },
      workspaceId: null,
    });
    await waitFor(async () => (await built.queue.countFinishedItems(job.id)) >= 2, { what: 'two items' });
    await elsewhere.cancel(job.id);
    const final = await waitForJobEnd(built.queue, job.id);
    expect(final.state).toBe('cancelled');
    expect(await built.queue.countFinishedItems(job.id)).toBeLessThan(500);
  });

  it('never runs one job in two pools at once (two connections racing for leases)', async () => {
    const built = database();
    const otherQueue = built.openQueue();
    const runsPerJob = new Map<string, number>();
    let overlapping = 0;
    const active = new Set<string>();
    const tracked = defineJobHandler({
      type: 'test.tracked',
      input: z.object({}),
      async run(_input, context) {
        if (active.has(context.jobId)) overlapping += 1;
        active.add(context.jobId);
        runsPerJob.set(context.jobId, (runsPerJob.get(context.jobId) ?? 0) + 1);
        await sleep(5);
        active.delete(context.jobId);
      },
    });
    const jobs = await Promise.all(
      Array.from({ length: 16 }, () =>
        built.queue.enqueue({ type: 'test.tracked', input: {}, workspaceId: null }),
      ),
    );
    const states = async () => Promise.all(jobs.map((job) => built.queue.get(job.id)));
    pool({ queue: built.queue, handlers: [tracked], concurrency: 2, workerId: 'pool-a' });
    pool({ queue: otherQueue, handlers: [tracked], concurrency: 2, workerId: 'pool-b', pollIntervalMs: 5 });
    await waitFor(async () => (await states()).every((job) => job?.state === 'succeeded'), {
      what: 'every job to succeed',
    });
    expect(overlapping).toBe(0);
    expect(jobs.map((job) => runsPerJob.get(job.id))).toEqual(jobs.map(() => 1));
    expect((await states()).map((job) => job?.attempts)).toEqual(jobs.map(() => 1));
  });

  it('lets a worker that stalled past its lease write nothing more once another took over', async () => {
    const built = database();
    createItemResultsTable(built.storage.database);
    const otherQueue = built.openQueue();
    const job = await built.queue.enqueue({
      type: ITEM_WRITING_JOB_TYPE,
      input: { count: 40, sleepMs: 10 },
      workspaceId: null,
    });
    // Pool A never renews its lease: it behaves like a process frozen by a long pause.
    pool({ queue: built.queue, handlers: [itemWritingJobHandler], leaseMs: 100, heartbeatMs: 60_000 });
    await waitFor(async () => (await built.queue.countFinishedItems(job.id)) >= 2, {
      what: 'pool A to start',
    });
    pool({ queue: otherQueue, handlers: [itemWritingJobHandler], leaseMs: 5000, pollIntervalMs: 10 });
    const final = await waitForJobEnd(built.queue, job.id);
    expect(final.state).toBe('succeeded');
    expect(final.attempts).toBe(2);
    const counts = built.storage.database
      .prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT item_key) AS distinctKeys FROM job_test_results')
      .get();
    expect(counts).toEqual({ n: 40, distinctKeys: 40 });
  });

  it('records a failed item in the report and goes on with the others', async () => {
    const { queue } = database();
    const files = ['a.pdf', 'trasig.pdf', 'c.docx'];
    const ingest = defineJobHandler({
      type: 'test.ingest',
      input: z.object({ files: z.array(z.string()) }),
      async run(input, context) {
        context.reportProgress({ total: input.files.length });
        for (const file of input.files) {
          if (file.startsWith('trasig')) {
            await context.failItem(
              file,
              new PolettError({
                code: 'document_corrupt',
                status: 400,
                message: { sv: `${file} är skadad.`, en: `${file} is corrupt.` },
              }),
            );
            continue;
          }
          await context.processItem(file, () => ({ chunks: file.length }));
        }
        return { indexed: context.itemsFinished };
      },
    });
    pool({ queue, handlers: [ingest] });
    const job = await queue.enqueue({ type: 'test.ingest', input: { files }, workspaceId: 'workspace-a' });
    const final = await waitForJobEnd(queue, job.id);
    expect(final.state).toBe('succeeded');
    expect(final.progress).toEqual({ done: 3, total: 3, message: null });
    const report = await queue.listItems(job.id);
    expect(report.map((item) => [item.key, item.state, item.result, item.error?.code ?? null])).toEqual([
      ['a.pdf', 'done', { chunks: 5 }, null],
      ['trasig.pdf', 'failed', null, 'document_corrupt'],
      ['c.docx', 'done', { chunks: 6 }, null],
    ]);
    expect((await queue.listItems(job.id, { state: 'failed' })).map((item) => item.key)).toEqual([
      'trasig.pdf',
    ]);
    const firstPage = await queue.listItems(job.id, { limit: 2 });
    const nextPage = await queue.listItems(job.id, { afterSequence: firstPage.at(-1)?.sequence ?? 0 });
    expect(nextPage.map((item) => item.key)).toEqual(['c.docx']);
  });

  it('stops gracefully: an aborted job goes back to the queue and the next pool finishes it', async () => {
    const { queue, storage } = database();
    createItemResultsTable(storage.database);
    const first = startWorkers({ queue, handlers: [itemWritingJobHandler], pollIntervalMs: 20 });
    const job = await queue.enqueue({
      type: ITEM_WRITING_JOB_TYPE,
      input: { count: 60, sleepMs: 5 },
      workspaceId: null,
    });
    await waitFor(async () => (await queue.countFinishedItems(job.id)) >= 2, { what: 'two items' });
    await first.stop({ timeoutMs: 10 });
    const released = await queue.get(job.id);
    expect(released?.state).toBe('queued');
    expect(released?.attempts).toBe(0);
    expect(released?.leaseOwner).toBeNull();
    pool({ queue, handlers: [itemWritingJobHandler] });
    const final = await waitForJobEnd(queue, job.id);
    expect(final.state).toBe('succeeded');
    expect(final.attempts).toBe(1);
    const counts = storage.database
      .prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT item_key) AS distinctKeys FROM job_test_results')
      .get();
    expect(counts).toEqual({ n: 60, distinctKeys: 60 });
  });
});
