/**
 * Data retention: each workspace says how many days conversations and feedback are kept, and a
 * daily sweep (a durable job) deletes what is older. The tables live in the capabilities that own
 * them, so each registers a `RetentionTarget` here; the sweep also drops finished jobs older than
 * a month, which are only a log.
 */
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { defineJobHandler, type SqliteJobQueue } from '../jobs/index.js';
import type { Platform, WorkspaceRecord } from './types.js';

export const RETENTION_JOB = 'retention.sweep';
export const RETENTION_SWEEP_EVERY_MS = 24 * 60 * 60 * 1000;
const FINISHED_JOBS_KEPT_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/** One kind of data a workspace's retention setting applies to. */
export interface RetentionTarget {
  /** For the report and the audit log: `conversations`, `feedback`. */
  name: string;
  setting: keyof Pick<WorkspaceRecord, 'conversationRetentionDays' | 'feedbackRetentionDays'>;
  /** Deletes the workspace's rows older than the cutoff (ISO 8601), in one transaction; returns how many. */
  deleteOlderThan(database: Database, workspaceId: string, cutoff: string): number;
}

/**
 * The targets in this installation. The Assistant adds conversations and Insights adds feedback
 * when they land (`registerRetentionTarget` at module load).
 */
const targets: RetentionTarget[] = [];

export function registerRetentionTarget(target: RetentionTarget): void {
  if (!targets.some((existing) => existing.name === target.name)) targets.push(target);
}

export function retentionTargets(): readonly RetentionTarget[] {
  return targets;
}

export function retentionJobHandler(dependencies: {
  platform: Platform;
  database: Database;
  jobs: SqliteJobQueue;
  now?: () => Date;
}) {
  return defineJobHandler({
    type: RETENTION_JOB,
    input: z.object({}).passthrough(),
    async run(_input, context) {
      const now = (dependencies.now ?? (() => new Date()))();
      const deleted: Record<string, number> = {};
      for (const workspace of dependencies.platform.workspaces.listAll()) {
        context.throwIfAborted();
        for (const target of targets) {
          const days = workspace[target.setting];
          if (days === null) continue;
          const cutoff = new Date(now.getTime() - days * DAY_MS).toISOString();
          const count = target.deleteOlderThan(dependencies.database, workspace.id, cutoff);
          if (count === 0) continue;
          deleted[target.name] = (deleted[target.name] ?? 0) + count;
          dependencies.platform.forWorkspace(workspace.id).audit.record({
            actor: { type: 'system', id: 'retention', label: 'retention sweep' },
            action: 'retention.deleted',
            target: target.name,
            details: { count, olderThan: cutoff, days },
          });
        }
      }
      const jobs = await dependencies.jobs.purgeFinished(
        new Date(now.getTime() - FINISHED_JOBS_KEPT_DAYS * DAY_MS),
      );
      return { deleted, finishedJobsPurged: jobs };
    },
  });
}
