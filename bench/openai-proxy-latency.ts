/**
 * The latency Polett's OpenAI-compatible API adds: the same requests, from the same client
 * (Node's fetch, i.e. undici, with keep-alive), sent straight to an OpenAI-compatible upstream on
 * loopback and through Polett configured with that upstream as an `openai-compatible` provider.
 *
 * Targets: p50 added ≤ 2 ms, p99 added ≤ 10 ms, 200 concurrent streams through Polett with no error.
 *
 * Three processes: the upstream, Polett, and this client. On 2 cores, one process for all would put
 * the upstream's and the client's work on Polett's event loop (and in its garbage collections), so
 * the "through Polett" side would pay for work that is not Polett's; separate processes give each
 * server its own loop and heap, as in production. Sequential requests keep at most one process busy
 * at a time, so 2 cores are enough for them; the concurrent phase is where they compete, on both
 * sides alike.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { describeMachine, type BenchmarkReport, type Cell } from './support/benchmark-report.js';
import { startChildServer, type ChildServer } from './support/child-process.js';
import { summariseCpuProfile, type CallFrame } from './support/cpu-profile-summary.js';
import type { InstrumentationReport, TimingSummary } from './support/polett-instrumentation.js';
import {
  PROXIED_MODEL,
  PROXIED_PACED_MODEL,
  PROXIED_PACED_MODEL_DEFAULT_LIMIT,
  type PolettServerReady,
} from './support/polett-openai-server.js';
import { median, percentile } from './support/statistics.js';
import { UPSTREAM_ANSWER } from './support/upstream-openai-server.js';

export interface OpenAIProxyLatencyBenchmarkOptions {
  /** Sequential requests per side and mode, after the warm-up. Default 2000. */
  requests?: number;
  /** Untimed requests per side and mode first (JIT, connection pools, SQLite page cache). Default 300. */
  warmUpRequests?: number;
  /** Streams started at once in the concurrent phase. Default 200. */
  concurrentStreams?: number;
  /** Waves of concurrent streams per side. Default 3. */
  concurrentWaves?: number;
  /** Diagnose Polett (instrumented run and `--cpu-prof` run): when a latency target is missed (default), always, or never. */
  diagnose?: 'when-missed' | 'always' | 'never';
  /** Node flags for Polett's process (to try a garbage-collector setting, say). Default none. */
  polettNodeOptions?: string[];
}

const UPSTREAM_ENTRY = 'bench/support/upstream-openai-server.ts';
const POLETT_ENTRY = 'bench/support/polett-openai-server.ts';
const TARGET_P50_ADDED_MS = 2;
const TARGET_P99_ADDED_MS = 10;

interface Endpoint {
  label: string;
  url: string;
  apiKey?: string;
}

interface RequestOutcome {
  milliseconds: number;
  /** Why the answer was wrong; undefined when it was complete and right. */
  error?: string;
}

function requestBody(model: string, stream: boolean): string {
  return JSON.stringify({
    model,
    messages: [{ role: 'user', content: 'Hej! Vad har ni för öppettider?' }],
    stream,
  });
}

/** The text of an SSE chat stream, with an error message if the stream carried one. */
function assembleStream(body: string): { text: string; error?: string; done: boolean } {
  let text = '';
  let done = false;
  for (const line of body.split('\n')) {
    if (!line.startsWith('data: ')) continue;
    const data = line.slice(6);
    if (data === '[DONE]') {
      done = true;
      continue;
    }
    const event = JSON.parse(data) as {
      error?: { message: string };
      choices?: { delta?: { content?: string } }[];
    };
    if (event.error) return { text, error: event.error.message, done };
    text += event.choices?.[0]?.delta?.content ?? '';
  }
  return { text, done };
}

