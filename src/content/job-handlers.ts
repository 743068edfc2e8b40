/** Content's durable jobs, for the worker pool (src/polett.ts): webhook deliveries and bulk runs. */
import type { Database } from 'better-sqlite3';
import type { JobHandler } from '../jobs/index.js';
import { openKnowledge } from '../knowledge/index.js';
import type { KnowledgeSearcher } from '../knowledge/search-contract.js';
import type { ModelRegistry } from '../models/index.js';
import { contentBulkJobHandler } from './bulk/bulk-run.js';
import { contentWebhookJobHandler } from './webhook-delivery.js';

export function contentJobHandlers(dependencies: {
  database: Database;
  models: ModelRegistry;
  /** With the data folder, bulk runs take their facts from the workspace's Knowledge. */
  dataDir?: string;
  knowledgeFor?: (workspaceId: string) => KnowledgeSearcher | undefined;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the worker pool's own element type
}): Array<JobHandler<any, unknown>> {
  const { dataDir } = dependencies;
  const knowledge =
    dependencies.knowledgeFor === undefined && dataDir !== undefined
      ? openKnowledge({ database: dependencies.database, models: dependencies.models, dataDir })
      : undefined;
  const knowledgeFor =
    dependencies.knowledgeFor ??
    (knowledge ? (workspaceId: string) => knowledge.searcherFor(workspaceId) : undefined);
  return [
    contentWebhookJobHandler({ database: dependencies.database }),
    contentBulkJobHandler({
      database: dependencies.database,
      models: dependencies.models,
      ...(knowledgeFor ? { knowledgeFor } : {}),
    }),
  ];
}
