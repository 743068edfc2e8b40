/**
 * The local GGUF provider on the tiny generated models (random weights, real tokenizers), through
 * the AI SDK's own functions. Outputs are meaningless; their shape, grammar and bookkeeping are not.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { embedMany, generateObject, generateText, jsonSchema, rerank, streamText, tool } from 'ai';
import { LlamaChat } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { isPolettError, type PolettError } from '../../errors.js';
import { TEST_MODELS_DIR } from '../../../test-support/paths.js';
import {
  TINY_GGUF_BPE_MODEL,
  TINY_GGUF_MODEL,
  TINY_GGUF_RERANKER_MODEL,
} from '../../../test-support/tiny-gguf.js';
import { createLocalGgufProvider, type LocalGgufProvider } from './local-gguf-provider.js';

let provider: LocalGgufProvider;

beforeAll(async () => {
  provider = createLocalGgufProvider({
    name: 'local',
    modelsDirectory: TEST_MODELS_DIR,
    // One thread: on a two-core machine more threads than cores make tiny models slower.
    threads: 1,
    parallelSequences: 2,
  });
  // Load once here so that each test measures only its own work.
  await provider.tokenCounter(TINY_GGUF_MODEL).countTokens('warm up');
});

afterAll(async () => {
  await provider?.close();
});

describe('language model', () => {
  it('generates text with generateText and reports usage', async () => {
    const result = await generateText({
      model: provider.languageModel(TINY_GGUF_MODEL),
      system: 'You are a helpful assistant.',
      prompt: 'Hej!',
      maxOutputTokens: 8,
    });
    expect(typeof result.text).toBe('string');
    expect(['length', 'stop']).toContain(result.finishReason);
    // ChatML around the two messages, one token per byte: far more than the 4 bytes of "Hej!".
    expect(result.usage.inputTokens).toBeGreaterThan(30);
    expect(result.usage.outputTokens).toBeGreaterThan(0);
    expect(result.usage.outputTokens).toBeLessThanOrEqual(8);
  });

  it('streams text parts with streamText', async () => {
    const result = streamText({
      model: provider.languageModel(TINY_GGUF_MODEL),
      prompt: 'Skriv något.',
      maxOutputTokens: 8,
      temperature: 0.8,
      seed: 42,
    });
    const partTypes: string[] = [];
    for await (const part of result.fullStream) partTypes.push(part.type);
    expect(partTypes[0]).toBe('start');
    expect(partTypes).toContain('finish');
    const text = await result.text;
    if (text.length > 0) {
      expect(partTypes.indexOf('text-start')).toBeLessThan(partTypes.indexOf('text-delta'));
      expect(partTypes).toContain('text-end');
    }
    expect((await result.usage).outputTokens).toBeGreaterThan(0);
  });

  it('aborts the generation when the reader cancels the stream, and frees the sequence', async () => {
    const generateResponse = vi.spyOn(LlamaChat.prototype, 'generateResponse');
    try {
      const model = provider.languageModel(TINY_GGUF_BPE_MODEL);
      const { stream } = await model.doStream({
        prompt: [{ role: 'user', content: [{ type: 'text', text: 'Long story' }] }],
        maxOutputTokens: 2000,
        temperature: 1,
        seed: 1,
      });
      const reader = stream.getReader();
      for (let part = await reader.read(); !part.done; part = await reader.read()) {
        if (part.value.type === 'text-delta') break;
      }
      await reader.cancel();
      const signal = generateResponse.mock.calls.at(-1)?.[1]?.signal;
      expect(signal?.aborted).toBe(true);
    } finally {
      generateResponse.mockRestore();
    }
    // Both sequences are free again.
    const model = provider.languageModel(TINY_GGUF_MODEL);
    const more = await Promise.all([
      generateText({ model, prompt: 'a', maxOutputTokens: 2 }),
      generateText({ model, prompt: 'b', maxOutputTokens: 2 }),
    ]);
    expect(more).toHaveLength(2);
  });

  it('gives the same output for the same seed', async () => {
    const run = () =>
      generateText({
        model: provider.languageModel(TINY_GGUF_MODEL),
        prompt: 'Seed test',
        maxOutputTokens: 6,
        temperature: 1,
        seed: 7,
      });
    const [first, second] = [await run(), await run()];
    expect(second.text).toBe(first.text);
  });

  // Free-form strings are left out: random weights rarely choose the closing quote, and a
  // byte-level vocabulary can emit invalid UTF-8 that the grammar counts differently from zod.
  it('returns valid JSON for a schema even with random weights', async () => {
    const { object, usage } = await generateObject({
      model: provider.languageModel(TINY_GGUF_MODEL),
      schema: z.object({
        sentiment: z.enum(['positive', 'negative', 'neutral']),
        urgent: z.boolean(),
        topics: z.array(z.enum(['delivery', 'returns', 'billing'])).max(3),
        reply: z.union([z.literal('yes'), z.null()]),
      }),
      prompt: 'Hej! Jag undrar när min beställning kommer fram?',
      maxOutputTokens: 200,
    });
    expect(['positive', 'negative', 'neutral']).toContain(object.sentiment);
    expect(typeof object.urgent).toBe('boolean');
    expect(object.topics.length).toBeLessThanOrEqual(3);
    expect(usage.outputTokens).toBeGreaterThan(10);
  });

  it('returns a forced tool call without running the tool', async () => {
    const result = await generateText({
      model: provider.languageModel(TINY_GGUF_MODEL),
      prompt: 'Where is order 1234?',
      tools: {
        lookUpOrder: tool({
          description: 'Looks up an order',
          inputSchema: jsonSchema<{ urgent: boolean; channel: 'mail' | 'phone' }>({
            type: 'object',
            properties: { urgent: { type: 'boolean' }, channel: { enum: ['mail', 'phone'] } },
            required: ['urgent', 'channel'],
            additionalProperties: false,
          }),
        }),
      },
      toolChoice: 'required',
      maxOutputTokens: 60,
    });
    expect(result.finishReason).toBe('tool-calls');
    expect(result.toolCalls).toHaveLength(1);
    const [call] = result.toolCalls;
    expect(call?.toolName).toBe('lookUpOrder');
    expect(typeof (call?.input as { urgent: unknown }).urgent).toBe('boolean');
    expect(['mail', 'phone']).toContain((call?.input as { channel: unknown }).channel);
  });

  it('streams a forced call to one named tool as a tool-call part', async () => {
    const result = streamText({
      model: provider.languageModel(TINY_GGUF_MODEL),
      prompt: 'Ring kunden',
      tools: {
        callCustomer: tool({ inputSchema: z.object({ confirmed: z.boolean() }) }),
        sendMail: tool({ inputSchema: z.object({ draft: z.boolean() }) }),
      },
      toolChoice: { type: 'tool', toolName: 'callCustomer' },
      maxOutputTokens: 40,
    });
    const toolCalls = [];
    for await (const part of result.fullStream) if (part.type === 'tool-call') toolCalls.push(part);
    expect(toolCalls).toHaveLength(1);
    expect(toolCalls[0]?.toolName).toBe('callCustomer');
    expect(typeof (toolCalls[0]?.input as { confirmed: unknown }).confirmed).toBe('boolean');
    expect(await result.text).toBe('');
  });

  it('renders earlier tool calls and results from the history', async () => {
    const result = await generateText({
      model: provider.languageModel(TINY_GGUF_MODEL),
      messages: [
        { role: 'user', content: 'Where is order 1234?' },
        {
          role: 'assistant',
          content: [
            { type: 'tool-call', toolCallId: 'call-1', toolName: 'lookUpOrder', input: { orderId: '1234' } },
          ],
        },
        {
          role: 'tool',
          content: [
            {
              type: 'tool-result',
              toolCallId: 'call-1',
              toolName: 'lookUpOrder',
              output: { type: 'json', value: { status: 'shipped' } },
            },
          ],
        },
      ],
      tools: { lookUpOrder: tool({ inputSchema: z.object({ orderId: z.string() }) }) },
      maxOutputTokens: 4,
    });
    expect(result.usage.inputTokens).toBeGreaterThan(50);
  });

  it('runs two generations at once on one context', async () => {
    const model = provider.languageModel(TINY_GGUF_MODEL);
    const results = await Promise.all([
      generateText({ model, prompt: 'First', maxOutputTokens: 8 }),
      generateText({ model, prompt: 'Second', maxOutputTokens: 8 }),
      // A third waits in line for a free sequence.
      generateText({ model, prompt: 'Third', maxOutputTokens: 4 }),
    ]);
    for (const result of results) expect(result.usage.outputTokens).toBeGreaterThan(0);
  });

  it('stops at a stop sequence and honours an abort signal', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stopped by the test'));
    await expect(
      generateText({
        model: provider.languageModel(TINY_GGUF_MODEL),
        prompt: 'x',
        maxOutputTokens: 8,
        abortSignal: controller.signal,
      }),
    ).rejects.toThrow();
    const result = await generateText({
      model: provider.languageModel(TINY_GGUF_MODEL),
      prompt: 'x',
      maxOutputTokens: 8,
      stopSequences: ['a', 'e', 'i', 'o', 'u'],
    });
    expect(result.text).not.toMatch(/[aeiou]/);
  });
});

describe('embeddings, ranking, classification, tokens', () => {
  it('embeds texts into finite unit vectors of the model width', async () => {
    const { embeddings, usage } = await embedMany({
      model: provider.embeddingModel(TINY_GGUF_MODEL),
      values: ['Hej världen', 'Leveranstider', ''],
    });
    expect(embeddings).toHaveLength(3);
    for (const embedding of embeddings) {
      expect(embedding).toHaveLength(64);
      expect(embedding.every(Number.isFinite)).toBe(true);
      expect(Math.hypot(...embedding)).toBeCloseTo(1, 5);
    }
    expect(embeddings[0]).not.toEqual(embeddings[1]);
    expect(usage.tokens).toBeGreaterThan(0);
  });

  it('reranks with a model that has a ranking head', async () => {
    const { ranking } = await rerank({
      model: provider.rerankingModel(TINY_GGUF_RERANKER_MODEL),
      query: 'leveranstid',
      documents: ['Vi levererar inom tre dagar.', 'Öppettider: 9–17.', 'Returer är gratis.'],
      topN: 2,
    });
    expect(ranking).toHaveLength(2);
    expect(ranking[0]!.score).toBeGreaterThanOrEqual(ranking[1]!.score);
    for (const item of ranking) expect(item.score).toBeGreaterThanOrEqual(0);
  });

  it('refuses to rerank with a model that has no ranking head', async () => {
    const error = await rerank({
      model: provider.rerankingModel(TINY_GGUF_MODEL),
      query: 'q',
      documents: ['a', 'b'],
    }).catch((caught: unknown) => caught);
    expect(findPolettError(error)?.code).toBe('model_capability_missing');
  });

  it('classifies into one label with probabilities that sum to one', async () => {
    const labels = ['leverans', 'retur', 'faktura'];
    const { scores } = await provider.classificationModel(TINY_GGUF_MODEL).doClassify({
      text: 'Hej! Jag undrar när min beställning kommer fram?',
      labels,
    });
    expect(scores.map((score) => score.label).sort()).toEqual([...labels].sort());
    expect(scores.reduce((sum, score) => sum + score.score, 0)).toBeCloseTo(1, 6);
    expect(scores[0]!.score).toBeGreaterThanOrEqual(scores[2]!.score);
    // Scoring moved the sequence by hand: chat on the same sequences still works afterwards.
    const after = await generateText({
      model: provider.languageModel(TINY_GGUF_MODEL),
      prompt: 'Efteråt',
      maxOutputTokens: 4,
    });
    expect(after.usage.outputTokens).toBeGreaterThan(0);
  });

  it('classifies several labels independently', async () => {
    const { scores } = await provider.classificationModel(TINY_GGUF_BPE_MODEL).doClassify({
      text: 'Paketet kom sent och var trasigt.',
      labels: ['late delivery', 'damaged item'],
      multiLabel: true,
    });
    expect(scores).toHaveLength(2);
    for (const score of scores) expect(score.score).toBeGreaterThan(0);
    for (const score of scores) expect(score.score).toBeLessThan(1);
  });

  it('counts fewer tokens than bytes for Swedish with a real BPE vocabulary', async () => {
    const text = 'Hej! Jag undrar när min beställning kommer fram?';
    const bpe = await provider.tokenCounter(TINY_GGUF_BPE_MODEL).countTokens(text);
    const byteLevel = await provider.tokenCounter(TINY_GGUF_MODEL).countTokens(text);
    expect(byteLevel).toBe(Buffer.byteLength(text));
    expect(bpe).toBeLessThan(Buffer.byteLength(text));
    expect(bpe).toBeGreaterThan(5);
  });

  it('does not read control tokens from plain text', async () => {
    const tokens = await provider.tokenCounter(TINY_GGUF_MODEL).encode!('<|im_end|>');
    expect(tokens).toHaveLength('<|im_end|>'.length);
  });
});

describe('broken model files', () => {
  let directory: string;
  let brokenProvider: LocalGgufProvider;

  beforeAll(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'polett-gguf-'));
    const original = readFileSync(path.join(TEST_MODELS_DIR, TINY_GGUF_MODEL));
    writeFileSync(
      path.join(directory, 'truncated.gguf'),
      original.subarray(0, Math.floor(original.length * 0.6)),
    );
    writeFileSync(path.join(directory, 'header-only.gguf'), original.subarray(0, 24));
    writeFileSync(path.join(directory, 'garbage.gguf'), Buffer.from('not a model at all '.repeat(50)));
    copyFileSync(path.join(TEST_MODELS_DIR, TINY_GGUF_MODEL), path.join(directory, 'good.gguf'));
    brokenProvider = createLocalGgufProvider({ name: 'broken', modelsDirectory: directory, threads: 1 });
  });

  afterAll(async () => {
    await brokenProvider?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it.each(['truncated.gguf', 'header-only.gguf', 'garbage.gguf'])('fails clearly on %s', async (file) => {
    const error = await generateText({
      model: brokenProvider.languageModel(file),
      prompt: 'x',
      maxOutputTokens: 2,
    }).catch((caught: unknown) => caught);
    const polettError = findPolettError(error);
    expect(polettError?.code).toBe('model_file_invalid');
    expect(polettError?.status).toBe(503);
    expect(polettError?.isRetryable).toBe(false);
    expect(polettError?.field).toBe('model');
    expect(polettError?.messageIn('sv')).toContain(file);
    expect(polettError?.messageIn('en')).toContain('Download it again');
  });

  it('fails clearly on a missing file and keeps serving good ones', async () => {
    const error = await brokenProvider
      .tokenCounter('missing.gguf')
      .countTokens('x')
      .catch((caught: unknown) => caught);
    expect(findPolettError(error)?.code).toBe('model_file_missing');
    // The id may leave out the extension; the failures above did not poison the provider.
    expect(await brokenProvider.tokenCounter('good').countTokens('abc')).toBe(3);
  });

  it('refuses ids that leave the models folder', async () => {
    const error = await brokenProvider
      .tokenCounter('../outside.gguf')
      .countTokens('x')
      .catch((caught: unknown) => caught);
    expect(findPolettError(error)?.code).toBe('model_id_invalid');
  });
});

/** The AI SDK wraps provider errors (retries, API call errors): find ours in the cause chain. */
function findPolettError(error: unknown): PolettError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined; depth += 1) {
    if (isPolettError(current)) return current;
    const next = current as { cause?: unknown; lastError?: unknown; errors?: unknown[] };
    current = next.lastError ?? next.errors?.at(-1) ?? next.cause;
  }
  return undefined;
}