/** One chat completion, timed from before fetch until the body is read to its end, and checked. */
async function chatCompletion(endpoint: Endpoint, model: string, stream: boolean): Promise<RequestOutcome> {
  const startedAt = performance.now();
  try {
    const response = await fetch(`${endpoint.url}/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(endpoint.apiKey === undefined ? {} : { authorization: `Bearer ${endpoint.apiKey}` }),
      },
      body: requestBody(model, stream),
    });
    const body = await response.text();
    const milliseconds = performance.now() - startedAt;
    if (response.status !== 200)
      return { milliseconds, error: `HTTP ${response.status}: ${body.slice(0, 200)}` };
    if (stream) {
      const assembled = assembleStream(body);
      if (assembled.error !== undefined) return { milliseconds, error: `stream error: ${assembled.error}` };
      if (!assembled.done) return { milliseconds, error: 'stream ended without [DONE]' };
      if (assembled.text !== UPSTREAM_ANSWER)
        return { milliseconds, error: `stream text "${assembled.text}"` };
    } else {
      const content = (JSON.parse(body) as { choices?: { message?: { content?: string } }[] }).choices?.[0]
        ?.message?.content;
      if (content !== UPSTREAM_ANSWER) return { milliseconds, error: `answer "${content}"` };
    }
    return { milliseconds };
  } catch (error) {
    return {
      milliseconds: performance.now() - startedAt,
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

/** Sequential requests alternating between the sides, so that drift and noise hit both alike. */
async function alternate(
  endpoints: readonly Endpoint[],
  model: string,
  stream: boolean,
  count: number,
): Promise<RequestOutcome[][]> {
  const outcomes = endpoints.map((): RequestOutcome[] => []);
  for (let index = 0; index < count; index += 1) {
    for (const [side, endpoint] of endpoints.entries())
      outcomes[side]!.push(await chatCompletion(endpoint, model, stream));
  }
  return outcomes;
}

function overTenMilliseconds(samples: readonly number[]): number {
  return samples.filter((milliseconds) => milliseconds > 10).length;
}

function errorsOf(outcomes: readonly RequestOutcome[]): string[] {
  return outcomes.flatMap((outcome) => (outcome.error === undefined ? [] : [outcome.error]));
}

function latencies(outcomes: readonly RequestOutcome[]): number[] {
  return outcomes.filter((outcome) => outcome.error === undefined).map((outcome) => outcome.milliseconds);
}

interface SequentialComparison {
  mode: string;
  direct: number[];
  polett: number[];
  errors: number;
}

async function compareSequential(
  direct: Endpoint,
  polett: Endpoint,
  stream: boolean,
  options: Required<OpenAIProxyLatencyBenchmarkOptions>,
  allErrors: string[],
): Promise<SequentialComparison> {
  await alternate([direct, polett], PROXIED_MODEL, stream, options.warmUpRequests);
  const [directOutcomes, polettOutcomes] = await alternate(
    [direct, polett],
    PROXIED_MODEL,
    stream,
    options.requests,
  );
  const errors = [...errorsOf(directOutcomes!), ...errorsOf(polettOutcomes!)];
  allErrors.push(...errors);
  return {
    mode: stream ? 'streamed (time to the end of the stream)' : 'not streamed',
    direct: latencies(directOutcomes!),
    polett: latencies(polettOutcomes!),
    errors: errors.length,
  };
}

interface ConcurrentResult {
  label: string;
  errors: number;
  requests: number;
  completion: number[];
  waveMilliseconds: number[];
}

/** Waves of `streams` requests started together; every stream must deliver the whole answer. */
async function concurrentWaves(
  endpoint: Endpoint,
  model: string,
  options: Required<OpenAIProxyLatencyBenchmarkOptions>,
  allErrors: string[],
): Promise<ConcurrentResult> {
  const result: ConcurrentResult = {
    label: endpoint.label,
    errors: 0,
    requests: 0,
    completion: [],
    waveMilliseconds: [],
  };
  for (let wave = 0; wave < options.concurrentWaves; wave += 1) {
    const startedAt = performance.now();
    const outcomes = await Promise.all(
      Array.from({ length: options.concurrentStreams }, () => chatCompletion(endpoint, model, true)),
    );
    result.waveMilliseconds.push(performance.now() - startedAt);
    const errors = errorsOf(outcomes);
    allErrors.push(...errors);
    result.errors += errors.length;
    result.requests += outcomes.length;
    result.completion.push(...latencies(outcomes));
  }
  return result;
}

async function startPolett(
  upstreamUrl: string,
  nodeOptions: string[] = [],
): Promise<ChildServer<PolettServerReady>> {
  return startChildServer<PolettServerReady>(POLETT_ENTRY, { arguments: [upstreamUrl], nodeOptions });
}

export async function runOpenAIProxyLatencyBenchmark(
  userOptions: OpenAIProxyLatencyBenchmarkOptions = {},
): Promise<BenchmarkReport> {
  const options = {
    requests: 2000,
    warmUpRequests: 300,
    concurrentStreams: 200,
    concurrentWaves: 3,
    diagnose: 'when-missed',
    polettNodeOptions: [],
    ...userOptions,
  } satisfies Required<OpenAIProxyLatencyBenchmarkOptions>;
  const machine = describeMachine();
  const upstream = await startChildServer<{ url: string }>(UPSTREAM_ENTRY);
  let polettServer: ChildServer<PolettServerReady> | undefined;
  const allErrors: string[] = [];
  try {
    polettServer = await startPolett(upstream.ready.url, options.polettNodeOptions);
    const direct: Endpoint = { label: 'direct to upstream', url: upstream.ready.url };
    const polett: Endpoint = {
      label: 'through Polett',
      url: polettServer.ready.url,
      apiKey: polettServer.ready.apiKey,
    };

    console.error(`[bench] proxy: ${options.requests} sequential requests per side, not streamed…`);
    const plain = await compareSequential(direct, polett, false, options, allErrors);
    console.error(`[bench] proxy: ${options.requests} sequential requests per side, streamed…`);
    const streamed = await compareSequential(direct, polett, true, options, allErrors);

    console.error(
      `[bench] proxy: ${options.concurrentWaves} waves of ${options.concurrentStreams} concurrent streams per side…`,
    );
    const polettDefaultLimit: Endpoint = {
      ...polett,
      label: 'through Polett, provider at default maxConcurrency 8',
    };
    // One untimed wave each: the first wave opens the sockets of both pools.
    await Promise.all(
      Array.from({ length: options.concurrentStreams }, () =>
        chatCompletion(direct, PROXIED_PACED_MODEL, true),
      ),
    );
    await Promise.all(
      Array.from({ length: options.concurrentStreams }, () =>
        chatCompletion(polett, PROXIED_PACED_MODEL, true),
      ),
    );
    const concurrent = [
      await concurrentWaves(direct, PROXIED_PACED_MODEL, options, allErrors),
      await concurrentWaves(polett, PROXIED_PACED_MODEL, options, allErrors),
      await concurrentWaves(polettDefaultLimit, PROXIED_PACED_MODEL_DEFAULT_LIMIT, options, allErrors),
    ];

    const rows: Cell[][] = [];
    const verdictFigures: { mode: string; p50Added: number; p99Added: number }[] = [];
    for (const comparison of [plain, streamed]) {
      const directP50 = percentile(comparison.direct, 0.5);
      const directP99 = percentile(comparison.direct, 0.99);
      const polettP50 = percentile(comparison.polett, 0.5);
      const polettP99 = percentile(comparison.polett, 0.99);
      verdictFigures.push({
        mode: comparison.mode,
        p50Added: polettP50 - directP50,
        p99Added: polettP99 - directP99,
      });
      rows.push(
        [
          `sequential, ${comparison.mode}`,
          direct.label,
          comparison.direct.length,
          directP50,
          directP99,
          '',
          '',
          overTenMilliseconds(comparison.direct),
          comparison.errors,
        ],
        [
          `sequential, ${comparison.mode}`,
          polett.label,
          comparison.polett.length,
          polettP50,
          polettP99,
          polettP50 - directP50,
          polettP99 - directP99,
          overTenMilliseconds(comparison.polett),
          '',
        ],
      );
    }
    const directConcurrent = concurrent[0]!;
    for (const result of concurrent) {
      const p50 = percentile(result.completion, 0.5);
      const p99 = percentile(result.completion, 0.99);
      const isDirect = result === directConcurrent;
      rows.push([
        `${options.concurrentStreams} concurrent streams (ok-paced), median wave ${median(result.waveMilliseconds).toFixed(0)} ms`,
        result.label,
        result.requests,
        p50,
        p99,
        isDirect ? '' : p50 - percentile(directConcurrent.completion, 0.5),
        isDirect ? '' : p99 - percentile(directConcurrent.completion, 0.99),
        '',
        result.errors,
      ]);
    }

    const worstP50 = Math.max(...verdictFigures.map((figure) => figure.p50Added));
    const worstP99 = Math.max(...verdictFigures.map((figure) => figure.p99Added));
    const describe = (key: 'p50Added' | 'p99Added') =>
      verdictFigures.map((figure) => `${figure[key].toFixed(2)} ms ${figure.mode.split(' (')[0]}`).join(', ');
    const polettConcurrent = concurrent[1]!;
    const verdicts = [
      {
        target: `p50 added ≤ ${TARGET_P50_ADDED_MS} ms`,
        measured: describe('p50Added'),
        passed: worstP50 <= TARGET_P50_ADDED_MS,
      },
      {
        target: `p99 added ≤ ${TARGET_P99_ADDED_MS} ms`,
        measured: describe('p99Added'),
        passed: worstP99 <= TARGET_P99_ADDED_MS,
      },
      {
        target: `${options.concurrentStreams} concurrent streams through Polett, no error`,
        measured: `${polettConcurrent.errors} errors in ${polettConcurrent.requests} streams (${options.concurrentWaves} waves)`,
        passed: polettConcurrent.errors === 0 && polettConcurrent.requests > 0,
      },
    ];

    const notes: string[] = [];
    if (allErrors.length > 0) {
      const distinct = [...new Set(allErrors)].slice(0, 3);
      notes.push(
        `${allErrors.length} failed requests in all; first distinct errors: ${distinct.join(' | ')}`,
      );
    }
    const missed = !verdicts[0]!.passed || !verdicts[1]!.passed;
    const extraTables: NonNullable<BenchmarkReport['extraTables']> = [];
    if (options.diagnose === 'always' || (options.diagnose === 'when-missed' && missed)) {
      await polettServer.stop();
      polettServer = undefined;
      console.error('[bench] proxy: diagnosing Polett (instrumented run, then --cpu-prof run)…');
      const diagnosis = await diagnosePolett(upstream.ready.url, options);
      extraTables.push(...diagnosis.tables);
      notes.push(...diagnosis.notes);
    }

    return {
      name: 'proxy',
      title: "OpenAI-compatible API: Polett's added latency over calling the upstream directly",
      setup: [
        'upstream: a Hono OpenAI-compatible server (model `ok`, "Hej från servern!" in 3 deltas) in its own process; Polett (createApp on @hono/node-server, API key from `storage.apiKeys.create`, `openai-compatible` provider on the upstream, maxRetries 0, rate limits raised to 1,000,000/s so that they run but never refuse) in another; this client in a third',
        'client: Node fetch (undici) with keep-alive, the same request body on both sides; time from before fetch to the end of the body',
        `${options.warmUpRequests} warm-up requests per side and mode, then ${options.requests} timed per side, alternating direct/Polett`,
        `concurrent phase: model \`ok-paced\` (20 ms between deltas, so all streams are open together), ${options.concurrentWaves} waves per side after one untimed wave; every stream checked for the whole answer and [DONE]`,
        '"added" is Polett\'s percentile minus the direct percentile; latencies in ms',
        `${machine}; the three processes share them`,
      ],
      columns: [
        'phase',
        'side',
        'requests',
        'p50 ms',
        'p99 ms',
        'p50 added ms',
        'p99 added ms',
        'over 10 ms',
        'errors',
      ],
      rows,
      verdicts,
      notes,
      extraTables,
    };
  } finally {
    await polettServer?.stop();
    await upstream.stop();
  }
}

