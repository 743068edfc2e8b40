/**
 * A job for the durability tests: it processes `count` items, each writing one row into
 * `job_test_results` in the same transaction as its checkpoint, after a short sleep that leaves
 * room to kill the process in the middle.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { defineJobHandler } from '../src/jobs/index.js';

export const ITEM_WRITING_JOB_TYPE = 'test.item-writing';

/** The results table, deliberately without a unique constraint: duplicates must be counted, not refused. */
export function createItemResultsTable(database: Database): void {
  database.exec(`CREATE TABLE IF NOT EXISTS job_test_results (
    job_id TEXT NOT NULL, item_key TEXT NOT NULL, value INTEGER NOT NULL, written_by INTEGER NOT NULL)`);
}

export const itemWritingJobHandler = defineJobHandler({
  type: ITEM_WRITING_JOB_TYPE,
  input: z.object({ count: z.number().int().positive(), sleepMs: z.number().int().min(0) }),
  async run(input, context) {
    context.reportProgress({ total: input.count, message: 'writing items' });
    for (let index = 0; index < input.count; index += 1) {
      await context.processItem(`item-${index}`, {
        compute: async (signal) => {
          await sleep(input.sleepMs, undefined, { signal });
          return index * index;
        },
        write: (transaction, value) => {
          transaction
            .prepare('INSERT INTO job_test_results (job_id, item_key, value, written_by) VALUES (?, ?, ?, ?)')
            .run(context.jobId, `item-${index}`, value, process.pid);
        },
      });
    }
    return { items: input.count };
  },
});
