/**
 * A 1,000-row bulk run of Content killed with SIGKILL halfway: after restart it must end with
 * exactly 1,000 texts, one per row, none twice. Compared, in the same run, against the same
 * catalogue written without interruption, for what the kill and the resume cost in time.
 *
 * The chat model is a stub OpenAI-compatible upstream on loopback that answers each row with its
 * own text after a short delay (src/content/testing/catalogue-upstream.ts); the worker that is
 * killed is a separate process (src/content/testing/bulk-worker-process.ts), as `polett start`
 * would be.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { buildPolett, buildUser, buildWorkspace } from '../test-support/builders.js';
import { waitFor, waitForJobEnd } from '../test-support/job-builders.js';
import { REPOSITORY_ROOT } from '../test-support/paths.js';
import { openContentStudio } from '../src/content/index.js';
import { contentJobHandlers } from '../src/content/job-handlers.js';
import { startCatalogueUpstream, type CatalogueUpstream } from '../src/content/testing/catalogue-upstream.js';
import { startWorkers } from '../src/jobs/index.js';
import { openPlatform } from '../src/platform/index.js';
import { describeMachine, type BenchmarkReport } from './support/benchmark-report.js';

const WORKER_SCRIPT = fileURLToPath(
  new URL('../src/content/testing/bulk-worker-process.ts', import.meta.url),
);
const LEASE_MS = 1000;

export interface ContentBulkOptions {
  rows?: number;
  /** The upstream's answer delay per row. Default 2 ms. */
  delayMs?: number;
}

function catalogue(rows: number): Uint8Array {
  const lines = ['Produkt;Egenskaper;Pris'];
  for (let index = 1; index <= rows; index += 1)
    lines.push(`Kaffe nummer ${index};Rostat i liten sats, sort ${index % 17};${100 + index} kr`);
  return new TextEncoder().encode(`${lines.join('\n')}\n`);
}

async function prepare(upstream: CatalogueUpstream, rows: number) {
  const polett = buildPolett({
    providers: { upstream: { type: 'openai-compatible', baseURL: upstream.url } },
    models: { stub: { provider: 'upstream', model: 'catalogue' } },
    tasks: { chat: ['stub'] },
  });
  const platform = openPlatform(polett.storage);
  const workspace = buildWorkspace(platform, { owner: await buildUser(platform) });
  const studio = openContentStudio({
    database: polett.storage.database,
    models: polett.models,
    jobs: polett.jobs,
  }).forWorkspace(workspace.id);
  const profile = studio.store.createProfile({
    name: 'Kaffekvarnen',
    rules: { requiredPhrases: ['Rostat i Göteborg'] },
  });
  const upload = await studio.uploadBulk(catalogue(rows), 'sortiment.csv');
  const job = await studio.startBulk(upload.id, {
    profileId: profile.id,
    templateId: 'product-description',
    mapping: { product: 'Produkt', features: 'Egenskaper', price: 'Pris' },
  });
  const count = () =>
    polett.storage.database
      .prepare(
        'SELECT COUNT(*) AS texts, COUNT(DISTINCT bulk_row) AS rows FROM content_texts WHERE bulk_job_id = ?',
      )
      .get(job.id) as { texts: number; rows: number };
  const workers = () =>
    startWorkers({
      queue: polett.jobs,
      handlers: contentJobHandlers({ database: polett.storage.database, models: polett.models }),
      leaseMs: LEASE_MS,
      pollIntervalMs: 50,
    });
  return { polett, job, count, workers };
}

export async function runContentBulkBenchmark(options: ContentBulkOptions = {}): Promise<BenchmarkReport> {
  const rows = options.rows ?? 1000;
  const upstream = await startCatalogueUpstream({ delayMs: options.delayMs ?? 2 });
  try {
    // The alternative: the same run, never interrupted.
    const straight = await prepare(upstream, rows);
    const straightStart = performance.now();
    const straightWorkers = straight.workers();
    const straightEnd = await waitForJobEnd(straight.polett.jobs, straight.job.id, 600_000);
    const straightSeconds = (performance.now() - straightStart) / 1000;
    await straightWorkers.stop({ timeoutMs: 2000 });
    const straightCount = straight.count();
    await straight.polett.close();

    // The run under test: a worker process killed halfway, then a restart.
    const killed = await prepare(upstream, rows);
    const killedStart = performance.now();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', WORKER_SCRIPT, killed.polett.dataDir, String(LEASE_MS)],
      {
        cwd: REPOSITORY_ROOT,
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    await waitFor(() => killed.count().texts >= rows / 2, {
      timeoutMs: 600_000,
      intervalMs: 5,
      what: 'half the rows',
    });
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    const atKill = killed.count();
    const killSeconds = (performance.now() - killedStart) / 1000;
    const restartStart = performance.now();
    const restarted = killed.workers();
    const killedEnd = await waitForJobEnd(killed.polett.jobs, killed.job.id, 600_000);
    const resumeSeconds = (performance.now() - restartStart) / 1000;
    await restarted.stop({ timeoutMs: 2000 });
    const killedCount = killed.count();
    await killed.polett.close();

    const exact = killedCount.texts === rows && killedCount.rows === rows && killedEnd.state === 'succeeded';
    return {
      name: 'content-bulk',
      title: `Content bulk: ${rows.toLocaleString('en-US')} rows, killed with SIGKILL halfway, against an uninterrupted run`,
      setup: [
        describeMachine(),
        `Catalogue: ${rows} CSV rows → product descriptions; chat model: stub upstream on loopback, ${options.delayMs ?? 2} ms per answer`,
        `Lease ${LEASE_MS} ms: a resumed run waits out the dead worker's lease before it claims the job`,
      ],
      columns: [
        'run',
        'texts at kill',
        'texts at end',
        'distinct rows',
        'duplicates',
        'attempts',
        'state',
        'seconds',
        'rows/s',
      ],
      rows: [
        [
          'uninterrupted',
          '',
          straightCount.texts,
          straightCount.rows,
          straightCount.texts - straightCount.rows,
          straightEnd.attempts,
          straightEnd.state,
          straightSeconds,
          rows / straightSeconds,
        ],
        [
          'killed halfway + restart',
          atKill.texts,
          killedCount.texts,
          killedCount.rows,
          killedCount.texts - killedCount.rows,
          killedEnd.attempts,
          killedEnd.state,
          killSeconds + resumeSeconds,
          rows / (killSeconds + resumeSeconds),
        ],
      ],
      verdicts: [
        {
          target: `exactly ${rows} texts, one per row, after a kill -9 halfway`,
          measured: `${killedCount.texts} texts, ${killedCount.rows} distinct rows, ${killedEnd.state}`,
          passed: exact,
        },
      ],
      notes: [
        `The killed run spent ${killSeconds.toFixed(1)} s before the kill (including the worker process's start) and ${resumeSeconds.toFixed(1)} s after the restart (including the lease wait).`,
      ],
    };
  } finally {
    await upstream.close();
  }
}
