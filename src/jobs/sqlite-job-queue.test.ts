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

function thrown(call: () => unknown): PolettError {
  try {
    call();
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
  it('enqueues, reads and lists jobs within one workspace only', () => {
    const { queue } = database();
    const own = queue.enqueue({ type: 'test.a', input: { n: 1 }, workspaceId: 'workspace-a', priority: 2 });
    queue.enqueue({ type: 'test.a', input: { n: 2 }, workspaceId: 'workspace-b' });
    const system = queue.enqueue({ type: 'models.pull', input: { reference: 'x/y' }, workspaceId: null });

    expect(own).toMatchObject({ state: 'queued', attempts: 0, maxAttempts: 3, priority: 2, input: { n: 1 } });
    expect(queue.get(own.id, { workspaceId: 'workspace-a' })?.id).toBe(own.id);
    expect(queue.get(own.id, { workspaceId: 'workspace-b' })).toBeUndefined();
    expect(queue.list({ workspaceId: 'workspace-a' }).map((job) => job.id)).toEqual([own.id]);
    expect(queue.list({ workspaceId: null }).map((job) => job.id)).toEqual([system.id]);
    expect(queue.list({ workspaceId: 'workspace-a', states: ['succeeded'] })).toEqual([]);
    expect(thrown(() => queue.cancel(own.id, { workspaceId: 'workspace-b' })).code).toBe('job_not_found');
    expect(queue.get(own.id)?.state).toBe('queued');
  });

  it("binds a workspace accessor to its workspace: another one's job is not found", async () => {
    const { queue } = database();
    const workspaceA = workspaceJobQueue(queue, 'workspace-a');
    const workspaceB = workspaceJobQueue(queue, 'workspace-b');
    const job = workspaceA.enqueue({ type: 'test.a', input: {} });
    expect(job.workspaceId).toBe('workspace-a');
    expect(workspaceA.list().map((entry) => entry.id)).toEqual([job.id]);
    expect(workspaceB.list()).toEqual([]);
    expect(workspaceB.get(job.id)).toBeUndefined();
    expect(thrown(() => workspaceB.cancel(job.id)).code).toBe('job_not_found');
    expect(thrown(() => workspaceB.listItems(job.id)).code).toBe('job_not_found');
    expect(thrown(() => workspaceB.subscribe(job.id)).code).toBe('job_not_found');
    expect(workspaceA.cancel(job.id).state).toBe('cancelled');
  });

  it('refuses bad enqueue options with one sentence naming the field', () => {
    const { queue } = database();
    const error = thrown(() =>
      queue.enqueue({ type: 'test.a', input: {}, workspaceId: null, maxAttempts: 0 }),
    );
    expect(error.code).toBe('job_options_invalid');
    expect(error.field).toBe('maxAttempts');
    expect(error.messageIn('sv')).toContain('maxAttempts');
    expect(thrown(() => queue.enqueue({ type: 'test.a', input: undefined, workspaceId: null })).field).toBe(
      'input',
    );
    expect(queue.list({ workspaceId: null })).toEqual([]);
  });

  it('claims each due job once, highest priority first, and not before its run-after', () => {
    const clock = manualClock();
    const { queue } = database({ now: clock.now });
    const low = queue.enqueue({ type: 'test.a', input: {}, workspaceId: null });
    const high = queue.enqueue({ type: 'test.a', input: {}, workspaceId: null, priority: 5 });
    const later = queue.enqueue({
      type: 'test.a',
      input: {},
      workspaceId: null,
      runAfter: new Date(clock.now() + 1000),
    });

    expect(queue.claim({ workerId: 'w', leaseMs: 100 })?.job.id).toBe(high.id);
    expect(queue.claim({ workerId: 'w', leaseMs: 100 })?.job.id).toBe(low.id);
    expect(queue.claim({ workerId: 'w', leaseMs: 100 })).toBeUndefined();
    expect(queue.nextDueAt()).toBe(clock.now() + 100);
    clock.advance(99);
    expect(queue.claim({ workerId: 'w', leaseMs: 5000 })).toBeUndefined();
    clock.advance(901);
    // The two leases ran out and `later` became due: the oldest-due of equal priority comes first.
    const claimed = [1, 2, 3].map(() => queue.claim({ workerId: 'w2', leaseMs: 5000 })?.job);
    expect(claimed.map((job) => job?.id)).toEqual([high.id, low.id, later.id]);
    expect(claimed.map((job) => job?.attempts)).toEqual([2, 2, 1]);
    expect(claimed.map((job) => job?.leaseOwner)).toEqual(['w2', 'w2', 'w2']);
  });

  it('fails a job whose worker died on its last allowed attempt instead of looping', () => {
    const clock = manualClock();
    const { queue } = database({ now: clock.now });
    const job = queue.enqueue({ type: 'test.a', input: {}, workspaceId: null, maxAttempts: 1 });
    expect(queue.claim({ workerId: 'dead', leaseMs: 100 })?.job.id).toBe(job.id);
    clock.advance(101);
    expect(queue.claim({ workerId: 'next', leaseMs: 100 })).toBeUndefined();
    const final = queue.get(job.id);
    expect(final?.state).toBe('failed');
    expect(final?.error?.code).toBe('job_stalled');
  });

  it('checkpoints items: a finished item is skipped, and a stale lease writes nothing', () => {
    const clock = manualClock();
    const { queue, storage } = database({ now: clock.now });
    createItemResultsTable(storage.database);
    const job = queue.enqueue({ type: 'test.a', input: {}, workspaceId: null });
    const first = queue.claim({ workerId: 'first', leaseMs: 100 });
    if (first === undefined) throw new Error('no claim');
    const insert = (key: string) => (transaction: typeof storage.database) =>
      transaction
        .prepare('INSERT INTO job_test_results (job_id, item_key, value, written_by) VALUES (?, ?, 0, 0)')
        .run(job.id, key).changes;

    expect(queue.commitItem(job.id, first.leaseToken, 'a', insert('a'))).toEqual({ written: true, value: 1 });
    expect(queue.commitItem(job.id, first.leaseToken, 'a', insert('a'))).toEqual({ written: false });

    // The first worker stalls; another takes the job over after the lease ran out.
    clock.advance(101);
    const second = queue.claim({ workerId: 'second', leaseMs: 100 });
    expect(second?.job.id).toBe(job.id);
    const stale = thrown(() => queue.commitItem(job.id, first.leaseToken, 'b', insert('b')));
    expect(stale.code).toBe('job_lease_lost');
    expect(queue.renewLease(job.id, first.leaseToken, 100)).toEqual({ held: false });
    expect(queue.complete(job.id, first.leaseToken, 'stale')).toBe(false);

    const rows = storage.database.prepare('SELECT item_key FROM job_test_results ORDER BY item_key').all();
    expect(rows).toEqual([{ item_key: 'a' }]);
    expect(queue.listItems(job.id).map((item) => [item.key, item.state, item.result])).toEqual([
      ['a', 'done', 1],
    ]);
  });

  it('rolls back an item whose write throws: neither its result nor its checkpoint stays', () => {
    const { queue, storage } = database();
    createItemResultsTable(storage.database);
    const job = queue.enqueue({ type: 'test.a', input: {}, workspaceId: null });
    const claimed = queue.claim({ workerId: 'w', leaseMs: 1000 });
    if (claimed === undefined) throw new Error('no claim');
    expect(() =>
      queue.commitItem(job.id, claimed.leaseToken, 'x', (transaction) => {
        transaction
          .prepare("INSERT INTO job_test_results (job_id, item_key, value, written_by) VALUES (?, 'x', 0, 0)")
          .run(job.id);
        throw new Error('half-way');
      }),
    ).toThrow('half-way');
    expect(queue.isItemFinished(job.id, 'x')).toBe(false);
    expect(storage.database.prepare('SELECT COUNT(*) AS n FROM job_test_results').get()).toEqual({ n: 0 });
  });

  it('lets a subscriber in another process follow a job through the database', async () => {
    const built = database();
    const watcher = built.openQueue({ subscribePollMs: 10 });
    const job = built.queue.enqueue({ type: 'test.a', input: {}, workspaceId: null });
    const events: JobEvent[] = [];
    const following = (async () => {
      for await (const event of watcher.subscribe(job.id, { signal: AbortSignal.timeout(10_000) })) {
        events.push(event);
      }
    })();
    const claimed = built.queue.claim({ workerId: 'w', leaseMs: 10_000 });
    if (claimed === undefined) throw new Error('no claim');
    const waitForEvents = async (count: number) => {
      const deadline = Date.now() + 10_000;
      while (events.length < count && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 5));
    };
    await waitForEvents(2);
    built.queue.recordProgress(
      job.id,
      claimed.leaseToken,
      { done: 1, total: 2, message: null },
      { persist: true },
    );
    await waitForEvents(3);
    built.queue.complete(job.id, claimed.leaseToken, { ok: true });
    await following;
    expect(events.map((event) => event.type)).toEqual(['snapshot', 'state-change', 'progress-update', 'end']);
    const end = events.at(-1);
    expect(end?.type === 'end' && end.job.result).toEqual({ ok: true });
  });

  it('purges final jobs older than the retention with their checkpoints, keeping the rest', () => {
    const clock = manualClock();
    const { queue, storage } = database({ now: clock.now });
    const old = queue.enqueue({ type: 'test.a', input: {}, workspaceId: null });
    const claimed = queue.claim({ workerId: 'w', leaseMs: 1000 });
    if (claimed === undefined) throw new Error('no claim');
    queue.commitItem(old.id, claimed.leaseToken, 'a', () => undefined);
    queue.complete(old.id, claimed.leaseToken, null);
    const waiting = queue.enqueue({ type: 'test.a', input: {}, workspaceId: null });
    clock.advance(86_400_000);
    expect(queue.purgeFinished(new Date(clock.now() - 1000))).toBe(1);
    expect(queue.get(old.id)).toBeUndefined();
    expect(queue.get(waiting.id)?.state).toBe('queued');
    expect(storage.database.prepare('SELECT COUNT(*) AS n FROM job_items').get()).toEqual({ n: 0 });
  });

  it('computes exponential backoff, capped, honouring Retry-After', () => {
    const fixed = { baseMs: 100, maxMs: 1000, jitter: false };
    expect([1, 2, 3, 4, 5].map((attempt) => retryDelayMs(attempt, fixed))).toEqual([
      100, 200, 400, 800, 1000,
    ]);
    expect(retryDelayMs(1, fixed, 30)).toBe(30_000);
    expect(retryDelayMs(3, { baseMs: 100 }, undefined, () => 0)).toBe(200);
    expect(retryDelayMs(3, { baseMs: 100 }, undefined, () => 1)).toBe(400);
  });
});
