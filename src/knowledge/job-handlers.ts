/** Knowledge's job handlers and schedule, for the worker pool in src/polett.ts. */
import type { Database } from 'better-sqlite3';
import type { JobHandler, JobQueue } from '../jobs/index.js';
import type { Schedule } from '../jobs/scheduler.js';
import type { ModelRegistry } from '../models/index.js';
import { openKnowledge } from './index.js';
import { KNOWLEDGE_RESYNC_EVERY_MS, KNOWLEDGE_RESYNC_JOB, knowledgeResyncJobHandler } from './resync-job.js';

/** The sync of one source, and the sweep that starts scheduled re-syncs. */
export function knowledgeJobHandlers(dependencies: {
  database: Database;
  models: ModelRegistry;
  jobs: JobQueue;
  dataDir: string;
}): JobHandler[] {
  const knowledge = openKnowledge(dependencies);
  return [
    knowledge.syncJobHandler() as unknown as JobHandler,
    knowledgeResyncJobHandler({ store: knowledge.store, jobs: dependencies.jobs }) as unknown as JobHandler,
  ];
}

/** Scheduled re-syncs: sources with `syncEveryHours` are looked at every quarter of an hour. */
export const KNOWLEDGE_SCHEDULE: Schedule = {
  type: KNOWLEDGE_RESYNC_JOB,
  everyMs: KNOWLEDGE_RESYNC_EVERY_MS,
};
