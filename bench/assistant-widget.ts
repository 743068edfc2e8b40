/**
 * 500 concurrent widget conversations streaming from a model: the time to first token Polett adds
 * over the model's own, and the memory an idle conversation holds. The model is a stub
 * OpenAI-compatible upstream on loopback (`ok-long`: 60 deltas 200 ms apart, 12 s an answer), so
 * that the figures are Polett's and not a model's.
 *
 * The load: 500 visitors each send a question, at moments spread evenly over 10 s, and every
 * answer streams for 12 s, so that by the end of the window all 500 streams are open at once and
 * each new question is answered while hundreds of others stream. (500 questions in the same
 * millisecond would measure a queue, not a product: no 500 visitors press Enter together.)
 *
 * Side by side, in the same run, at the same concurrency:
 * - the upstream called directly (POST /v1/chat/completions, stream), time to its first content;
 * - a widget visitor through Polett (POST /widget/api/…/messages): the origin check, the visitor
 *   token, the limits, storing the question, retrieval in the workspace's knowledge, the prompt,
 *   the model call through the fallback chain, time to the first `delta` event.
 * Memory: Polett's heap and RSS per idle conversation (its live-event stream open, as an open
 * widget keeps it), against the upstream's per idle keep-alive connection.
 *
 * Target: p99 time to first token added ≤ 50 ms, no errors. Three processes (upstream, Polett,
 * this client), as in production; on 2 cores they compete, on both sides alike.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { describeMachine, type BenchmarkReport } from './support/benchmark-report.js';
import { startChildServer } from './support/child-process.js';
import { BENCH_QUESTION, type WidgetServerReady } from './support/polett-widget-server.js';
import { LONG_DELTAS } from './support/upstream-openai-server.js';
import { median, percentile } from './support/statistics.js';

export interface AssistantWidgetBenchmarkOptions {
  /** Conversations streaming at once. Default 500. */
  conversations?: number;
  /** Waves of that many per side; the median (by p99) of each side is reported. Default 3 (POLETT_BENCH_WAVES). */
  waves?: number;
}

const UPSTREAM_ENTRY = 'bench/support/upstream-openai-server.ts';
const POLETT_ENTRY = 'bench/support/polett-widget-server.ts';
const MODEL = 'ok-long';
/** Questions are sent at moments spread evenly over this window. */
const ARRIVAL_WINDOW_MS = 10_000;
const TARGET_P99_ADDED_MS = 50;

interface Wave {
  firstTokenMs: number[];
  errors: number;
  /** CPU time the serving process used during the wave, in microseconds. */
  serverCpuMicros: number;
}

/**
 * One streaming POST on its own connection (an agent per side with enough sockets): resolves with
 * the milliseconds to the first chunk that `isFirstToken` accepts, and drains the rest.
 */
function timeToFirstToken(
  agent: Agent,
  url: string,
  headers: Record<string, string>,
  body: string,
  isFirstToken: (text: string) => boolean,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    let seen = '';
    let firstAt: number | undefined;
    const outgoing = request(
      url,
      { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          reject(new Error(`HTTP ${response.statusCode}`));
          return;
        }
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (firstAt !== undefined) return;
          seen += chunk;
          if (isFirstToken(seen)) firstAt = performance.now();
        });
        response.on('end', () => {
          if (firstAt === undefined) reject(new Error('the stream ended without a token'));
          else if (/event: error/.test(seen)) reject(new Error('an error event'));
          else resolve(firstAt - startedAt);
        });
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/**
 * `count` runs started at moments spread evenly over `windowMs`, all awaited; `serverCpu` reads the
 * serving process's CPU time, before and after.
 */
async function wave(
  run: () => Promise<number>,
  count: number,
  serverCpu: () => Promise<number>,
  windowMs = ARRIVAL_WINDOW_MS,
): Promise<Wave> {
  const cpuBefore = await serverCpu();
  const results = await Promise.allSettled(
    Array.from(
      { length: count },
      (_, index) =>
        new Promise<number>((resolve, reject) => {
          setTimeout(() => run().then(resolve, reject), (index * windowMs) / count);
        }),
    ),
  );
  return {
    firstTokenMs: results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : [])),
    errors: results.filter((result) => result.status === 'rejected').length,
    serverCpuMicros: (await serverCpu()) - cpuBefore,
  };
}

async function json<Value>(url: string, init: RequestInit = {}): Promise<Value> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as Value;
}

interface Memory {
  rss: number;
  heapUsed: number;
}

