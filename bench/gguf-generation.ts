/**
 * Local GGUF generation through Polett's model layer (the `ai` package's `generateText` and
 * `streamText` over `ModelRegistry.languageModel()` with a `local-gguf` provider) against
 * node-llama-cpp called directly (`LlamaChat.generateResponse`, which is what `LlamaChatSession`
 * runs) on the same file, with the same context size, threads, sequences, prompt and sampling.
 *
 * Target: Polett at ≥ 0.95 of node-llama-cpp's tokens per second.
 *
 * The model is generated: a llama-shaped transformer with random weights (8 layers, 512 wide by
 * default), big enough that decoding, not bookkeeping, takes the time, as with a real model. Only
 * its printable ASCII byte tokens keep their random output rows; the others (the special tokens,
 * control bytes and bytes ≥ 0x80) get an all-zero row, so their logit is always 0 and, with greedy
 * sampling, never the largest of ~95 random ones. So no side stops early at an end-of-turn token
 * (both generate exactly `maxTokens` tokens) and every token is one whole character that streams at
 * once, as with a real vocabulary (random bytes would be half UTF-8 sequences held back until the
 * end). A model of the tiny test models' shape (2 layers, 64 wide) runs too, as a stress test of
 * per-token overhead; `tiny-llama.gguf` itself cannot serve, as greedy decoding ends its answer at
 * an end-of-turn token after 3 tokens.
 *
 * Threads default to 1, not to every core as Polett's provider does: on this 2-core machine, shared
 * with other processes, llama.cpp's 2 threads meet at a barrier after every operation and wait
 * whenever the scheduler takes a core away; measured here, the same 128 tokens took 0.35 s with
 * one thread and 6–33 s with two. That noise would swamp the layer's cost being measured.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import type { LanguageModelV3 } from '@ai-sdk/provider';
import { generateText, streamText, type ModelMessage } from 'ai';
import {
  getLlama,
  LlamaChat,
  LlamaLogLevel,
  resolveChatWrapper,
  type ChatHistoryItem,
  type LlamaContext,
  type LlamaModel,
} from 'node-llama-cpp';
import { buildPolett } from '../test-support/builders.js';
import { buildTinyTransformer, writeGgufFile } from '../test-support/gguf-writer.js';
import { byteLevelVocabulary } from '../test-support/tiny-gguf.js';
import {
  describeMachine,
  type BenchmarkReport,
  type Cell,
  type Verdict,
} from './support/benchmark-report.js';
import {
  attributeCpuProfile,
  type CallFrame,
  type CpuProfile,
  type CpuProfileAttribution,
} from './support/cpu-profile-summary.js';
import { median } from './support/statistics.js';

export interface GgufGenerationBenchmarkOptions {
  /** Tokens each generation produces. Default 128. */
  maxTokens?: number;
  /** Timed runs per side and model, after one warm-up run each. Default 7. */
  runs?: number;
  /** Tokens per sequence, on both sides. Default 2048. */
  contextSize?: number;
  /** CPU threads, on both sides. Default 1 (see the file comment). */
  threads?: number;
  /** Shape of the measured model. Default `BENCH_MODEL_SHAPE` (8 layers, 512 wide, f16). */
  modelShape?: ModelShape;
  /** Also run a model of the tiny test shape as an overhead stress test. Default true. */
  includeTinyModel?: boolean;
  /**
   * Profile the main thread of every side on the measured model (the inspector's CPU profiler) and
   * split its JavaScript time per generated token: when the target is missed (default), always, never.
   */
  diagnose?: 'when-missed' | 'always' | 'never';
}

const TARGET_RATIO = 0.95;

/** Bump when the generated models change, so that a cached file of an older kind is not reused. */
const GENERATED_MODEL_VERSION = 2;

export interface ModelShape {
  layerCount: number;
  embeddingLength: number;
  headCount: number;
  keyValueHeadCount: number;
  feedForwardLength: number;
  weightType: 'f16' | 'f32';
}

