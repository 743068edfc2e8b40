import { describe, expect, it } from 'vitest';
import { buildPlatformServer, buildUser, buildWorkspace } from '../../test-support/builders.js';
import { waitFor, waitForJobEnd } from '../../test-support/job-builders.js';
import { RETENTION_JOB, registerRetentionTarget } from './retention.js';

describe('the retention sweep', () => {
  it('runs as a scheduled job and deletes what is older than each workspace keeps, and nothing else', async () => {
    const server = buildPlatformServer({});
    const { database } = server.polett.storage;
    const owner = await buildUser(server.platform);
    const strict = buildWorkspace(server.platform, { owner, name: 'Sparsam AB' });
    const keepsAll = buildWorkspace(server.platform, { owner, name: 'Sparar allt AB' });
    server.platform.forWorkspace(strict.id).workspace.update({ conversationRetentionDays: 7 });

    // A stand-in for the Assistant's conversations table, registered the way the Assistant will.
    database.exec('CREATE TABLE retention_test_conversations (workspace_id TEXT, created_at TEXT)');
    const insert = database.prepare('INSERT INTO retention_test_conversations VALUES (?, ?)');
    const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
    for (const workspace of [strict, keepsAll]) {
      insert.run(workspace.id, daysAgo(30));
      insert.run(workspace.id, daysAgo(1));
    }
    registerRetentionTarget({
      name: 'retention-test-conversations',
      setting: 'conversationRetentionDays',
      deleteOlderThan: (db, workspaceId, cutoff) =>
        db
          .prepare('DELETE FROM retention_test_conversations WHERE workspace_id = ? AND created_at < ?')
          .run(workspaceId, cutoff).changes,
    });

    server.polett.startWorkers({ concurrency: 1 });
    const [job] = await waitFor(async () => {
      const jobs = await server.polett.jobs.list({ workspaceId: null, type: RETENTION_JOB });
      return jobs.length > 0 ? jobs : undefined;
    });
    const finished = await waitForJobEnd(server.polett.jobs, job!.id);
    expect(finished.state).toBe('succeeded');
    expect(finished.result).toMatchObject({ deleted: { 'retention-test-conversations': 1 } });

    const remaining = database
      .prepare(
        'SELECT workspace_id AS workspaceId, COUNT(*) AS count FROM retention_test_conversations GROUP BY workspace_id',
      )
      .all() as Array<{ workspaceId: string; count: number }>;
    expect(Object.fromEntries(remaining.map((row) => [row.workspaceId, row.count]))).toEqual({
      [strict.id]: 1,
      [keepsAll.id]: 2,
    });
    const [entry] = server.platform.forWorkspace(strict.id).audit.list({ limit: 1 });
    expect(entry).toMatchObject({ action: 'retention.deleted', target: 'retention-test-conversations' });
    await server.close();
  });
});
