/**
 * A worker process for the Insights kill -9 test: `tsx analysis-child-process.ts <dataDir> <leaseMs>`
 * runs Insights' job handlers on the data folder's database until it is killed.
 */
import { SqliteJobQueue, startWorkers } from '../../jobs/index.js';
import { openStorage } from '../../storage/index.js';
import { insightsJobHandlers } from '../insights-jobs.js';

const [dataDir, leaseText] = process.argv.slice(2);
if (dataDir === undefined || leaseText === undefined) {
  process.stderr.write('usage: analysis-child-process.ts <dataDir> <leaseMs>\n');
  process.exit(2);
}
const leaseMs = Number(leaseText);
const storage = openStorage({ dataDir, env: {} });
const queue = new SqliteJobQueue({ database: storage.database });
startWorkers({
  queue,
  handlers: insightsJobHandlers({ database: storage.database }),
  leaseMs,
  heartbeatMs: Math.max(10, Math.floor(leaseMs / 4)),
  pollIntervalMs: 50,
  progressPersistMs: 50,
});
process.stdout.write('ready\n');