/** The measured model: decoding takes measurable time (about 50 MB of f16 weights). */
export const BENCH_MODEL_SHAPE: ModelShape = {
  layerCount: 8,
  embeddingLength: 512,
  headCount: 8,
  keyValueHeadCount: 4,
  feedForwardLength: 1536,
  weightType: 'f16',
};

/** The tiny test models' shape: decoding is almost free, so the per-token overhead stands out. */
export const TINY_MODEL_SHAPE: ModelShape = {
  layerCount: 2,
  embeddingLength: 64,
  headCount: 4,
  keyValueHeadCount: 2,
  feedForwardLength: 128,
  weightType: 'f32',
};

function describeShape(shape: ModelShape): string {
  return `llama ${shape.layerCount}×${shape.embeddingLength} ${shape.weightType}`;
}

const SYSTEM_PROMPT =
  'Du är en hjälpsam kundtjänstassistent för ett svenskt företag. Svara kort och vänligt.';
const USER_PROMPT =
  'Hej! Jag beställde en diskmaskin förra veckan men den har inte kommit än. Vad ska jag göra?';

/**
 * A generated model of that shape (see the file comment), written once into the system's
 * temporary folder and reused; writing the larger one takes a few seconds.
 */
export function ensureGeneratedGgufModel(shape: ModelShape): string {
  const file = path.join(
    tmpdir(),
    'polett-bench-models',
    `bench-llama-${shape.layerCount}x${shape.embeddingLength}-${shape.weightType}-v${GENERATED_MODEL_VERSION}.gguf`,
  );
  if (existsSync(file)) return file;
  const vocabulary = byteLevelVocabulary();
  const contents = buildTinyTransformer({
    architecture: 'llama',
    name: `Polett benchmark ${describeShape(shape)} (byte-level, random weights)`,
    vocabulary,
    ...shape,
    contextLength: 4096,
    seed: 7,
    embeddingType: 'f32',
  });
  keepOnlyPrintableAsciiLogits(contents.tensors, vocabulary.tokens.length, shape.embeddingLength);
  writeGgufFile(file, contents);
  return file;
}

/**
 * Zeroes the output row of every token but the printable ASCII bytes (see the file comment). In the
 * byte-level vocabulary, token ids 0–255 are the bytes in order and the special tokens follow.
 */
function keepOnlyPrintableAsciiLogits(
  tensors: readonly { name: string; values: Float32Array }[],
  vocabularySize: number,
  embeddingLength: number,
): void {
  const output = tensors.find((tensor) => tensor.name === 'output.weight');
  if (output === undefined) throw new Error('the benchmark model needs its own output.weight');
  for (let token = 0; token < vocabularySize; token += 1) {
    const printableAscii = token >= 0x20 && token < 0x7f;
    if (!printableAscii) output.values.fill(0, token * embeddingLength, (token + 1) * embeddingLength);
  }
}

interface RunMeasurement {
  seconds: number;
  /** CPU seconds of this whole process (llama.cpp's threads included) during the run. */
  cpuSeconds: number;
  tokens: number;
  firstTokenSeconds: number;
  text: string;
}

interface Side {
  label: string;
  /** A layer peeled off to locate a cost: reported, but no target applies. */
  diagnostic?: boolean;
  run(): Promise<Omit<RunMeasurement, 'cpuSeconds'>>;
}

/**
 * Runs one side once, timing its CPU as well: CPU seconds are what the side itself used, so they
 * hardly move when other processes load the machine, while wall-clock time does.
 */
