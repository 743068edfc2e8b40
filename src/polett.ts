/**
 * Opens a Polett instance on a data folder: configuration, storage and models, in the order each
 * needs the last. The server, the CLI and the tests all start from here.
 */
import { readFileSync } from 'node:fs';
import { assistantWebhookJobHandler } from './assistant/service.js';
import { loadConfig, type LoadConfigOptions, type PolettConfig } from './config/index.js';
import { SqliteJobQueue, startWorkers, type WorkerPool } from './jobs/index.js';
import { startScheduler, type Scheduler } from './jobs/scheduler.js';
import { ModelRegistry, type ModelRegistryOptions } from './models/index.js';
import { modelPullJobHandler } from './models/local-models.js';
import { openPlatform } from './platform/index.js';
import { RETENTION_JOB, RETENTION_SWEEP_EVERY_MS, retentionJobHandler } from './platform/retention.js';
import { openStorage, type SqliteStorage } from './storage/index.js';
import { contentJobHandlers } from './content/job-handlers.js';
import { KNOWLEDGE_SCHEDULE, knowledgeJobHandlers } from './knowledge/job-handlers.js';
import { insightsJobHandlers } from './insights/insights-jobs.js';

export interface Polett {
  config: PolettConfig;
  storage: SqliteStorage;
  models: ModelRegistry;
  /** Durable jobs (ingestion, analysis, model pulls), in the same database. */
  jobs: SqliteJobQueue;
  version: string;
  /**
   * Starts the in-process worker pool that runs the jobs. The server does; a CLI command that only
   * reads does not. `close()` stops it (running jobs are handed back to the queue) before storage.
   */
  startWorkers(options?: { concurrency?: number }): WorkerPool;
  close(): Promise<void>;
}

export interface OpenPolettOptions extends LoadConfigOptions {
  /** Passed to the model registry (tests replace fetch and shorten retry delays). */
  models?: Omit<ModelRegistryOptions, 'config' | 'storage' | 'env'>;
}

/** Polett's version, from its package.json. */
export const POLETT_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export function openPolett(options: OpenPolettOptions = {}): Polett {
  const config = loadConfig({ ...options, createDataDir: options.createDataDir ?? true });
  const storage = openStorage({ dataDir: config.dataDir, ...(options.env ? { env: options.env } : {}) });
  let models: ModelRegistry;
  try {
    models = new ModelRegistry({ ...options.models, config, storage, env: options.env ?? process.env });
  } catch (error) {
    storage.close();
    throw error;
  }
  const jobs = new SqliteJobQueue({ database: storage.database });
  let workers: WorkerPool | undefined;
  let scheduler: Scheduler | undefined;
  return {
    config,
    storage,
    models,
    jobs,
    version: POLETT_VERSION,
    startWorkers(workerOptions = {}) {
      workers ??= startWorkers({
        queue: jobs,
        concurrency: workerOptions.concurrency ?? 2,
        // Each capability adds its job handlers here as it lands.
        handlers: [
          modelPullJobHandler({
            storage,
            modelsDirectory: models.modelsDirectory,
            onRegistered: () => models.syncRegisteredLocalModels(true),
          }),
          retentionJobHandler({ platform: openPlatform(storage), database: storage.database, jobs }),
          ...contentJobHandlers({ database: storage.database, models, dataDir: config.dataDir }),
          ...knowledgeJobHandlers({ database: storage.database, models, jobs, dataDir: config.dataDir }),
          ...insightsJobHandlers({
            database: storage.database,
            jobs,
            classificationModel: (workspaceId) =>
              models.taskStatus().find((status) => status.task === 'classify')?.ready
                ? models.classificationModel({ workspaceId })
                : undefined,
            chatModel: (workspaceId) =>
              models.taskStatus().find((status) => status.task === 'chat')?.ready
                ? models.languageModel({ task: 'chat', workspaceId })
                : undefined,
          }),
          assistantWebhookJobHandler({ database: storage.database }),
        ],
      });
      // The daily retention sweep runs where the workers run.
      scheduler ??= startScheduler({
        queue: jobs,
        schedules: [{ type: RETENTION_JOB, everyMs: RETENTION_SWEEP_EVERY_MS }, KNOWLEDGE_SCHEDULE],
        onError: (error) => process.stderr.write(`polett scheduler: ${(error as Error).message}\n`),
      });
      return workers;
    },
    async close() {
      scheduler?.stop();
      await workers?.stop({ timeoutMs: 10_000 });
      await models.close();
      storage.close();
    },
  };
}
