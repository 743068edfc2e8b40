/**
 * The Learn page's TypeScript forward pass (src/learn/gguf-transformer.ts) against node-llama-cpp
 * on the same file, on this machine's CPU, in the same run: one pass over 64 tokens of a model
 * with SmolLM2-135M's shape (llama, 30 layers, 576 wide, 9 heads, 3 key/value heads, 1,536 FFN,
 * 49,152 vocabulary, tied embeddings), random weights written by this benchmark as q8_0.
 *
 * Target: the TypeScript pass over 64 tokens in at most 10 s, so that the page answers in
 * seconds. llama.cpp is the reference for speed (it is SIMD C++ and does not keep the attention
 * weights); the TypeScript pass also stores every layer's and head's attention.
 *
 * Threads: the TypeScript pass runs on one thread; llama.cpp is timed with one thread (like for
 * like) and with every core. The TypeScript pass is timed with its WebAssembly SIMD kernel (the
 * default) and on its plain JavaScript loops (the fallback where SIMD is missing).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { getLlama, LlamaLogLevel, type ControlledEvaluateInputItem, type Token } from 'node-llama-cpp';
import { GgufTransformer, softmax, topTokens } from '../src/learn/index.js';
import { buildTinyTransformer, GGUF_TOKEN_TYPES, writeGgufFile } from '../test-support/gguf-writer.js';
import { byteLevelVocabulary } from '../test-support/tiny-gguf.js';
import { describeMachine, type BenchmarkReport, type Cell } from './support/benchmark-report.js';
import { median } from './support/statistics.js';

export interface LearnForwardBenchmarkOptions {
  /** Timed passes per side after one warm-up. Default 3. */
  passes?: number;
  /** Tokens per pass. Default 64. */
  tokenCount?: number;
  /** A smaller model for a quick check of the benchmark itself. Default: SmolLM2-135M's shape. */
  shape?: Partial<typeof SMOLLM2_135M_SHAPE>;
}

export const SMOLLM2_135M_SHAPE = {
  layerCount: 30,
  embeddingLength: 576,
  headCount: 9,
  keyValueHeadCount: 3,
  feedForwardLength: 1536,
  vocabularySize: 49_152,
} as const;

const TARGET_SECONDS = 10;

/** The byte-level vocabulary padded with unused entries to the model's vocabulary size. */
function paddedVocabulary(size: number) {
  const vocabulary = byteLevelVocabulary();
  const tokens = [...vocabulary.tokens];
  const tokenTypes = [...vocabulary.tokenTypes];
  for (let index = tokens.length; index < size; index += 1) {
    tokens.push(`<unused_${index}>`);
    tokenTypes.push(GGUF_TOKEN_TYPES.unused);
  }
  return { ...vocabulary, tokens, tokenTypes };
}