/** Runs `requests` sequential requests through Polett, both modes, after a warm-up each. */
async function exercise(
  endpoint: Endpoint,
  options: Required<OpenAIProxyLatencyBenchmarkOptions>,
  afterWarmUp?: () => void,
) {
  for (const stream of [false, true])
    await alternate([endpoint], PROXIED_MODEL, stream, options.warmUpRequests);
  afterWarmUp?.();
  for (const stream of [false, true]) await alternate([endpoint], PROXIED_MODEL, stream, options.requests);
  return 2 * options.requests;
}

/**
 * Diagnoses a missed latency target in two more runs of Polett (sequential phases only): one with
 * the suspects on the request path timed from inside (instrumentation), one CPU-profiled (the
 * inspector's profiler, as `node --cpu-prof`, but from the end of the warm-up) that splits the CPU
 * time by purpose and function. Two runs, because the profiler's own cost would distort the timings.
 */
async function diagnosePolett(
  upstreamUrl: string,
  options: Required<OpenAIProxyLatencyBenchmarkOptions>,
): Promise<{ tables: NonNullable<BenchmarkReport['extraTables']>; notes: string[] }> {
  const tables: NonNullable<BenchmarkReport['extraTables']> = [];
  const notes: string[] = [];

  const instrumented = await startChildServer<PolettServerReady>(POLETT_ENTRY, {
    arguments: [upstreamUrl, '--instrument'],
    nodeOptions: options.polettNodeOptions,
  });
  const requests = await exercise(
    { label: 'through Polett', url: instrumented.ready.url, apiKey: instrumented.ready.apiKey },
    options,
    () => instrumented.send('reset'),
  );
  const reportLine = (await instrumented.stop(30_000)).find((line) => line.startsWith('{'));
  if (reportLine === undefined) {
    notes.push('The instrumented Polett printed no timings.');
  } else {
    const report = JSON.parse(reportLine) as InstrumentationReport;
    const summaryRow = (name: string, summary: TimingSummary): Cell[] => [
      name,
      summary.count,
      summary.p50,
      summary.p99,
      summary.max,
      summary.total / requests,
    ];
    const rows: Cell[][] = [
      ...Object.entries(report.timings).map(([name, summary]) => summaryRow(name, summary)),
      ...Object.entries(report.garbageCollections).map(([kind, summary]) =>
        summaryRow(`garbage collection: ${kind}`, summary),
      ),
    ];
    rows.push([
      'event-loop delay (monitorEventLoopDelay, 1 ms resolution)',
      '',
      report.eventLoopDelay.p50,
      report.eventLoopDelay.p99,
      report.eventLoopDelay.max,
      '',
    ]);
    tables.push({
      title: `Inside Polett: the request path's suspects, timed in a separate instrumented run (${requests} requests after warm-up, half streamed)`,
      columns: ['what', 'calls', 'p50 ms', 'p99 ms', 'max ms', 'ms per request'],
      rows,
    });
  }

  const profileDirectory = mkdtempSync(path.join(tmpdir(), 'polett-bench-profile-'));
  const profileFile = path.join(profileDirectory, 'polett.cpuprofile');
  try {
    const profiled = await startChildServer<PolettServerReady>(POLETT_ENTRY, {
      arguments: [upstreamUrl, '--profile', profileFile],
      nodeOptions: options.polettNodeOptions,
    });
    const profiledRequests = await exercise(
      { label: 'through Polett', url: profiled.ready.url, apiKey: profiled.ready.apiKey },
      options,
      () => profiled.send('reset'),
    );
    await profiled.stop(30_000);
    if (!existsSync(profileFile)) {
      notes.push('Profiling wrote no .cpuprofile file.');
    } else {
      const summary = summariseCpuProfile(profileFile, {
        requests: profiledRequests,
        classify: classifyProxySample,
      });
      tables.push(...summary.tables);
      notes.push(...summary.notes);
    }
  } finally {
    rmSync(profileDirectory, { recursive: true, force: true });
  }
  return { tables, notes };
}

