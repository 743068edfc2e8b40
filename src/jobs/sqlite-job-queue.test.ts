import { afterEach, describe, expect, it } from 'vitest';
import { isPolettError, type PolettError } from '../errors.js';
import { buildJobDatabase, type JobTestDatabase } from '../../test-support/job-builders.js';
import { createItemResultsTable } from '../../test-support/item-writing-job.js';
import { retryDelayMs, workspaceJobQueue, type JobEvent, type SqliteJobQueueOptions } from './index.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

function database(options: Omit<SqliteJobQueueOptions, 'database'> = {}): JobTestDatabase {
  const built = buildJobDatabase(options);
  cleanups.push(() => built.close());
  return built;
}

/** The PolettError a call rejects with (a promise) or throws at its first step (an iterable). */
async function thrown(call: () => unknown): Promise<PolettError> {
  try {
    const value = call();
    if (typeof value === 'object' && value !== null && Symbol.asyncIterator in value) {
      await (value as AsyncIterable<unknown>)[Symbol.asyncIterator]().next();
    } else {
      await value;
    }
  } catch (error) {
    if (isPolettError(error)) return error;
    throw error;
  }
  throw new Error('expected a PolettError');
}

/** A clock the test moves by hand. */
function manualClock(start = Date.parse('2026-11-28T12:00:00Z')) {
  let now = start;
  return { now: () => now, advance: (milliseconds: number) => (now += milliseconds) };
}

