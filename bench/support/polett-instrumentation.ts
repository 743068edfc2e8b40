/**
 * Timings taken inside the benchmark's Polett process, for the diagnosis of a missed latency
 * target: how long the suspects on a request's path take (the API key lookup, building the model
 * chain, the usage ledger write, the model call), garbage-collection pauses and event-loop delay.
 * Wrapping is done from outside, on the instance, so that `src/` stays untouched.
 */
import { constants, monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import type { LanguageModelV3 } from '@ai-sdk/provider';
import type { Polett } from '../../src/polett.js';
import { percentile } from './statistics.js';

/** Milliseconds: a distribution summed up where it was measured (the raw samples are too many to print). */
export interface TimingSummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
  total: number;
}

export interface InstrumentationReport {
  /** Per call, by what was timed. */
  timings: Record<string, TimingSummary>;
  /** Pauses, by kind of garbage collection. */
  garbageCollections: Record<string, TimingSummary>;
  eventLoopDelay: { p50: number; p99: number; max: number };
}

function summarise(samples: readonly number[]): TimingSummary {
  return {
    count: samples.length,
    p50: percentile(samples, 0.5),
    p99: percentile(samples, 0.99),
    max: samples.reduce((largest, value) => Math.max(largest, value), 0),
    total: samples.reduce((sum, value) => sum + value, 0),
  };
}

function summariseAll(map: Map<string, number[]>): Record<string, TimingSummary> {
  return Object.fromEntries([...map].map(([key, samples]) => [key, summarise(samples)]));
}

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor (scavenge)',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major (mark-compact)',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental marking',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
};

export function instrumentPolett(
  polett: Polett,
  app: { fetch: (request: Request) => Response | Promise<Response> },
) {
  const timings = new Map<string, number[]>();
  const garbageCollections = new Map<string, number[]>();
  const push = (map: Map<string, number[]>, key: string, value: number) => {
    let list = map.get(key);
    if (list === undefined) map.set(key, (list = []));
    list.push(value);
  };
  function timed<Args extends unknown[], Result>(
    name: string,
    run: (...args: Args) => Result,
  ): (...args: Args) => Result {
    return (...args) => {
      const startedAt = performance.now();
      try {
        return run(...args);
      } finally {
        push(timings, name, performance.now() - startedAt);
      }
    };
  }
  function timedAsync<Args extends unknown[], Result>(
    name: string,
    run: (...args: Args) => Result | PromiseLike<Result>,
  ): (...args: Args) => Promise<Result> {
    return async (...args) => {
      const startedAt = performance.now();
      try {
        return await run(...args);
      } finally {
        push(timings, name, performance.now() - startedAt);
      }
    };
  }

  const { apiKeys, usage } = polett.storage;
  apiKeys.verify = timed('storage.apiKeys.verify (SQLite SELECT by key hash)', apiKeys.verify.bind(apiKeys));
  usage.record = timed('storage.usage.record (SQLite INSERT, one transaction)', usage.record.bind(usage));
  const languageModel = polett.models.languageModel.bind(polett.models);
  polett.models.languageModel = (options) => {
    const startedAt = performance.now();
    const model = languageModel(options);
    push(
      timings,
      'models.languageModel() (builds the chain and the AI SDK model)',
      performance.now() - startedAt,
    );
    const chain = model as LanguageModelV3;
    model.doGenerate = timedAsync(
      'chain doGenerate (AI SDK request, upstream, response parsing)',
      chain.doGenerate.bind(chain),
    ) as typeof model.doGenerate;
    model.doStream = timedAsync(
      'chain doStream until the first answer part',
      chain.doStream.bind(chain),
    ) as typeof model.doStream;
    return model;
  };
  const fetch = timedAsync('app.fetch until the Response exists', async (request: Request) =>
    app.fetch(request),
  );

  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind ?? -1;
      push(garbageCollections, GC_KINDS[kind] ?? `kind ${kind}`, entry.duration);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();

  return {
    fetch,
    /** Forgets what the warm-up measured. */
    reset() {
      timings.clear();
      garbageCollections.clear();
      loopDelay.reset();
    },
    report(): InstrumentationReport {
      observer.disconnect();
      loopDelay.disable();
      return {
        timings: summariseAll(timings),
        garbageCollections: summariseAll(garbageCollections),
        eventLoopDelay: {
          p50: loopDelay.percentile(50) / 1e6,
          p99: loopDelay.percentile(99) / 1e6,
          max: loopDelay.max / 1e6,
        },
      };
    },
  };
}