async function measure(side: Side): Promise<RunMeasurement> {
  const cpuBefore = process.cpuUsage();
  const measurement = await side.run();
  const cpu = process.cpuUsage(cpuBefore);
  return { ...measurement, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

/** node-llama-cpp on its own: one context, one sequence, one `LlamaChat` kept across runs. */
export async function directSide(modelPath: string, options: Required<GgufGenerationBenchmarkOptions>) {
  // The same binding settings as Polett's runtime, so that only the layer above differs.
  const llama = await getLlama({
    gpu: false,
    build: 'never',
    progressLogs: false,
    logLevel: LlamaLogLevel.warn,
  });
  const model: LlamaModel = await llama.loadModel({ modelPath, gpuLayers: 0 });
  const context: LlamaContext = await model.createContext({
    contextSize: options.contextSize,
    sequences: 1,
    threads: options.threads,
  });
  // Polett keeps its LlamaChat across requests (a repeated prompt is then read from the cache): so does this side.
  const chat = new LlamaChat({
    contextSequence: context.getSequence(),
    chatWrapper: resolveChatWrapper(model),
  });
  // The history Polett's prompt conversion makes of the same system and user messages.
  const history: ChatHistoryItem[] = [
    { type: 'system', text: SYSTEM_PROMPT },
    { type: 'user', text: USER_PROMPT },
  ];
  const side: Side = {
    label: 'node-llama-cpp directly (`LlamaChat.generateResponse`)',
    async run() {
      const meterBefore = chat.sequence.tokenMeter.getState();
      const startedAt = performance.now();
      let firstTokenAt: number | undefined;
      const response = await chat.generateResponse(history, {
        maxTokens: options.maxTokens,
        temperature: 0,
        onTextChunk: () => {
          firstTokenAt ??= performance.now();
        },
      });
      const seconds = (performance.now() - startedAt) / 1000;
      return {
        seconds,
        tokens: chat.sequence.tokenMeter.diff(meterBefore).usedOutputTokens,
        firstTokenSeconds: ((firstTokenAt ?? performance.now()) - startedAt) / 1000,
        text: response.response,
      };
    },
  };
  return {
    side,
    async close() {
      chat.dispose();
      await context.dispose();
      await model.dispose();
    },
  };
}

/** Polett: a data folder whose configuration has a `local-gguf` provider on the same file. */
export function polettSides(modelPath: string, options: Required<GgufGenerationBenchmarkOptions>) {
  const polett = buildPolett({
    providers: {
      local: {
        type: 'local-gguf',
        gpu: false,
        contextSize: options.contextSize,
        threads: options.threads,
        parallelSequences: 1,
        maxRetries: 0,
        timeoutMs: 600_000,
      },
    },
    models: { bench: { provider: 'local', model: modelPath } },
    tasks: { chat: ['bench'] },
  });
  // The chain is built per call, as the HTTP routes do.
  const chain = () => polett.models.languageModel({ alias: 'bench' });
  // The provider's own model, without the chain around it: the diagnostic sides peel one layer at a time.
  const providerModel = () => polett.models.provider('local').languageModel(modelPath)!;
  const sides: Side[] = [
    generateTextSide('Polett: `generateText` over `models.languageModel()`', chain, options),
    streamTextSide('Polett: `streamText` over `models.languageModel()`', chain, options),
    {
      ...generateTextSide(
        'diagnostic: `generateText` over the provider model, no chain',
        providerModel,
        options,
      ),
      diagnostic: true,
    },
    {
      ...streamTextSide('diagnostic: `streamText` over the provider model, no chain', providerModel, options),
      diagnostic: true,
    },
    {
      label: 'diagnostic: provider `doGenerate` alone, no AI SDK, no chain',
      diagnostic: true,
      async run() {
        const startedAt = performance.now();
        const result = await providerModel().doGenerate({
          prompt: [
            { role: 'system', content: SYSTEM_PROMPT },
            { role: 'user', content: [{ type: 'text', text: USER_PROMPT }] },
          ],
          maxOutputTokens: options.maxTokens,
          temperature: 0,
        });
        const seconds = (performance.now() - startedAt) / 1000;
        const text = result.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
        return { seconds, tokens: result.usage.outputTokens.total ?? 0, firstTokenSeconds: seconds, text };
      },
    },
  ];
  return { sides, close: () => polett.close() };
}

const MESSAGES: ModelMessage[] = [{ role: 'user', content: USER_PROMPT }];

function callSettings(model: LanguageModelV3, options: Required<GgufGenerationBenchmarkOptions>) {
  return {
    model,
    system: SYSTEM_PROMPT,
    messages: MESSAGES,
    maxOutputTokens: options.maxTokens,
    temperature: 0,
    // The chain retries; the SDK's own retries stay off, as everywhere in Polett.
    maxRetries: 0,
  };
}

function generateTextSide(
  label: string,
  model: () => LanguageModelV3,
  options: Required<GgufGenerationBenchmarkOptions>,
): Side {
  return {
    label,
    async run() {
      const startedAt = performance.now();
      const result = await generateText(callSettings(model(), options));
      const seconds = (performance.now() - startedAt) / 1000;
      // No stream, so no first token to time: the whole call stands for it.
      return {
        seconds,
        tokens: result.usage.outputTokens ?? 0,
        firstTokenSeconds: seconds,
        text: result.text,
      };
    },
  };
}

function streamTextSide(
  label: string,
  model: () => LanguageModelV3,
  options: Required<GgufGenerationBenchmarkOptions>,
): Side {
  return {
    label,
    async run() {
      const startedAt = performance.now();
      const result = streamText(callSettings(model(), options));
      let firstTokenAt: number | undefined;
      let text = '';
      for await (const delta of result.textStream) {
        firstTokenAt ??= performance.now();
        text += delta;
      }
      const usage = await result.usage;
      const seconds = (performance.now() - startedAt) / 1000;
      return {
        seconds,
        tokens: usage.outputTokens ?? 0,
        firstTokenSeconds: ((firstTokenAt ?? performance.now()) - startedAt) / 1000,
        text,
      };
    },
  };
}

interface ModelResult {
  rows: Cell[][];
  /** Polett's tokens/s over direct: wall clock (the target's measure) and per CPU-second. */
  ratios: { label: string; ratio: number; cpuRatio: number }[];
  notes: string[];
  diagnosis?: { title: string; columns: string[]; rows: Cell[][] };
}

async function benchmarkModel(
  modelLabel: string,
  modelPath: string,
  options: Required<GgufGenerationBenchmarkOptions>,
  shouldDiagnose: (ratios: ModelResult['ratios']) => boolean,
): Promise<ModelResult> {
  const direct = await directSide(modelPath, options);
  const polett = polettSides(modelPath, options);
  try {
    const sides = [direct.side, ...polett.sides];
    const measurements = new Map<Side, RunMeasurement[]>(sides.map((side) => [side, []]));
    // Warm-up: loads Polett's copy of the model, fills both prompt caches, compiles the JIT paths.
    const warmUp = new Map<Side, RunMeasurement>();
    for (const side of sides) warmUp.set(side, await measure(side));
    // Alternate the sides run by run, and rotate their order each round (no side always runs right
    // after another), so that a slow patch of the machine hits them alike.
    for (let run = 0; run < options.runs; run += 1) {
      for (let index = 0; index < sides.length; index += 1) {
        const side = sides[(run + index) % sides.length]!;
        measurements.get(side)!.push(await measure(side));
      }
    }

    const directRuns = measurements.get(direct.side)!;
    const rate = (runs: RunMeasurement[]) => median(runs.map((run) => run.tokens / run.seconds));
    const directRate = rate(directRuns);
    const cpuRate = (runs: RunMeasurement[]) => median(runs.map((run) => run.tokens / run.cpuSeconds));
    const directCpuRate = cpuRate(directRuns);
    const referenceText = warmUp.get(direct.side)!.text;
    const rows: Cell[][] = [];
    const ratios: ModelResult['ratios'] = [];
    const notes: string[] = [];
    for (const side of sides) {
      const runs = measurements.get(side)!;
      const sideRate = rate(runs);
      const tokenCounts = [...new Set(runs.map((run) => run.tokens))].join('/');
      const sameText =
        runs.every((run) => run.text === referenceText) && warmUp.get(side)!.text === referenceText;
      if (side !== direct.side && side.diagnostic !== true)
        ratios.push({
          label: `${modelLabel}, ${side.label.replace('Polett: ', '')}`,
          ratio: sideRate / directRate,
          cpuRatio: cpuRate(runs) / directCpuRate,
        });
      rows.push([
        modelLabel,
        side.label,
        runs.length,
        tokenCounts,
        median(runs.map((run) => run.seconds * 1000)),
        median(runs.map((run) => run.firstTokenSeconds * 1000)),
        sideRate,
        side === direct.side ? '' : sideRate / directRate,
        cpuRate(runs),
        side === direct.side ? '' : cpuRate(runs) / directCpuRate,
        sameText ? 'yes' : 'NO',
      ]);
      if (runs.some((run) => run.tokens !== options.maxTokens)) {
        notes.push(
          `${modelLabel}, ${side.label}: ${tokenCounts} tokens instead of ${options.maxTokens} (stopped early).`,
        );
      }
    }
    if (!shouldDiagnose(ratios)) return { rows, ratios, notes };
    console.error(`[bench] gguf: profiling the main thread of each side on ${modelLabel}…`);
    const diagnosis = await profileSides(
      sides.filter((side) => side.diagnostic !== true),
      options,
    );
    return { rows, ratios, notes, diagnosis: { ...diagnosis, title: `${modelLabel}: ${diagnosis.title}` } };
  } finally {
    await polett.close();
    await direct.close();
  }
}

/**
 * What the main thread does per generated token on each side. llama.cpp evaluates on threads of
 * its own, which this profiler does not sample: what it sees is the JavaScript around the model
 * (node-llama-cpp's token loop, and on Polett's sides the chain, the provider and the AI SDK).
 */
async function profileSides(
  sides: readonly Side[],
  options: Required<GgufGenerationBenchmarkOptions>,
): Promise<{ title: string; columns: string[]; rows: Cell[][] }> {
  const session = new Session();
  session.connect();
  const attributions: CpuProfileAttribution[] = [];
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    for (const side of sides) {
      await session.post('Profiler.start');
      for (let run = 0; run < options.runs; run += 1) await side.run();
      const { profile } = await session.post('Profiler.stop');
      attributions.push(attributeCpuProfile(profile as CpuProfile, classifyGenerationSample));
    }
  } finally {
    session.disconnect();
  }
  const tokens = options.runs * options.maxTokens;
  const purposes = new Map<string, number>();
  for (const attribution of attributions) {
    for (const [purpose, microseconds] of attribution.byPurpose)
      purposes.set(purpose, Math.max(purposes.get(purpose) ?? 0, microseconds));
  }
  const rows: Cell[][] = [...purposes.entries()]
    .sort((left, right) => right[1] - left[1])
    .filter(([, microseconds]) => microseconds / tokens >= 1)
    .map(([purpose]) => [
      purpose,
      ...attributions.map((attribution) => (attribution.byPurpose.get(purpose) ?? 0) / tokens),
    ]);
  rows.push([
    'all busy main-thread time',
    ...attributions.map((attribution) => attribution.busyMicroseconds / tokens),
  ]);
  return {
    title: `main-thread time per generated token, µs (inspector profiler, ${options.runs} runs × ${options.maxTokens} tokens per side; llama.cpp's own threads are not sampled; the profiler samples wall-clock ticks, so a thread that other processes keep waiting counts as busy where it stood, and the profiler's own cost shows as "Node core: inspector")`,
    columns: ['spent on', ...sides.map((side) => side.label)],
    rows,
  };
}

/** Groups a main-thread sample of a generation by the layer it belongs to. */
function classifyGenerationSample(stack: readonly CallFrame[], category: string): string | undefined {
  if (category === 'Node core: webstreams' || category === 'Node core: worker')
    return 'web streams (ReadableStream/TransformStream)';
  if (category === 'package node-llama-cpp')
    return 'node-llama-cpp JavaScript (token loop, detokenising, stop triggers)';
  if (category === 'package ai') return 'AI SDK `ai` (generateText/streamText machinery)';
  if (category.startsWith('Polett src/models/providers/local-gguf'))
    return 'Polett GGUF provider (local-gguf/*)';
  if (category === 'Polett src/models/resilient-models.ts')
    return 'Polett chain (resilient-models.ts: timeout re-arm, race, usage)';
  if (category.startsWith('Polett src/')) return `Polett ${category.slice('Polett src/'.length)}`;
  return undefined;
}

export async function runGgufGenerationBenchmark(
  userOptions: GgufGenerationBenchmarkOptions = {},
): Promise<BenchmarkReport> {
  const options = {
    maxTokens: 128,
    runs: 7,
    contextSize: 2048,
    threads: 1,
    modelShape: BENCH_MODEL_SHAPE,
    includeTinyModel: true,
    diagnose: 'when-missed',
    ...userOptions,
  } satisfies Required<GgufGenerationBenchmarkOptions>;
  const machine = describeMachine();

  const startedAt = performance.now();
  const models = [
    {
      label: `generated ${describeShape(options.modelShape)}`,
      file: ensureGeneratedGgufModel(options.modelShape),
      stress: false,
    },
  ];
  if (options.includeTinyModel) {
    models.push({
      label: `generated ${describeShape(TINY_MODEL_SHAPE)} (tiny test shape, overhead stress)`,
      file: ensureGeneratedGgufModel(TINY_MODEL_SHAPE),
      stress: true,
    });
  }
  const preparedSeconds = (performance.now() - startedAt) / 1000;

  const rows: Cell[][] = [];
  const notes: string[] = [];
  const verdicts: Verdict[] = [];
  const extraTables: NonNullable<BenchmarkReport['extraTables']> = [];
  for (const model of models) {
    console.error(`[bench] gguf: ${model.label}…`);
    const result = await benchmarkModel(
      model.label,
      model.file,
      options,
      (ratios) =>
        !model.stress &&
        (options.diagnose === 'always' ||
          (options.diagnose === 'when-missed' && ratios.some(({ ratio }) => ratio < TARGET_RATIO))),
    );
    rows.push(...result.rows);
    notes.push(...result.notes);
    if (result.diagnosis) extraTables.push(result.diagnosis);
    for (const { label, ratio, cpuRatio } of result.ratios) {
      if (model.stress) {
        notes.push(
          `${label}: ${ratio.toFixed(3)} of node-llama-cpp's tokens/s, ${cpuRatio.toFixed(3)} per CPU-second (no target: a tiny model shows the per-token overhead at its largest).`,
        );
      } else {
        verdicts.push({
          target: `≥ ${TARGET_RATIO} of node-llama-cpp's tokens/s`,
          measured: `${ratio.toFixed(3)} wall clock, ${cpuRatio.toFixed(3)} per CPU-second (${label})`,
          passed: ratio >= TARGET_RATIO,
        });
      }
    }
  }

  return {
    name: 'gguf',
    title: 'Local GGUF generation: Polett model layer vs node-llama-cpp directly',
    setup: [
      `measured model: llama with random weights, ${options.modelShape.layerCount} layers, ${options.modelShape.embeddingLength} wide, ${options.modelShape.headCount} heads (${options.modelShape.keyValueHeadCount} for keys/values), feed-forward ${options.modelShape.feedForwardLength}, ${options.modelShape.weightType}, byte-level vocabulary with only printable ASCII able to win (models ready in ${preparedSeconds.toFixed(1)} s, cached in ${path.join(tmpdir(), 'polett-bench-models')})`,
      `both sides: CPU only, context ${options.contextSize} tokens, 1 sequence, threads ${options.threads}, temperature 0 (greedy), ${options.maxTokens} tokens per run, the same system and user message`,
      `one warm-up run per side, then ${options.runs} timed runs per side, alternating in rotating order; the table shows medians; tokens/s = output tokens / the whole call (wall clock, the target's measure); tokens per CPU-second = output tokens / the process's CPU time in the call, which other processes on a busy machine hardly disturb`,
      `${machine}; node-llama-cpp 3.21.1`,
    ],
    columns: [
      'model',
      'side',
      'runs',
      'tokens',
      'ms per run',
      'ms to first token',
      'tokens/s',
      'ratio to direct',
      'tokens per CPU-second',
      'CPU ratio to direct',
      'same text as direct',
    ],
    rows,
    verdicts,
    notes,
    extraTables,
  };
}
