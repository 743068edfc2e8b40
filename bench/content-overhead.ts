/**
 * The time Content adds per generated text over the model's own time: the same streamed chat
 * request to the same OpenAI-compatible upstream (a stub on loopback, in its own process, so that
 * the model's time is the same small constant on both sides), once called directly with the AI
 * SDK and once through Content's studio — retrieval from a workspace's knowledge (an in-memory
 * searcher, so that Knowledge's own search time is not counted as Content's), prompt assembly
 * with the whole profile, the registry's chat chain (with its usage ledger in SQLite), and the
 * rule and fact checks on the finished text.
 *
 * Target: p50 added ≤ 5 ms per text. Sequential calls, so two cores are enough for both sides.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { streamText } from 'ai';
import { buildPolett, buildUser, buildWorkspace } from '../test-support/builders.js';
import { assembleGenerationPrompt, findBuiltInTemplate, openContentStudio } from '../src/content/index.js';
import { checkGeneratedText } from '../src/content/generation.js';
import { buildPassage } from '../src/content/testing/content-builders.js';
import { InMemoryKnowledgeSearcher } from '../src/content/testing/in-memory-knowledge-searcher.js';
import { openPlatform } from '../src/platform/index.js';
import { describeMachine, type BenchmarkReport } from './support/benchmark-report.js';
import { startChildServer } from './support/child-process.js';
import { median, percentile } from './support/statistics.js';

const UPSTREAM_ENTRY = 'bench/support/upstream-openai-server.ts';
const TARGET_P50_ADDED_MS = 5;

export interface ContentOverheadOptions {
  /** Timed texts per side. Default 400. */
  texts?: number;
  /** Untimed texts per side first. Default 50. */
  warmUp?: number;
}

const PROFILE = {
  name: 'Rosteriet Kaffekvarnen',
  description: 'Ett litet kafferosteri i Göteborg som rostar ekologiska bönor i små satser.',
  voice: {
    examples: ['Vi rostar varje tisdag, och doften når hela kvarteret.', 'Kaffe är hantverk, inte magi.'],
    adjectives: ['varm', 'kunnig', 'jordnära'],
  },
  audiences: [{ name: 'Hemmabryggare', description: 'Vill veta var bönorna kommer ifrån.' }],
  rules: {
    bannedWords: [{ word: 'billig', instead: 'prisvärd' }, 'fantastisk', 'unik'],
    requiredPhrases: ['Rostat i Göteborg'],
    address: 'du',
    emojis: false,
    maxExclamationMarks: 1,
  },
};

const FIELDS = {
  topic: 'Nya bönor från Etiopien',
  keyPoints: 'Fruktig, blommig, 149 kr',
  callToAction: 'Beställ i dag',
};

function summary(samples: number[]) {
  return { p50: median(samples), p90: percentile(samples, 0.9), p99: percentile(samples, 0.99) };
}

