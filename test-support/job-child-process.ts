/**
 * A worker process for the kill -9 test: `tsx test-support/job-child-process.ts <dataDir> <leaseMs>`
 * runs a worker pool on the data folder's database until it is killed.
 */
import { SqliteJobQueue, startWorkers } from '../src/jobs/index.js';
import { openStorage } from '../src/storage/index.js';
import { createItemResultsTable, itemWritingJobHandler } from './item-writing-job.js';

const [dataDir, leaseText] = process.argv.slice(2);
if (dataDir === undefined || leaseText === undefined) {
  process.stderr.write('usage: job-child-process.ts <dataDir> <leaseMs>\n');
  process.exit(2);
}
const leaseMs = Number(leaseText);
const storage = openStorage({ dataDir, env: {} });
createItemResultsTable(storage.database);
const queue = new SqliteJobQueue({ database: storage.database });
startWorkers({
  queue,
  handlers: [itemWritingJobHandler],
  leaseMs,
  heartbeatMs: Math.max(10, Math.floor(leaseMs / 4)),
  pollIntervalMs: 50,
  progressPersistMs: 50,
});
process.stdout.write('ready\n');
