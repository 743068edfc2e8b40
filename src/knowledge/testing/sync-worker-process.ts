/**
 * A worker process for the Knowledge kill -9 test: `tsx src/knowledge/testing/sync-worker-process.ts
 * <dataDir> <leaseMs>` opens Polett on the data folder and runs Knowledge's job handlers until it
 * is killed.
 */
import { startWorkers } from '../../jobs/index.js';
import { openPolett } from '../../polett.js';
import { knowledgeJobHandlers } from '../job-handlers.js';

const [dataDir, leaseText] = process.argv.slice(2);
if (dataDir === undefined || leaseText === undefined) {
  process.stderr.write('usage: sync-worker-process.ts <dataDir> <leaseMs>\n');
  process.exit(2);
}
const leaseMs = Number(leaseText);
const polett = openPolett({ dataDir, env: {} });
startWorkers({
  queue: polett.jobs,
  handlers: knowledgeJobHandlers({
    database: polett.storage.database,
    models: polett.models,
    jobs: polett.jobs,
    dataDir: polett.config.dataDir,
  }),
  leaseMs,
  heartbeatMs: Math.max(10, Math.floor(leaseMs / 4)),
  pollIntervalMs: 50,
  progressPersistMs: 50,
});
process.stdout.write('ready\n');
