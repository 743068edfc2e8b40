import { generateText, streamText } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPolettError } from '../errors.js';
import { buildPolett } from '../../test-support/builders.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../../test-support/fake-openai-server.js';

let upstream: FakeOpenAIServer;

beforeAll(async () => {
  upstream = await startFakeOpenAIServer();
});
afterAll(async () => {
  await upstream.close();
});

/** A Polett whose `chat` task is the given chain of fake-server models. */
function polettWithChain(chain: string[], providerSettings: Record<string, unknown> = {}) {
  const models = Object.fromEntries(chain.map((name) => [name, { provider: 'upstream', model: name }]));
  return buildPolett(
    {
      providers: {
        upstream: {
          type: 'openai-compatible',
          baseURL: upstream.url,
          maxRetries: 2,
          timeoutMs: 1_000,
          ...providerSettings,
        },
      },
      models,
      tasks: { chat: chain },
    },
    { models: { retryDelays: { retryBaseDelayMs: 5, retryMaxDelayMs: 50 } } },
  );
}

describe('the fallback chain over a real HTTP provider', () => {
  it('answers and writes the call to the usage ledger with its tokens', async () => {
    const polett = polettWithChain(['ok']);
    const result = await generateText({ model: polett.models.languageModel(), prompt: 'Hej', maxRetries: 0 });
    expect(result.text).toBe('Hej från servern!');
    const [entry] = polett.storage.usage.recent(1);
    expect(entry).toMatchObject({
      task: 'chat',
      provider: 'upstream',
      model: 'ok',
      inputTokens: 12,
      outputTokens: 3,
      ok: true,
    });
    await polett.close();
  });

  it('retries a 500 until the provider recovers', async () => {
    const polett = polettWithChain(['flaky-500']);
    const before = upstream.calls.get('flaky-500') ?? 0;
    const result = await generateText({ model: polett.models.languageModel(), prompt: 'Hej', maxRetries: 0 });
    expect(result.text).toBe('Hej från servern!');
    expect((upstream.calls.get('flaky-500') ?? 0) - before).toBe(3);
    const outcomes = polett.storage.usage.recent(3).map((entry) => entry.ok);
    expect(outcomes).toEqual([true, false, false]);
    await polett.close();
  });

  it('honours a 429 with Retry-After and then succeeds', async () => {
    const polett = polettWithChain(['rate-limited']);
    const result = await generateText({ model: polett.models.languageModel(), prompt: 'Hej', maxRetries: 0 });
    expect(result.text).toBe('Hej från servern!');
    expect(upstream.calls.get('rate-limited')).toBe(2);
    await polett.close();
  });

  it('moves on to the next model when a Retry-After is too long to wait for', async () => {
    const polett = polettWithChain(['rate-limited-long', 'ok']);
    const result = await generateText({ model: polett.models.languageModel(), prompt: 'Hej', maxRetries: 0 });
    expect(result.text).toBe('Hej från servern!');
    expect(upstream.calls.get('rate-limited-long')).toBe(1);
    await polett.close();
  });

  it('falls back to the next model after retries are spent', async () => {
    const polett = polettWithChain(['fail-500', 'ok']);
    const before = upstream.calls.get('fail-500') ?? 0;
    const result = await generateText({ model: polett.models.languageModel(), prompt: 'Hej', maxRetries: 0 });
    expect(result.text).toBe('Hej från servern!');
    expect((upstream.calls.get('fail-500') ?? 0) - before).toBe(3);
    await polett.close();
  });

  it('does not retry a wrong API key, and says so in one sentence', async () => {
    const polett = polettWithChain(['unauthorized']);
    const error = await generateText({
      model: polett.models.languageModel(),
      prompt: 'Hej',
      maxRetries: 0,
    }).catch((thrown: unknown) => thrown);
    expect(upstream.calls.get('unauthorized')).toBe(1);
    expect(isPolettError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'model_auth_failed', isRetryable: false });
    expect((error as Error).message).toMatch(/refused the API key/);
    await polett.close();
  });

  it('times out a hanging provider and falls back', async () => {
    const polett = polettWithChain(['hang', 'ok'], { timeoutMs: 200, maxRetries: 0 });
    const startedAt = Date.now();
    const result = await generateText({ model: polett.models.languageModel(), prompt: 'Hej', maxRetries: 0 });
    expect(result.text).toBe('Hej från servern!');
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(polett.storage.usage.recent(2).map((entry) => entry.errorCode)).toEqual([null, 'model_timeout']);
    await polett.close();
  });

  it('reports a timeout as one sentence when the chain has nothing else', async () => {
    const polett = polettWithChain(['hang'], { timeoutMs: 200, maxRetries: 0 });
    const error = await generateText({
      model: polett.models.languageModel(),
      prompt: 'Hej',
      maxRetries: 0,
    }).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: 'model_timeout' });
    await polett.close();
  });

  it('streams, and falls back when a stream fails before its first token', async () => {
    const polett = polettWithChain(['fail-500', 'ok'], { maxRetries: 0 });
    const result = streamText({ model: polett.models.languageModel(), prompt: 'Hej', maxRetries: 0 });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    expect(text).toBe('Hej från servern!');
    expect(polett.storage.usage.recent(1)[0]).toMatchObject({ model: 'ok', ok: true, outputTokens: 3 });
    await polett.close();
  });

  it('ends a stream cut in the middle with one error, after the text that came', async () => {
    const polett = polettWithChain(['cut', 'ok'], { maxRetries: 0 });
    const result = streamText({
      model: polett.models.languageModel(),
      prompt: 'Hej',
      maxRetries: 0,
      onError: () => {},
    });
    let text = '';
    let streamError: unknown;
    for await (const part of result.fullStream) {
      if (part.type === 'text-delta') text += part.text;
      if (part.type === 'error') streamError = part.error;
    }
    expect(text).toBe('Hej från ');
    expect(isPolettError(streamError)).toBe(true);
    expect(polett.storage.usage.recent(1)[0]).toMatchObject({ model: 'cut', ok: false });
    await polett.close();
  });

  it('times out a stream that goes silent in the middle, keeping the text that came', async () => {
    const polett = polettWithChain(['stall'], { timeoutMs: 300, maxRetries: 0 });
    const result = streamText({
      model: polett.models.languageModel(),
      prompt: 'Hej',
      maxRetries: 0,
      onError: () => {},
    });
    let text = '';
    let streamError: unknown;
    for await (const part of result.fullStream) {
      if (part.type === 'text-delta') text += part.text;
      if (part.type === 'error') streamError = part.error;
    }
    expect(text).toBe('Hej ');
    expect(streamError).toMatchObject({ code: 'model_timeout' });
    expect(polett.storage.usage.recent(1)[0]).toMatchObject({
      model: 'stall',
      ok: false,
      errorCode: 'model_timeout',
    });
    await polett.close();
  });

  it('gives the provider slot back when a consumer stops reading and the stream times out', async () => {
    const polett = polettWithChain(['stall', 'ok'], { timeoutMs: 200, maxRetries: 0, maxConcurrency: 1 });
    const abandoned = polett.models.languageModel({ alias: 'stall' });
    const { stream } = await abandoned.doStream({
      prompt: [{ role: 'user', content: [{ type: 'text', text: 'Hej' }] }],
    });
    await stream.getReader().read(); // one part, then this consumer never reads again
    const next = await generateText({
      model: polett.models.languageModel({ alias: 'ok' }),
      prompt: 'Hej',
      maxRetries: 0,
    });
    expect(next.text).toBe('Hej från servern!');
    expect(polett.storage.usage.recent(2).map((entry) => entry.errorCode)).toEqual([null, 'model_timeout']);
    await polett.close();
  });

  it('never has more calls in flight to one provider than its concurrency limit', async () => {
    const polett = polettWithChain(['ok'], { maxConcurrency: 2 });
    const model = polett.models.languageModel();
    let inFlight = 0;
    let peak = 0;
    // Count at the provider side of the semaphore by wrapping the chain's single link.
    const link = (model as unknown as { links: Array<{ model: { doGenerate: typeof model.doGenerate } }> })
      .links[0]!;
    const inner = link.model.doGenerate.bind(link.model);
    link.model.doGenerate = async (options) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      try {
        return await inner(options);
      } finally {
        inFlight -= 1;
      }
    };
    await Promise.all(Array.from({ length: 8 }, () => generateText({ model, prompt: 'Hej', maxRetries: 0 })));
    expect(peak).toBeLessThanOrEqual(2);
    expect(peak).toBeGreaterThan(0);
    await polett.close();
  });

  it('prices calls from the price table', async () => {
    const polett = buildPolett({
      providers: { upstream: { type: 'openai-compatible', baseURL: upstream.url } },
      models: {
        ok: {
          provider: 'upstream',
          model: 'ok',
          price: { inputPerMillion: 1_000_000, outputPerMillion: 2_000_000, currency: 'SEK' },
        },
      },
      tasks: { chat: ['ok'] },
    });
    await generateText({ model: polett.models.languageModel(), prompt: 'Hej', maxRetries: 0 });
    expect(polett.storage.usage.recent(1)[0]).toMatchObject({ cost: 12 + 6, currency: 'SEK' });
    const [summary] = polett.storage.usage.summarize();
    expect(summary).toMatchObject({ task: 'chat', calls: 1, inputTokens: 12, outputTokens: 3, cost: 18 });
    await polett.close();
  });

  it('says which task lacks a model when none is configured', async () => {
    const polett = buildPolett({});
    const error = await generateText({
      model: polett.models.languageModel(),
      prompt: 'Hej',
      maxRetries: 0,
    }).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: 'model_not_configured', field: 'tasks.chat' });
    await polett.close();
  });
});
