/**
 * Scheduled re-sync: a system job, run every quarter of an hour by the scheduler, that starts a
 * sync of every source whose `syncEveryHours` has passed since its last sync. The syncs are
 * ordinary jobs in their workspaces, so they show in each workspace's job list.
 */
import { z } from 'zod';
import { defineJobHandler, workspaceJobQueue, type JobQueue } from '../jobs/index.js';
import type { SqliteKnowledgeStore } from './sqlite-knowledge-store.js';
import { KNOWLEDGE_SYNC_JOB } from './sync-job.js';

export const KNOWLEDGE_RESYNC_JOB = 'knowledge.resync';
export const KNOWLEDGE_RESYNC_EVERY_MS = 15 * 60 * 1000;

export function knowledgeResyncJobHandler(dependencies: {
  store: () => Promise<SqliteKnowledgeStore>;
  jobs: JobQueue;
}) {
  return defineJobHandler({
    type: KNOWLEDGE_RESYNC_JOB,
    input: z.object({}).passthrough(),
    async run(_input, context) {
      const store = await dependencies.store();
      const started: string[] = [];
      for (const { workspaceId, sourceId } of store.dueForSync()) {
        context.throwIfAborted();
        const job = await workspaceJobQueue(dependencies.jobs, workspaceId).enqueue({
          type: KNOWLEDGE_SYNC_JOB,
          input: { sourceId },
        });
        // Marked at once, so that the next sweep does not start a second sync of the same source.
        store.forWorkspace(workspaceId).updateSourceStatus(sourceId, { status: 'syncing', jobId: job.id });
        started.push(sourceId);
      }
      return { started };
    },
  });
}