export async function runLearnForwardBenchmark(
  userOptions: LearnForwardBenchmarkOptions = {},
): Promise<BenchmarkReport> {
  const options = { passes: 3, tokenCount: 64, ...userOptions };
  const shape = { ...SMOLLM2_135M_SHAPE, ...options.shape };
  const machine = describeMachine();
  const directory = mkdtempSync(path.join(tmpdir(), 'polett-bench-learn-'));
  const filePath = path.join(directory, 'smollm2-135m-shaped-q8_0.gguf');
  try {
    const writeStartedAt = performance.now();
    writeGgufFile(
      filePath,
      buildTinyTransformer({
        architecture: 'llama',
        name: 'SmolLM2-135M-shaped random weights',
        vocabulary: paddedVocabulary(shape.vocabularySize),
        layerCount: shape.layerCount,
        embeddingLength: shape.embeddingLength,
        headCount: shape.headCount,
        keyValueHeadCount: shape.keyValueHeadCount,
        feedForwardLength: shape.feedForwardLength,
        contextLength: 2048,
        seed: 135,
        weightType: 'q8_0',
        tieEmbeddings: true,
        weightStandardDeviation: 0.05,
      }),
    );
    const writeSeconds = (performance.now() - writeStartedAt) / 1000;
    const fileMegabytes = statSync(filePath).size / 1_000_000;
    const text = 'Vi levererar smörgåstårtor till företag i hela Göteborg och Borås.';
    const tokens = Array.from(Buffer.from(text.repeat(4))).slice(0, options.tokenCount);

    // ---- TypeScript ----
    const loadStartedAt = performance.now();
    const transformer = await GgufTransformer.load(filePath);
    const typeScriptLoadSeconds = (performance.now() - loadStartedAt) / 1000;
    const parameterCount =
      shape.vocabularySize * shape.embeddingLength +
      shape.layerCount *
        (2 * shape.embeddingLength * shape.embeddingLength +
          2 * shape.embeddingLength * (shape.embeddingLength / shape.headCount) * shape.keyValueHeadCount +
          3 * shape.embeddingLength * shape.feedForwardLength);
    let ours = transformer.forward(tokens); // warm-up: lets V8 optimise the loops
    const typeScriptSeconds: number[] = [];
    for (let pass = 0; pass < options.passes; pass += 1) {
      const startedAt = performance.now();
      ours = transformer.forward(tokens);
      typeScriptSeconds.push((performance.now() - startedAt) / 1000);
    }
    const ourProbabilities = softmax(ours.logits);
    const usesSimd = transformer.usesSimd;

    // The same pass on the plain JavaScript loops (what runs where WebAssembly SIMD is missing):
    // one timed pass, it takes a while.
    const plain = await GgufTransformer.load(filePath, { simd: false });
    plain.forward(tokens.slice(0, 8)); // warm-up
    const plainStartedAt = performance.now();
    plain.forward(tokens);
    const plainSeconds = (performance.now() - plainStartedAt) / 1000;

    // ---- node-llama-cpp ----
    const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
    const loadLlamaStartedAt = performance.now();
    const model = await llama.loadModel({ modelPath: filePath, gpuLayers: 0 });
    const llamaLoadSeconds = (performance.now() - loadLlamaStartedAt) / 1000;
    const input: ControlledEvaluateInputItem[] = tokens.map((token, index) =>
      index === tokens.length - 1
        ? [token as Token, { generateNext: { probabilities: true } }]
        : (token as Token),
    );
    const llamaRuns: { threads: number; seconds: number[]; probabilities: Float32Array }[] = [];
    for (const threads of [...new Set([1, availableParallelism()])]) {
      const context = await model.createContext({ contextSize: 256, batchSize: 128, threads });
      const sequence = context.getSequence();
      const seconds: number[] = [];
      let probabilities = new Float32Array(shape.vocabularySize);
      for (let pass = 0; pass <= options.passes; pass += 1) {
        await sequence.clearHistory();
        const startedAt = performance.now();
        const results = await sequence.controlledEvaluate(input);
        const elapsed = (performance.now() - startedAt) / 1000;
        if (pass > 0) seconds.push(elapsed); // pass 0 warms up
        probabilities = new Float32Array(shape.vocabularySize);
        for (const [token, probability] of results[tokens.length - 1]?.next.probabilities ?? []) {
          probabilities[token] = probability;
        }
      }
      llamaRuns.push({ threads, seconds, probabilities });
      await context.dispose();
    }
    await model.dispose();

    // Agreement on the last position, as a check that both ran the same model.
    const reference = llamaRuns[0]!.probabilities;
    let largestDifference = 0;
    for (let token = 0; token < shape.vocabularySize; token += 1) {
      largestDifference = Math.max(
        largestDifference,
        Math.abs(Math.log(ourProbabilities[token]!) - Math.log(reference[token]!)),
      );
    }
    const sameTop = topTokens(ourProbabilities, 1)[0]!.tokenId === topTokens(reference, 1)[0]!.tokenId;

    const typeScriptMedian = median(typeScriptSeconds);
    const rows: Cell[][] = [
      [
        `Polett TypeScript forward pass (src/learn), ${usesSimd ? 'WebAssembly SIMD kernel' : 'plain loops (no SIMD here)'}, keeps all attention weights`,
        1,
        typeScriptMedian,
        options.tokenCount / typeScriptMedian,
        typeScriptLoadSeconds,
      ],
      [
        'Polett TypeScript forward pass, plain JavaScript loops (the fallback; 1 timed pass)',
        1,
        plainSeconds,
        options.tokenCount / plainSeconds,
        '',
      ],
      ...llamaRuns.map((run): Cell[] => [
        'node-llama-cpp 3.21.1 (llama.cpp) `controlledEvaluate`, last-token probabilities',
        run.threads,
        median(run.seconds),
        options.tokenCount / median(run.seconds),
        llamaLoadSeconds,
      ]),
    ];
    const llamaOneThread = median(llamaRuns[0]!.seconds);
    return {
      name: 'attention',
      title: `Learn: one forward pass over ${options.tokenCount} tokens of a SmolLM2-135M-shaped model (q8_0), TypeScript vs node-llama-cpp`,
      setup: [
        machine,
        `model: llama, ${shape.layerCount} layers, ${shape.embeddingLength} wide, ${shape.headCount} heads (${shape.keyValueHeadCount} key/value), FFN ${shape.feedForwardLength}, vocabulary ${shape.vocabularySize.toLocaleString('en-US')}, tied embeddings; ${(parameterCount / 1e6).toFixed(0)}M parameters, random weights; q8_0 file of ${fileMegabytes.toFixed(0)} MB written in ${writeSeconds.toFixed(1)} s`,
        `median of ${options.passes} timed passes per side after one warm-up; load = reading the file (TypeScript: decoding q8_0 to float32)`,
        `agreement on the last position: max |Δ log p| over the vocabulary ${largestDifference.toFixed(3)} (llama.cpp quantises activations to q8_0 and keeps an f16 cache); same most likely token: ${sameTop ? 'yes' : 'no'}`,
      ],
      columns: ['side', 'threads', 'seconds per pass (median)', 'tokens per second', 'load (s)'],
      rows,
      verdicts: [
        {
          target: `TypeScript pass over ${options.tokenCount} tokens ≤ ${TARGET_SECONDS} s`,
          measured: `${typeScriptMedian.toFixed(2)} s (${(typeScriptMedian / llamaOneThread).toFixed(1)}× llama.cpp on one thread)`,
          passed: typeScriptMedian <= TARGET_SECONDS,
        },
      ],
      notes: [],
    };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
