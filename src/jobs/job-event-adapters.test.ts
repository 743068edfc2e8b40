import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildJobDatabase } from '../../test-support/job-builders.js';
import { defineJobHandler, followJobWithProgressBar, startWorkers, toServerSentEvents } from './index.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const threeSteps = defineJobHandler({
  type: 'test.three-steps',
  input: z.object({}),
  async run(_input, context) {
    for (let step = 1; step <= 3; step += 1) {
      context.reportProgress({ done: step, total: 3, message: `fil-${step}.pdf` });
      await new Promise((resolve) => setImmediate(resolve));
    }
    return { files: 3 };
  },
});

function setUp() {
  const built = buildJobDatabase();
  cleanups.push(() => built.close());
  const pool = startWorkers({
    queue: built.queue,
    handlers: [threeSteps],
    pollIntervalMs: 20,
    progressEmitMs: 0,
    progressPersistMs: 0,
  });
  cleanups.push(() => pool.stop({ timeoutMs: 1000 }));
  return built;
}

describe('job event adapters', () => {
  it('formats a job as server-sent events, one per event, ending with `end`', async () => {
    const { queue } = setUp();
    const job = await queue.enqueue({ type: 'test.three-steps', input: {}, workspaceId: 'workspace-a' });
    const chunks: string[] = [];
    for await (const chunk of toServerSentEvents(
      queue.subscribe(job.id, { signal: AbortSignal.timeout(10_000) }),
    )) {
      chunks.push(chunk);
    }
    expect(chunks[0]).toMatch(/^id: 1\nevent: snapshot\ndata: \{.*\}\n\n$/);
    expect(chunks.at(-1)).toMatch(/^id: \d+\nevent: end\ndata: \{.*"state":"succeeded".*\}\n\n$/);
    const progress = chunks
      .filter((chunk) => chunk.includes('event: progress-update'))
      .map(
        (chunk) =>
          (JSON.parse(chunk.split('data: ')[1] ?? '') as { progress: { done: number } }).progress.done,
      );
    expect(progress).toEqual([1, 2, 3]);
  });

  it('draws a progress bar in Swedish until the job ends, and returns the final job', async () => {
    const { queue } = setUp();
    const stream = new PassThrough();
    let output = '';
    stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const job = await queue.enqueue({ type: 'test.three-steps', input: {}, workspaceId: 'workspace-a' });
    const final = await followJobWithProgressBar(queue, job.id, {
      stream,
      locale: 'sv',
      signal: AbortSignal.timeout(10_000),
    });
    expect(final?.state).toBe('succeeded');
    expect(final?.result).toEqual({ files: 3 });
    expect(output).toContain('3/3 | klart fil-3.pdf');
  });
});
