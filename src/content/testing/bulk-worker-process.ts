/**
 * A worker process for the bulk kill -9 test and benchmark:
 * `tsx src/content/testing/bulk-worker-process.ts <dataDir> <leaseMs>` opens Polett on the data
 * folder (its polett.json names the chat model) and runs Content's job handlers until killed.
 */
import { startWorkers } from '../../jobs/index.js';
import { openPolett } from '../../polett.js';
import { contentJobHandlers } from '../job-handlers.js';

const [dataDir, leaseText] = process.argv.slice(2);
if (dataDir === undefined || leaseText === undefined) {
  process.stderr.write('usage: bulk-worker-process.ts <dataDir> <leaseMs>\n');
  process.exit(2);
}
const leaseMs = Number(leaseText);
const polett = openPolett({ dataDir, env: {} });
startWorkers({
  queue: polett.jobs,
  handlers: contentJobHandlers({ database: polett.storage.database, models: polett.models }),
  leaseMs,
  heartbeatMs: Math.max(10, Math.floor(leaseMs / 4)),
  pollIntervalMs: 50,
  progressPersistMs: 50,
});
process.stdout.write('ready\n');
