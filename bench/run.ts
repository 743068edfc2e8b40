/**
 * `npm run bench` runs every benchmark in turn and prints each as Markdown;
 * `npm run bench -- proxy` (or `tokens`, `gguf`, `platform`) runs one. The exit code is 0 even when a target is
 * missed: a benchmark reports, it does not gate (tests never assert on time).
 */
import { runGgufGenerationBenchmark } from './gguf-generation.js';
import { runOpenAIProxyLatencyBenchmark } from './openai-proxy-latency.js';
import { runPlatformThroughputBenchmark } from './platform-throughput.js';
import type { BenchmarkReport } from './support/benchmark-report.js';
import { renderReport } from './support/benchmark-report.js';
import { runTokenCountBenchmark } from './token-count.js';

const BENCHMARKS: Record<string, { description: string; run: () => Promise<BenchmarkReport> }> = {
  proxy: {
    description: "added latency of Polett's OpenAI-compatible API over calling the upstream directly",
    run: () => runOpenAIProxyLatencyBenchmark(),
  },
  tokens: {
    description: "Polett's o200k token counter against tiktoken on Swedish reviews",
    run: () => runTokenCountBenchmark(),
  },
  gguf: {
    description: 'local GGUF generation through the model layer against node-llama-cpp directly',
    run: () => runGgufGenerationBenchmark(),
  },
  platform: {
    description: "Polett's HTTP middleware against a bare Hono app with the same routes",
    run: () => runPlatformThroughputBenchmark(),
  },
};

async function main(): Promise<void> {
  const requested = process.argv.slice(2).filter((argument) => !argument.startsWith('-'));
  const unknown = requested.filter((name) => !(name in BENCHMARKS));
  if (unknown.length > 0) {
    console.error(
      `Unknown benchmark ${unknown.join(', ')}; choose from: ${Object.keys(BENCHMARKS).join(', ')}.`,
    );
    process.exitCode = 2;
    return;
  }
  const names = requested.length > 0 ? requested : Object.keys(BENCHMARKS);
  const summary: string[] = [];
  for (const name of names) {
    const benchmark = BENCHMARKS[name]!;
    console.error(`\n[bench] ${name}: ${benchmark.description}…`);
    const startedAt = Date.now();
    const report = await benchmark.run();
    console.log(`\n${renderReport(report)}`);
    console.error(`[bench] ${name} took ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
    for (const verdict of report.verdicts) {
      summary.push(
        `| ${name} | ${verdict.target} | ${verdict.measured} | ${verdict.passed ? 'PASS' : 'MISS'} |`,
      );
    }
  }
  console.log(
    [
      '\n### Summary',
      '',
      '| benchmark | target | measured | verdict |',
      '|---|---|---|---|',
      ...summary,
    ].join('\n'),
  );
}

await main();
