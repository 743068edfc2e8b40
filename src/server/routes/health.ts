import { Hono } from 'hono';
import type { AppEnvironment, ServerDependencies } from '../context.js';

/**
 * `GET /health`: whether Polett is up, and for each task whether a model is ready and, where none
 * is, what to pull or configure. Polett starts and answers here with no model at all.
 */
export function healthRoutes(dependencies: ServerDependencies) {
  return new Hono<AppEnvironment>().get('/', (context) => {
    const locale = context.get('locale');
    const storage = dependencies.storage.health();
    const tasks = dependencies.models.taskStatus().map((status) => ({
      task: status.task,
      ready: status.ready,
      models: status.models,
      ...(status.hint ? { hint: status.hint[locale] } : {}),
    }));
    return context.json({
      status: 'ok',
      version: dependencies.version,
      storage: {
        kind: storage.kind,
        schemaVersion: storage.schemaVersion,
        journalMode: storage.journalMode,
        fullTextSearch: storage.fullTextSearch,
        vectorSearch: storage.vectorSearch,
      },
      models: dependencies.models.describe().map((model) => ({
        alias: model.alias,
        provider: model.provider,
        type: model.providerType,
        remote: model.remote,
        tasks: model.tasks,
        ready: model.problem === undefined,
        ...(model.problem ? { problem: model.problem[locale] } : {}),
      })),
      tasks,
    });
  });
}