export async function runAssistantWidgetBenchmark(
  options: AssistantWidgetBenchmarkOptions = {},
): Promise<BenchmarkReport> {
  // The load before the run, not after it (LanceDB's threads, the waves' processes).
  const machine = describeMachine();
  const conversations = options.conversations ?? 500;
  const waves = options.waves ?? Number(process.env.POLETT_BENCH_WAVES ?? 3);
  const upstream = await startChildServer<{ url: string }>(UPSTREAM_ENTRY, { nodeOptions: ['--expose-gc'] });
  const polett = await startChildServer<WidgetServerReady>(POLETT_ENTRY, {
    arguments: [upstream.ready.url, MODEL],
    // POLETT_BENCH_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/x" profiles Polett's process.
    nodeOptions: [
      '--expose-gc',
      ...(process.env.POLETT_BENCH_NODE_OPTIONS?.split(' ').filter(Boolean) ?? []),
    ],
  });
  const upstreamAgent = new Agent({ keepAlive: true, maxSockets: conversations });
  const polettAgent = new Agent({ keepAlive: true, maxSockets: conversations });
  const liveStreams: AbortController[] = [];
  try {
    const { url, assistantId, origin } = polett.ready;
    const widget = (path: string) => `${url}/widget/api/assistants/${assistantId}${path}`;

    // Visitors: a token and a conversation each (not timed: a widget does this when it opens).
    const visitors: Array<{ token: string; conversationId: string }> = [];
    for (let index = 0; index < conversations; index += 1) {
      const { token } = await json<{ token: string }>(widget('/session'), {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json' },
        body: '{}',
      });
      const { conversationId } = await json<{ conversationId: string }>(widget('/conversations'), {
        method: 'POST',
        headers: { origin, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{}',
      });
      visitors.push({ token, conversationId });
    }

    const upstreamBody = JSON.stringify({
      model: MODEL,
      stream: true,
      messages: [{ role: 'user', content: BENCH_QUESTION }],
    });
    const direct = () =>
      timeToFirstToken(
        upstreamAgent,
        `${upstream.ready.url}/chat/completions`,
        { 'content-type': 'application/json' },
        upstreamBody,
        (text) => /"content":"[^"]+"/.test(text),
      );
    let next = 0;
    const throughPolett = () => {
      const visitor = visitors[next++ % visitors.length]!;
      return timeToFirstToken(
        polettAgent,
        widget(`/conversations/${visitor.conversationId}/messages`),
        { origin, authorization: `Bearer ${visitor.token}`, 'content-type': 'application/json' },
        JSON.stringify({ text: BENCH_QUESTION }),
        (text) => text.includes('event: delta'),
      );
    };

    const upstreamBase = upstream.ready.url.replace(/\/v1$/, '');
    type Cpu = { cpuMicros: number };
    const upstreamCpu = async () => (await json<Cpu>(`${upstreamBase}/cpu`)).cpuMicros;
    const polettCpu = async () => (await json<Cpu>(`${url}/bench/cpu`)).cpuMicros;
    // A warm-up wave each (JIT, connection pools, SQLite page cache), then the measured waves.
    await wave(direct, Math.min(50, conversations), upstreamCpu, 1_000);
    await wave(throughPolett, Math.min(50, conversations), polettCpu, 1_000);
    // Waves alternate sides; each side reports its median wave by p99, so that one lucky or unlucky
    // wave (a collection, another process taking a core) does not decide the verdict.
    const p99 = (result: Wave) => percentile(result.firstTokenMs, 0.99);
    const directWaves: Wave[] = [];
    const polettWaves: Wave[] = [];
    for (let round = 0; round < waves; round += 1) {
      directWaves.push(await wave(direct, conversations, upstreamCpu));
      polettWaves.push(await wave(throughPolett, conversations, polettCpu));
    }
    const medianWave = (list: Wave[]) =>
      [...list].sort((a, b) => p99(a) - p99(b))[Math.floor((list.length - 1) / 2)]!;
    const medianDirect = medianWave(directWaves);
    const medianPolett = medianWave(polettWaves);
    const allErrors = [...directWaves, ...polettWaves].reduce((sum, result) => sum + result.errors, 0);
    const errors = allErrors;

    // Memory per idle conversation: each visitor's live-event stream open, as an open widget keeps
    // it; against the upstream's memory per idle keep-alive connection. Both after a full collection.
    upstreamAgent.destroy();
    polettAgent.destroy();
    const polettBefore = await json<Memory>(`${url}/bench/memory`);
    for (const visitor of visitors) {
      const controller = new AbortController();
      const response = await fetch(
        `${widget(`/conversations/${visitor.conversationId}/events`)}?token=${encodeURIComponent(visitor.token)}`,
        { headers: { origin }, signal: controller.signal },
      );
      await response.body!.getReader().read();
      liveStreams.push(controller);
    }
    const polettAfter = await json<Memory>(`${url}/bench/memory`);
    const upstreamBefore = await json<Memory>(`${upstreamBase}/memory`);
    const idleAgent = new Agent({ keepAlive: true, maxSockets: conversations });
    const quickBody = JSON.stringify({ model: 'ok', messages: [{ role: 'user', content: BENCH_QUESTION }] });
    await Promise.all(
      visitors.map(
        () =>
          new Promise<void>((resolve, reject) => {
            const outgoing = request(
              `${upstream.ready.url}/chat/completions`,
              { method: 'POST', agent: idleAgent, headers: { 'content-type': 'application/json' } },
              (response) => {
                response.resume();
                response.on('end', resolve);
              },
            );
            outgoing.on('error', reject);
            outgoing.end(quickBody);
          }),
      ),
    );
    const idleSockets = Object.values(idleAgent.freeSockets).reduce(
      (sum, list) => sum + (list?.length ?? 0),
      0,
    );
    const upstreamAfter = await json<Memory>(`${upstreamBase}/memory`);
    idleAgent.destroy();

    // Everything the serving process did in the wave (requests included), per delta it streamed.
    const cpuPerDelta = (result: Wave) => result.serverCpuMicros / (conversations * LONG_DELTAS);
    const rows = [
      [
        'upstream called directly',
        conversations,
        median(medianDirect.firstTokenMs),
        p99(medianDirect),
        medianDirect.errors,
        cpuPerDelta(medianDirect),
      ],
      [
        'widget through Polett',
        conversations,
        median(medianPolett.firstTokenMs),
        p99(medianPolett),
        medianPolett.errors,
        cpuPerDelta(medianPolett),
      ],
    ];
    const added = p99(medianPolett) - p99(medianDirect);
    const perConversation = (after: number, before: number) => (after - before) / conversations / 1024;
    return {
      name: 'assistant',
      title: `${conversations} concurrent widget conversations streaming from a model`,
      setup: [
        `stub OpenAI-compatible upstream on loopback (model ${MODEL}: 60 deltas 200 ms apart); three processes: upstream, Polett, client`,
        `${conversations} questions sent at moments spread evenly over ${ARRIVAL_WINDOW_MS / 1000} s; each answer streams for 12 s, so all ${conversations} streams are open together at the end of the window`,
        `Polett's path: origin check, visitor token, limits, the question stored, retrieval in the workspace's knowledge (4 documents), prompt, fallback chain, answer stored`,
        `the median of ${waves} wave(s) per side by p99 (p99 of every wave: direct ${directWaves.map((result) => p99(result).toFixed(0)).join(', ')} ms; Polett ${polettWaves.map((result) => p99(result).toFixed(0)).join(', ')} ms), sides alternating, after a warm-up wave each; time to first token = to the first content chunk (upstream) or the first \`delta\` event (widget)`,
        machine,
      ],
      columns: [
        'side',
        'concurrent streams',
        'p50 first token ms',
        'p99 first token ms',
        'errors',
        'server CPU µs per delta',
      ],
      rows,
      extraTables: [
        {
          title: 'Memory per idle conversation',
          columns: ['side', 'idle', 'heap KiB each', 'RSS KiB each'],
          rows: [
            [
              'Polett: conversation with its live-event stream open',
              conversations,
              perConversation(polettAfter.heapUsed, polettBefore.heapUsed),
              perConversation(polettAfter.rss, polettBefore.rss),
            ],
            [
              'upstream called directly: idle keep-alive connection',
              idleSockets,
              (upstreamAfter.heapUsed - upstreamBefore.heapUsed) / Math.max(1, idleSockets) / 1024,
              (upstreamAfter.rss - upstreamBefore.rss) / Math.max(1, idleSockets) / 1024,
            ],
          ],
        },
      ],
      verdicts: [
        {
          target: `p99 time to first token added by Polett ≤ ${TARGET_P99_ADDED_MS} ms at ${conversations} concurrent conversations`,
          measured: `${added.toFixed(1)} ms (p99 ${p99(medianPolett).toFixed(1)} ms through Polett, ${p99(medianDirect).toFixed(1)} ms direct)`,
          passed: added <= TARGET_P99_ADDED_MS,
        },
        { target: 'no errors', measured: `${errors} errors`, passed: errors === 0 },
      ],
      notes: [
        `Server CPU per delta is the CPU time of the serving process (the upstream for the direct side, Polett for the widget side) over its wave, requests included, divided by the ${LONG_DELTAS} deltas of each of the ${conversations} answers: what one more streaming conversation costs. It does not depend on the load of other processes the way latency does.`,
        'Memory is the difference before and after opening the idle connections, each after a full collection (--expose-gc); RSS moves in pages and with the allocator, so heap is the steadier figure.',
      ],
    };
  } finally {
    for (const controller of liveStreams) controller.abort();
    upstreamAgent.destroy();
    polettAgent.destroy();
    await polett.stop();
    await upstream.stop();
  }
}