export async function runContentOverheadBenchmark(
  options: ContentOverheadOptions = {},
): Promise<BenchmarkReport> {
  const texts = options.texts ?? 400;
  const warmUp = options.warmUp ?? 50;
  const upstream = await startChildServer<{ url: string }>(UPSTREAM_ENTRY);
  const polett = buildPolett({
    providers: { upstream: { type: 'openai-compatible', baseURL: upstream.ready.url } },
    models: { stub: { provider: 'upstream', model: 'ok' } },
    tasks: { chat: ['stub'] },
  });
  try {
    const platform = openPlatform(polett.storage);
    const workspace = buildWorkspace(platform, { owner: await buildUser(platform) });
    const passages = [
      buildPassage('Etiopien Yirgacheffe: fruktig och blommig, 149 kr för 250 gram, ekologisk.'),
      buildPassage('Vi rostar varje tisdag i vårt rosteri på Hisingen i Göteborg.'),
      buildPassage('Frakt är gratis över 500 kr och tar 1–3 dagar.'),
    ];
    const knowledge = new InMemoryKnowledgeSearcher(passages);
    const studio = openContentStudio({
      database: polett.storage.database,
      models: polett.models,
      knowledgeFor: () => knowledge,
    }).forWorkspace(workspace.id);
    const profile = studio.store.createProfile(PROFILE);
    const template = findBuiltInTemplate('linkedin-post')!;

    // The direct side sends exactly what Polett would send, built once, outside the timing.
    const prompt = assembleGenerationPrompt({
      profile: profile.profile,
      template,
      fields: FIELDS,
      language: 'sv',
      passages: await knowledge.search(Object.values(FIELDS).join(' '), { limit: 6 }),
      variant: { index: 1, of: 1 },
    });
    const directModel = createOpenAICompatible({ name: 'direct', baseURL: upstream.ready.url }).chatModel(
      'ok',
    );

    const direct = async () => {
      const result = streamText({
        model: directModel,
        system: prompt.system,
        prompt: prompt.prompt,
        maxOutputTokens: 800,
        temperature: 0.8,
        seed: 1,
        maxRetries: 0,
      });
      let text = '';
      for await (const delta of result.textStream) text += delta;
      return text;
    };
    const throughPolett = async () => {
      let text = '';
      for await (const event of studio.prepareGeneration({
        profileId: profile.id,
        templateId: template.id,
        fields: FIELDS,
        variants: 1,
      }))
        if (event.type === 'variant-end') text = event.text;
      return text;
    };

    const time = async (run: () => Promise<string>, count: number, into?: number[]) => {
      for (let index = 0; index < count; index += 1) {
        const startedAt = performance.now();
        const text = await run();
        const elapsed = performance.now() - startedAt;
        if (text.length === 0) throw new Error('an empty text: the upstream did not answer');
        into?.push(elapsed);
      }
    };
    await time(direct, warmUp);
    await time(throughPolett, warmUp);
    // Interleaved in blocks, so that a burst of load on the shared machine hits both sides alike.
    const directSamples: number[] = [];
    const polettSamples: number[] = [];
    for (let block = 0; block < texts / 50; block += 1) {
      await time(direct, 50, directSamples);
      await time(throughPolett, 50, polettSamples);
    }
    // The checks alone, on the upstream's answer with the passages, for the breakdown.
    const checkSamples: number[] = [];
    const answer = await direct();
    for (let index = 0; index < texts; index += 1) {
      const startedAt = performance.now();
      checkGeneratedText(`${answer} ${randomUUID().slice(0, 4)}`, {
        profile: profile.profile,
        template,
        language: 'sv',
        passages,
      });
      checkSamples.push(performance.now() - startedAt);
    }

    const directSummary = summary(directSamples);
    const polettSummary = summary(polettSamples);
    const checks = summary(checkSamples);
    const addedP50 = polettSummary.p50 - directSummary.p50;
    const addedP99 = polettSummary.p99 - directSummary.p99;
    return {
      name: 'content-overhead',
      title: 'Content: time added per generated text over calling the model directly',
      setup: [
        describeMachine(),
        `${texts} texts per side (after ${warmUp} untimed), sequential, interleaved in blocks of 50`,
        'Upstream: the OpenAI-compatible stub (bench/support/upstream-openai-server.ts, model `ok`, streamed) in its own process on loopback',
        'Direct: AI SDK streamText with @ai-sdk/openai-compatible and the same system prompt and prompt Polett sends',
        'Polett: ContentStudio.prepareGeneration (1 variant) — retrieval from an in-memory searcher over 3 passages, prompt assembly with the whole profile, the registry chain with its usage ledger, rule and fact checks',
      ],
      columns: ['side', 'p50 ms', 'p90 ms', 'p99 ms'],
      rows: [
        ['direct (AI SDK → upstream)', directSummary.p50, directSummary.p90, directSummary.p99],
        ['through Content', polettSummary.p50, polettSummary.p90, polettSummary.p99],
        ['added by Content', addedP50, polettSummary.p90 - directSummary.p90, addedP99],
        ['of which rule + fact checks', checks.p50, checks.p90, checks.p99],
      ],
      verdicts: [
        {
          target: `p50 added ≤ ${TARGET_P50_ADDED_MS} ms per text`,
          measured: `${addedP50.toFixed(2)} ms`,
          passed: addedP50 <= TARGET_P50_ADDED_MS,
        },
      ],
      notes: [
        "Retrieval here is an in-memory searcher over 3 passages, to isolate Content's own work; Knowledge's hybrid search adds its own time (see Knowledge's benchmarks).",
      ],
    };
  } finally {
    await polett.close();
    await upstream.stop();
  }
}
