/**
 * `npm run bench` runs every benchmark in turn and prints each as Markdown;
 * `npm run bench -- proxy` (or `tokens`, `gguf`, `platform`) runs one. The exit code is 0 even when a target is
 * missed: a benchmark reports, it does not gate (tests never assert on time).
 */
import { runContentBulkBenchmark } from './content-bulk.js';
import { runContentOverheadBenchmark } from './content-overhead.js';
import { runAssistantWidgetBenchmark } from './assistant-widget.js';
import { runGgufGenerationBenchmark } from './gguf-generation.js';
import { runInsightsClassificationBenchmark } from './insights-classification.js';
import { runInsightsImportBenchmark } from './insights-import.js';
import { runParsingBenchmark } from './knowledge-parsing.js';
import { runKnowledgeSearchBenchmark } from './knowledge-search.js';
import { runLearnForwardBenchmark } from './learn-forward.js';
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
  assistant: {
    description:
      '500 concurrent widget conversations: time to first token Polett adds, memory per idle conversation',
    run: () => runAssistantWidgetBenchmark(),
  },
  platform: {
    description: "Polett's HTTP middleware against a bare Hono app with the same routes",
    run: () => runPlatformThroughputBenchmark(),
  },
  'knowledge-search': {
    description: 'Knowledge hybrid query latency over 100,000 chunks against LanceDB 0.31.0',
    run: () => runKnowledgeSearchBenchmark(),
  },
  parsing: {
    description: "Knowledge's parseDocument per format against each parsing library used raw",
    run: () => runParsingBenchmark(),
  },
  'insights-classify': {
    description:
      "Insights' tier-1 classifier against a word TF-IDF + logistic regression baseline: texts/s and MCC",
    run: () => runInsightsClassificationBenchmark(),
  },
  'content-overhead': {
    description: 'time Content adds per generated text over calling the same model directly',
    run: () => runContentOverheadBenchmark(),
  },
  'content-bulk': {
    description: 'a 1,000-row Content bulk run killed with SIGKILL halfway, against an uninterrupted run',
    run: () => runContentBulkBenchmark(),
  },
  'insights-import': {
    description:
      "Insights' streamed import of a million-row CSV against csv-parse alone: rows/s and peak memory",
    run: () => runInsightsImportBenchmark(),
  },
  'insights-encoder': {
    description:
      "Insights' batched tier-2 encoder classification against the transformers.js pipeline per text",
    run: async () => (await import('./insights-encoder.js')).runInsightsEncoderBenchmark(),
  },
  attention: {
    description: "Learn's TypeScript forward pass (64 tokens, SmolLM2-135M's shape) against node-llama-cpp",
    run: () => runLearnForwardBenchmark(),
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
