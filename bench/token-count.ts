/**
 * Token counting of Swedish text: Polett's path (the registry's token counter of an
 * openai-compatible model, which runs gpt-tokenizer's o200k_base) against the `tiktoken` package's
 * o200k_base encoder (Rust compiled to WebAssembly), on the same texts in the same run.
 *
 * Target: Polett's counter at least as fast as tiktoken, with the same counts.
 */
import { performance } from 'node:perf_hooks';
import { encode as encodeO200kDirectly } from 'gpt-tokenizer/encoding/o200k_base';
import { get_encoding } from 'tiktoken';
import { buildPolett } from '../test-support/builders.js';
import { describeMachine, type BenchmarkReport, type Cell } from './support/benchmark-report.js';
import { BUILT_IN_SWEDISH_PARAGRAPH, readSwedishReviews } from './support/shared-data.js';
import { median } from './support/statistics.js';

export interface TokenCountBenchmarkOptions {
  /** Timed passes over all texts per side, after one untimed warm-up pass each. Default 5. */
  passes?: number;
  /** Use at most this many texts (all by default). */
  textLimit?: number;
}

interface PassResult {
  seconds: number;
  tokens: number;
}

/** Runs one pass and returns its time; `count` is called once per text, in order. */
async function timePass(
  texts: readonly string[],
  count: (text: string) => number | Promise<number>,
): Promise<PassResult> {
  let tokens = 0;
  const startedAt = performance.now();
  for (const text of texts) tokens += await count(text);
  return { seconds: (performance.now() - startedAt) / 1000, tokens };
}

export async function runTokenCountBenchmark(
  userOptions: TokenCountBenchmarkOptions = {},
): Promise<BenchmarkReport> {
  const options = { passes: 5, textLimit: Number.POSITIVE_INFINITY, ...userOptions };
  const machine = describeMachine();
  const notes: string[] = [];
  let texts = readSwedishReviews();
  let source: string;
  if (texts === undefined) {
    const message =
      '../shared/data/reviews-sv.csv is absent (a fresh clone has no shared data): using a built-in Swedish paragraph repeated 2,000 times instead.';
    console.log(message);
    notes.push(message);
    texts = Array.from({ length: 2000 }, (_, index) => `${BUILT_IN_SWEDISH_PARAGRAPH} (${index})`);
    source = 'built-in Swedish paragraph ×2,000';
  } else {
    source = '../shared/data/reviews-sv.csv';
  }
  texts = texts.slice(0, options.textLimit);
  const characters = texts.reduce((sum, text) => sum + text.length, 0);

  // Polett's path exactly as a caller gets it: a configured openai-compatible model's counter.
  const polett = buildPolett({
    providers: { openai: { type: 'openai-compatible', baseURL: 'http://127.0.0.1:9/v1' } },
    models: { gpt: { provider: 'openai', model: 'gpt-4o-mini' } },
    tasks: { chat: ['gpt'] },
  });
  const tiktoken = get_encoding('o200k_base');
  try {
    const counter = polett.models.tokenCounter('gpt');
    if (counter === undefined)
      throw new Error('the registry gave no token counter for an openai-compatible model');
    if (counter.tokenizerName !== 'o200k_base')
      notes.push(`Polett's counter reports the tokenizer ${counter.tokenizerName}.`);

    const sides = [
      {
        label: `Polett \`models.tokenCounter('gpt').countTokens\` (gpt-tokenizer o200k, async)`,
        count: (text: string) => counter.countTokens(text),
      },
      {
        label: '`tiktoken` `get_encoding("o200k_base").encode` (WASM)',
        count: (text: string) => tiktoken.encode(text).length,
      },
      // Not a side of the comparison: the same tokenizer without Polett's async wrapper, to show what the wrapper costs.
      {
        label: 'diagnostic: gpt-tokenizer o200k `encode` called directly (sync)',
        count: (text: string) => encodeO200kDirectly(text).length,
      },
    ];

    // The first pass of each side is its cold pass: gpt-tokenizer fills its merge cache (100,000
    // entries) there, and the JIT compiles both. The later passes meet the same words again, as a
    // server that counts customer texts all day does; the cold pass is the rate on unseen text. Then the timed passes alternate sides so that drift hits both alike.
    const coldPasses = new Map<string, PassResult>();
    for (const side of sides) coldPasses.set(side.label, await timePass(texts, side.count));
    const warmPasses = new Map<string, PassResult[]>(sides.map((side) => [side.label, []]));
    for (let pass = 0; pass < options.passes; pass += 1) {
      for (const side of sides) warmPasses.get(side.label)!.push(await timePass(texts, side.count));
    }

    // Same counts, text by text (after the timing, so that the cold passes above stay cold).
    let mismatches = 0;
    const mismatchExamples: string[] = [];
    for (const text of texts) {
      const polettCount = await counter.countTokens(text);
      const tiktokenCount = tiktoken.encode(text).length;
      if (polettCount !== tiktokenCount) {
        mismatches += 1;
        if (mismatchExamples.length < 3) {
          mismatchExamples.push(`"${text.slice(0, 60)}…": Polett ${polettCount}, tiktoken ${tiktokenCount}`);
        }
      }
    }

    const rows: Cell[][] = [];
    const warmRate = new Map<string, number>();
    for (const side of sides) {
      const cold = coldPasses.get(side.label)!;
      const warm = warmPasses.get(side.label)!;
      const seconds = median(warm.map((pass) => pass.seconds));
      warmRate.set(side.label, texts.length / seconds);
      rows.push([
        side.label,
        // The diagnostic shares gpt-tokenizer's module, and so its merge cache, with Polett's counter,
        // which filled it first: its first pass is not cold.
        side === sides[2] ? '' : Math.round(texts.length / cold.seconds),
        Math.round(texts.length / seconds),
        Math.round(cold.tokens / seconds),
        cold.tokens,
      ]);
    }
    const polettRate = warmRate.get(sides[0]!.label)!;
    const tiktokenRate = warmRate.get(sides[1]!.label)!;
    const ratio = polettRate / tiktokenRate;
    const coldRatio = coldPasses.get(sides[1]!.label)!.seconds / coldPasses.get(sides[0]!.label)!.seconds;
    if (mismatches > 0) notes.push(`Count mismatches, first ones: ${mismatchExamples.join('; ')}.`);

    return {
      name: 'tokens',
      title: 'Token counting of Swedish text: Polett (gpt-tokenizer o200k) vs tiktoken o200k_base',
      setup: [
        `${texts.length.toLocaleString('en-US')} texts from ${source}, ${characters.toLocaleString('en-US')} characters`,
        `one cold pass per side, then ${options.passes} timed passes per side, alternating; rates are the median pass`,
        `${machine}; one thread`,
      ],
      columns: ['counter', 'texts/s cold pass', 'texts/s (median)', 'tokens/s (median)', 'tokens in all'],
      rows,
      verdicts: [
        {
          target: 'Polett ≥ tiktoken in texts/s, cold pass and warm median both',
          measured: `${ratio.toFixed(2)}× tiktoken warm (${Math.round(polettRate).toLocaleString('en-US')} vs ${Math.round(tiktokenRate).toLocaleString('en-US')} texts/s), ${coldRatio.toFixed(2)}× cold`,
          passed: ratio >= 1 && coldRatio >= 1,
        },
        {
          target: 'same token count for every text',
          measured: `${mismatches} mismatch${mismatches === 1 ? '' : 'es'} in ${texts.length.toLocaleString('en-US')} texts`,
          passed: mismatches === 0,
        },
      ],
      notes,
    };
  } finally {
    tiktoken.free();
    await polett.close();
  }
}