describe('SqliteJobQueue', () => {
  it('enqueues, reads and lists jobs within one workspace only', async () => {
    const { queue } = database();
    const own = await queue.enqueue({
      type: 'test.a',
      input: { n: 1 },
      workspaceId: 'workspace-a',
      priority: 2,
    });
    await queue.enqueue({ type: 'test.a', input: { n: 2 }, workspaceId: 'workspace-b' });
    const system = await queue.enqueue({
      type: 'models.pull',
      input: { reference: 'x/y' },
      workspaceId: null,
    });

    expect(own).toMatchObject({ state: 'queued', attempts: 0, maxAttempts: 3, priority: 2, input: { n: 1 } });
    expect((await queue.get(own.id, { workspaceId: 'workspace-a' }))?.id).toBe(own.id);
    expect(await queue.get(own.id, { workspaceId: 'workspace-b' })).toBeUndefined();
    expect((await queue.list({ workspaceId: 'workspace-a' })).map((job) => job.id)).toEqual([own.id]);
    expect((await queue.list({ workspaceId: null })).map((job) => job.id)).toEqual([system.id]);
    expect(await queue.list({ workspaceId: 'workspace-a', states: ['succeeded'] })).toEqual([]);
    expect((await thrown(() => queue.cancel(own.id, { workspaceId: 'workspace-b' }))).code).toBe(
      'job_not_found',
    );
    expect((await queue.get(own.id))?.state).toBe('queued');
  });

  it("binds a workspace accessor to its workspace: another one's job is not found", async () => {
    const { queue } = database();
    const workspaceA = workspaceJobQueue(queue, 'workspace-a');
    const workspaceB = workspaceJobQueue(queue, 'workspace-b');
    const job = await workspaceA.enqueue({ type: 'test.a', input: {} });
    expect(job.workspaceId).toBe('workspace-a');
    expect((await workspaceA.list()).map((entry) => entry.id)).toEqual([job.id]);
    expect(await workspaceB.list()).toEqual([]);
    expect(await workspaceB.get(job.id)).toBeUndefined();
    expect((await thrown(() => workspaceB.cancel(job.id))).code).toBe('job_not_found');
    expect((await thrown(() => workspaceB.listItems(job.id))).code).toBe('job_not_found');
    expect((await thrown(() => workspaceB.subscribe(job.id))).code).toBe('job_not_found');
    expect((await workspaceA.cancel(job.id)).state).toBe('cancelled');
  });

  it('refuses bad enqueue options with one sentence naming the field', async () => {
    const { queue } = database();
    const error = await thrown(() =>
      queue.enqueue({ type: 'test.a', input: {}, workspaceId: null, maxAttempts: 0 }),
    );
    expect(error.code).toBe('job_options_invalid');
    expect(error.field).toBe('maxAttempts');
    expect(error.messageIn('sv')).toContain('maxAttempts');
    expect(
      (await thrown(() => queue.enqueue({ type: 'test.a', input: undefined, workspaceId: null }))).field,
    ).toBe('input');
    expect(await queue.list({ workspaceId: null })).toEqual([]);
  });

  it('claims each due job once, highest priority first, and not before its run-after', async () => {
    const clock = manualClock();
    const { queue } = database({ now: clock.now });
    const low = await queue.enqueue({ type: 'test.a', input: {}, workspaceId: null });
    const high = await queue.enqueue({ type: 'test.a', input: {}, workspaceId: null, priority: 5 });
    const later = await queue.enqueue({
      type: 'test.a',
      input: {},
      workspaceId: null,
      runAfter: new Date(clock.now() + 1000),
    });

    expect((await queue.claim({ workerId: 'w', leaseMs: 100 }))?.job.id).toBe(high.id);
    expect((await queue.claim({ workerId: 'w', leaseMs: 100 }))?.job.id).toBe(low.id);
    expect(await queue.claim({ workerId: 'w', leaseMs: 100 })).toBeUndefined();
    expect(await queue.nextDueAt()).toBe(clock.now() + 100);
    clock.advance(99);
    expect(await queue.claim({ workerId: 'w', leaseMs: 5000 })).toBeUndefined();
    clock.advance(901);
    // The two leases ran out and `later` became due: the oldest-due of equal priority comes first.
    const claimed = [];
    for (let index = 0; index < 3; index += 1) {
      claimed.push((await queue.claim({ workerId: 'w2', leaseMs: 5000 }))?.job);
    }
    expect(claimed.map((job) => job?.id)).toEqual([high.id, low.id, later.id]);
    expect(claimed.map((job) => job?.attempts)).toEqual([2, 2, 1]);
    expect(claimed.map((job) => job?.leaseOwner)).toEqual(['w2', 'w2', 'w2']);
  });

  it('fails a job whose worker died on its last allowed attempt instead of looping', async () => {
    const clock = manualClock();
    const { queue } = database({ now: clock.now });
    const job = await queue.enqueue({ type: 'test.a', input: {}, workspaceId: null, maxAttempts: 1 });
    expect((await queue.claim({ workerId: 'dead', leaseMs: 100 }))?.job.id).toBe(job.id);
    clock.advance(101);
    expect(await queue.claim({ workerId: 'next', leaseMs: 100 })).toBeUndefined();
    const final = await queue.get(job.id);
    expect(final?.state).toBe('failed');
    expect(final?.error?.code).toBe('job_stalled');
  });

  it('checkpoints items: a finished item is skipped, and a stale lease writes nothing', async () => {
    const clock = manualClock();
    const { queue, storage } = database({ now: clock.now });
    createItemResultsTable(storage.database);
    const job = await queue.enqueue({ type: 'test.a', input: {}, workspaceId: null });
    const first = await queue.claim({ workerId: 'first', leaseMs: 100 });
    if (first === undefined) throw new Error('no claim');
    const insert = (key: string) => (transaction: typeof storage.database) =>
      transaction
        .prepare('INSERT INTO job_test_results (job_id, item_key, value, written_by) VALUES (?, ?, 0, 0)')
        .run(job.id, key).changes;

    expect(await queue.commitItem(job.id, first.leaseToken, 'a', insert('a'))).toEqual({
      written: true,
      value: 1,
    });
    expect(await queue.commitItem(job.id, first.leaseToken, 'a', insert('a'))).toEqual({ written: false });

    // The first worker stalls; another takes the job over after the lease ran out.
    clock.advance(101);
    const second = await queue.claim({ workerId: 'second', leaseMs: 100 });
    expect(second?.job.id).toBe(job.id);
    const stale = await thrown(() => queue.commitItem(job.id, first.leaseToken, 'b', insert('b')));
    expect(stale.code).toBe('job_lease_lost');
    expect(await queue.renewLease(job.id, first.leaseToken, 100)).toEqual({ held: false });
    expect(await queue.complete(job.id, first.leaseToken, 'stale')).toBe(false);

    const rows = storage.database.prepare('SELECT item_key FROM job_test_results ORDER BY item_key').all();
    expect(rows).toEqual([{ item_key: 'a' }]);
    expect((await queue.listItems(job.id)).map((item) => [item.key, item.state, item.result])).toEqual([
      ['a', 'done', 1],
    ]);
  });

  it('rolls back an item whose write throws: neither its result nor its checkpoint stays', async () => {
    const { queue, storage } = database();
    createItemResultsTable(storage.database);
    const job = await queue.enqueue({ type: 'test.a', input: {}, workspaceId: null });
    const claimed = await queue.claim({ workerId: 'w', leaseMs: 1000 });
    if (claimed === undefined) throw new Error('no claim');
    await expect(
      queue.commitItem(job.id, claimed.leaseToken, 'x', (transaction) => {
        transaction
          .prepare("INSERT INTO job_test_results (job_id, item_key, value, written_by) VALUES (?, 'x', 0, 0)")
          .run(job.id);
        throw new Error('half-way');
      }),
    ).rejects.toThrow('half-way');
    expect(await queue.isItemFinished(job.id, 'x')).toBe(false);
    expect(storage.database.prepare('SELECT COUNT(*) AS n FROM job_test_results').get()).toEqual({ n: 0 });
  });

  it('lets a subscriber in another process follow a job through the database', async () => {
    const built = database();
    const watcher = built.openQueue({ subscribePollMs: 10 });
    const job = await built.queue.enqueue({ type: 'test.a', input: {}, workspaceId: null });
    const events: JobEvent[] = [];
    const following = (async () => {
      for await (const event of watcher.subscribe(job.id, { signal: AbortSignal.timeout(10_000) })) {
        events.push(event);
      }
    })();
    const claimed = await built.queue.claim({ workerId: 'w', leaseMs: 10_000 });
    if (claimed === undefined) throw new Error('no claim');
    const waitForEvents = async (count: number) => {
      const deadline = Date.now() + 10_000;
      while (events.length < count && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 5));
    };
    await waitForEvents(2);
    await built.queue.recordProgress(
      job.id,
      claimed.leaseToken,
      { done: 1, total: 2, message: null },
      { persist: true },
    );
    await waitForEvents(3);
    await built.queue.complete(job.id, claimed.leaseToken, { ok: true });
    await following;
    expect(events.map((event) => event.type)).toEqual(['snapshot', 'state-change', 'progress-update', 'end']);
    const end = events.at(-1);
    expect(end?.type === 'end' && end.job.result).toEqual({ ok: true });
  });

  it('purges final jobs older than the retention with their checkpoints, keeping the rest', async () => {
    const clock = manualClock();
    const { queue, storage } = database({ now: clock.now });
    const old = await queue.enqueue({ type: 'test.a', input: {}, workspaceId: null });
    const claimed = await queue.claim({ workerId: 'w', leaseMs: 1000 });
    if (claimed === undefined) throw new Error('no claim');
    await queue.commitItem(old.id, claimed.leaseToken, 'a', () => undefined);
    await queue.complete(old.id, claimed.leaseToken, null);
    const waiting = await queue.enqueue({ type: 'test.a', input: {}, workspaceId: null });
    clock.advance(86_400_000);
    expect(await queue.purgeFinished(new Date(clock.now() - 1000))).toBe(1);
    expect(await queue.get(old.id)).toBeUndefined();
    expect((await queue.get(waiting.id))?.state).toBe('queued');
    expect(storage.database.prepare('SELECT COUNT(*) AS n FROM job_items').get()).toEqual({ n: 0 });
  });

  it('computes exponential backoff, capped, honouring Retry-After', async () => {
    const fixed = { baseMs: 100, maxMs: 1000, jitter: false };
    expect([1, 2, 3, 4, 5].map((attempt) => retryDelayMs(attempt, fixed))).toEqual([
      100, 200, 400, 800, 1000,
    ]);
    expect(retryDelayMs(1, fixed, 30)).toBe(30_000);
    expect(retryDelayMs(3, { baseMs: 100 }, undefined, () => 0)).toBe(200);
    expect(retryDelayMs(3, { baseMs: 100 }, undefined, () => 1)).toBe(400);
  });
});