/** What a CPU sample of Polett's process was for, in the terms of the request path. */
function classifyProxySample(stack: readonly CallFrame[], category: string): string | undefined {
  const has = (pattern: RegExp) => stack.some((frame) => pattern.test(frame.functionName));
  const under = (pattern: RegExp) => stack.some((frame) => pattern.test(frame.url));
  if (category === 'package zod') {
    if (
      has(
        /^(createOpenAICompatibleChatChunkSchema|chunkBaseSchema|OpenAICompatibleChatLanguageModel|createChatModel)$/,
      )
    ) {
      return 'zod: schemas built by the AI SDK model constructor, once per request (registry.languageModel → provider.chatModel)';
    }
    if (has(/^(safeValidateTypes|validateTypes|safeParseJSON|parseJSON)$/))
      return 'zod: the AI SDK validating the upstream response and each chunk';
    if (under(/\/src\/server\//)) return "zod: validating the client's request (chatCompletionRequestSchema)";
    return 'zod: other';
  }
  if (category === 'package better-sqlite3' || category.startsWith('Polett src/storage/')) {
    if (has(/^verify$/))
      return 'SQLite: API key lookup (statement prepared anew per request, SHA-256, SELECT)';
    if (has(/^record$/)) return 'SQLite: usage ledger INSERT';
    return 'SQLite: other';
  }
  if (category.startsWith('undici')) return 'undici: fetch to the upstream (request write, response read)';
  if (category === 'Node core: webstreams' || category === 'Node core: worker') {
    return 'web streams: ReadableStream/TransformStream layers (undici body, AI SDK SSE parsing, chain, route, node-server)';
  }
  if (/^Node core: (stream_base_commons|streams|net|_http_\w+|http|dns|tcp_wrap)$/.test(category)) {
    return 'Node sockets and HTTP (syscalls, http parser, Node streams), both connections';
  }
  if (category === 'package hono' || category === 'package @hono/node-server')
    return 'Hono and @hono/node-server (routing, Request/Response adaptation)';
  if (
    category === 'package @ai-sdk/provider-utils' ||
    category === 'package @ai-sdk/openai-compatible' ||
    category === 'package ai'
  ) {
    return 'AI SDK besides zod (request building, SSE parsing, stream parts)';
  }
  if (category.startsWith('Polett src/')) return `Polett: ${category.slice('Polett src/'.length)}`;
  if (category.startsWith('V8 ')) return category;
  return 'other Node core and runtime (timers, events, abort signals, crypto, URL)';
}
