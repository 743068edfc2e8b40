import type {
  LanguageModelV3CallOptions,
  LanguageModelV3GenerateResult,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
} from '@ai-sdk/provider';
import {
  embedMany,
  generateText,
  jsonSchema,
  simulateReadableStream,
  streamText,
  tool,
  wrapEmbeddingModel,
  wrapLanguageModel,
  type ModelMessage,
} from 'ai';
import { MockEmbeddingModelV3, MockLanguageModelV3 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { isPolettError } from '../../errors.js';
import {
  createPiiEmbeddingRedactionMiddleware,
  createPiiRedactionMiddleware,
  redactTextsForEmbedding,
} from './pii-middleware.js';

/** Every original in the conversation below: none of them may reach the model. */
const ORIGINALS = [
  '811218-9876',
  'åsa.öberg@exempel.se',
  '070-123 45 67',
  '556012-5790',
  'SE45 5000 0000 0583 9825 7466',
  '4111 1111 1111 1111',
  '701063-2227',
  '5560125790',
];

function buildUsage(): LanguageModelV3Usage {
  return {
    inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: 5, text: 5, reasoning: undefined },
  };
}

function buildGenerateResult(
  content: LanguageModelV3GenerateResult['content'],
): LanguageModelV3GenerateResult {
  return { content, finishReason: { unified: 'stop', raw: 'stop' }, usage: buildUsage(), warnings: [] };
}

function buildStream(parts: LanguageModelV3StreamPart[]): ReadableStream<LanguageModelV3StreamPart> {
  return simulateReadableStream({
    chunks: [
      { type: 'stream-start', warnings: [] },
      ...parts,
      { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage: buildUsage() },
    ],
  });
}

/** Cuts a text into pieces of three characters, so that placeholders are split across deltas. */
function inPiecesOfThree(text: string): string[] {
  return text.match(/[\s\S]{1,3}/g) ?? [];
}

/** The whole prompt as the provider would serialise it. */
function sentText(call: LanguageModelV3CallOptions | undefined): string {
  return JSON.stringify(call?.prompt);
}

const SYSTEM_PROMPT = 'Du är kundtjänst för Volvo AB (org.nr 556012-5790). Svara på svenska.';

/** A support conversation with personal data in every kind of prompt part. */
function buildConversation(): ModelMessage[] {
  return [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Hej! Jag är Åsa, personnummer 811218-9876, e-post åsa.öberg@exempel.se.' },
      ],
    },
    {
      role: 'assistant',
      content: [
        { type: 'text', text: 'Tack Åsa. Jag slår upp ditt konto.' },
        {
          type: 'tool-call',
          toolCallId: 'call-1',
          toolName: 'lookupCustomer',
          input: { personnummer: '811218-9876' },
        },
      ],
    },
    {
      role: 'tool',
      content: [
        {
          type: 'tool-result',
          toolCallId: 'call-1',
          toolName: 'lookupCustomer',
          output: {
            type: 'json',
            value: {
              phone: '070-123 45 67',
              iban: 'SE45 5000 0000 0583 9825 7466',
              cards: ['4111 1111 1111 1111'],
              spouse: { samordningsnummer: '701063-2227' },
              employer: 5560125790,
              orderCount: 12,
            },
          },
        },
      ],
    },
    { role: 'user', content: 'Kan ni skicka kvittot till min e-post igen? Order 123456, 1 299 kr.' },
  ];
}

const lookupCustomer = tool({
  description: 'Looks a customer up.',
  inputSchema: jsonSchema<{ personnummer: string }>({
    type: 'object',
    properties: { personnummer: { type: 'string' } },
    required: ['personnummer'],
  }),
});
const sendReceipt = tool({
  description: 'Sends a receipt.',
  inputSchema: jsonSchema<{ to: string; order: string }>({
    type: 'object',
    properties: { to: { type: 'string' }, order: { type: 'string' } },
    required: ['to', 'order'],
  }),
});

describe('createPiiRedactionMiddleware with generateText', () => {
  it('sends no personal data and gives the caller the originals back', async () => {
    const model = new MockLanguageModelV3({
      doGenerate: buildGenerateResult([
        { type: 'reasoning', text: 'Kunden [PERSONNUMMER_1] vill ha kvittot.' },
        { type: 'text', text: 'Klart! Kvittot går till [EMAIL_1], och vi ringer [PHONE_1] om något saknas.' },
        {
          type: 'tool-call',
          toolCallId: 'call-2',
          toolName: 'sendReceipt',
          input: JSON.stringify({ to: '[EMAIL_1]', order: '123456' }),
        },
      ]),
    });
    const result = await generateText({
      model: wrapLanguageModel({ model, middleware: createPiiRedactionMiddleware() }),
      system: SYSTEM_PROMPT,
      messages: buildConversation(),
      tools: { lookupCustomer, sendReceipt },
    });

    const sent = sentText(model.doGenerateCalls[0]);
    for (const original of ORIGINALS) expect(sent).not.toContain(original);
    expect(sent).toContain('Volvo AB (org.nr [ORGANISATIONSNUMMER_1])');
    expect(sent).toContain('personnummer [PERSONNUMMER_1], e-post [EMAIL_1]');
    expect(sent).toContain('"input":{"personnummer":"[PERSONNUMMER_1]"}');
    expect(sent).toContain('"spouse":{"samordningsnummer":"[SAMORDNINGSNUMMER_1]"}');
    // The organisationsnummer stored as a JSON number is the one Volvo has in the system prompt.
    expect(sent).toContain('"employer":"[ORGANISATIONSNUMMER_2]"');
    expect(sent).toContain('"orderCount":12');
    expect(sent).toContain('Order 123456, 1 299 kr.');

    expect(result.text).toBe(
      'Klart! Kvittot går till åsa.öberg@exempel.se, och vi ringer 070-123 45 67 om något saknas.',
    );
    expect(result.reasoningText).toBe('Kunden 811218-9876 vill ha kvittot.');
    expect(result.toolCalls.map((call) => call.input)).toEqual([
      { to: 'åsa.öberg@exempel.se', order: '123456' },
    ]);
  });

  it('leaves a prompt without personal data as it is', async () => {
    const model = new MockLanguageModelV3({
      doGenerate: buildGenerateResult([{ type: 'text', text: 'Leverans [1] sker 2024-05-17.' }]),
    });
    const result = await generateText({
      model: wrapLanguageModel({ model, middleware: createPiiRedactionMiddleware() }),
      prompt: 'När levereras order 123456 till 114 55 Stockholm?',
    });
    expect(sentText(model.doGenerateCalls[0])).toContain('När levereras order 123456 till 114 55 Stockholm?');
    expect(result.text).toBe('Leverans [1] sker 2024-05-17.');
  });

  it('refuses to call the model when the call did not pass through its own transformParams', async () => {
    const middleware = createPiiRedactionMiddleware();
    const model = new MockLanguageModelV3({ doGenerate: buildGenerateResult([]) });
    const params: LanguageModelV3CallOptions = { prompt: [{ role: 'system', content: 'Pnr 811218-9876' }] };
    const call = middleware.wrapGenerate?.({
      doGenerate: () => model.doGenerate(params),
      doStream: () => model.doStream(params),
      params,
      model,
    });
    const error: unknown = await Promise.resolve(call).catch((caught: unknown) => caught);
    expect(isPolettError(error) && error.code).toBe('pii_redaction_missing');
    expect(model.doGenerateCalls).toHaveLength(0);
  });
});

describe('createPiiRedactionMiddleware with streamText', () => {
  it('restores placeholders split across text, reasoning and tool-input deltas', async () => {
    const answer = 'Ditt personnummer [PERSONNUMMER_1] och e-post [EMAIL_1] är noterade. Kort: [CARD_1].';
    const toolInput = JSON.stringify({ to: '[EMAIL_1]', order: '123456' });
    const model = new MockLanguageModelV3({
      doStream: {
        stream: buildStream([
          { type: 'reasoning-start', id: 'r' },
          ...inPiecesOfThree('Kolla [PHONE_1] först.').map((delta): LanguageModelV3StreamPart => ({
            type: 'reasoning-delta',
            id: 'r',
            delta,
          })),
          { type: 'reasoning-end', id: 'r' },
          { type: 'text-start', id: 't' },
          ...inPiecesOfThree(answer).map((delta): LanguageModelV3StreamPart => ({
            type: 'text-delta',
            id: 't',
            delta,
          })),
          { type: 'text-end', id: 't' },
          { type: 'tool-input-start', id: 'call-2', toolName: 'sendReceipt' },
          ...inPiecesOfThree(toolInput).map((delta): LanguageModelV3StreamPart => ({
            type: 'tool-input-delta',
            id: 'call-2',
            delta,
          })),
          { type: 'tool-input-end', id: 'call-2' },
          { type: 'tool-call', toolCallId: 'call-2', toolName: 'sendReceipt', input: toolInput },
        ]),
      },
    });
    const result = streamText({
      model: wrapLanguageModel({ model, middleware: createPiiRedactionMiddleware() }),
      system: SYSTEM_PROMPT,
      messages: buildConversation(),
      tools: { lookupCustomer, sendReceipt },
    });

    const textDeltas: string[] = [];
    const toolInputDeltas: string[] = [];
    for await (const part of result.fullStream) {
      if (part.type === 'text-delta') textDeltas.push(part.text);
      if (part.type === 'tool-input-delta') toolInputDeltas.push(part.delta);
    }

    const sent = sentText(model.doStreamCalls[0]);
    for (const original of ORIGINALS) expect(sent).not.toContain(original);
    expect(await result.text).toBe(
      'Ditt personnummer 811218-9876 och e-post åsa.öberg@exempel.se är noterade. Kort: 4111 1111 1111 1111.',
    );
    expect(await result.reasoningText).toBe('Kolla 070-123 45 67 först.');
    expect(textDeltas.join('')).toBe(await result.text);
    // No delta shows the caller a piece of a placeholder.
    for (const delta of textDeltas) expect(delta).not.toMatch(/\[[A-Z_]*$|^[A-Z_\d]*\]/);
    expect(JSON.parse(toolInputDeltas.join(''))).toEqual({ to: 'åsa.öberg@exempel.se', order: '123456' });
    expect((await result.toolCalls).map((call) => call.input)).toEqual([
      { to: 'åsa.öberg@exempel.se', order: '123456' },
    ]);
  });

  it('releases a held-back tail when the provider never ends the text', async () => {
    const model = new MockLanguageModelV3({
      doStream: {
        stream: buildStream([
          { type: 'text-start', id: 't' },
          { type: 'text-delta', id: 't', delta: 'Mejlar [EMAIL_1] och [EMA' },
        ]),
      },
    });
    const result = streamText({
      model: wrapLanguageModel({ model, middleware: createPiiRedactionMiddleware() }),
      prompt: 'Skriv till anna@exempel.se',
    });
    expect(await result.text).toBe('Mejlar anna@exempel.se och [EMA');
  });

  it('keeps the mappings of two concurrent calls apart', async () => {
    // Both calls wait until both have reached the model, so that both mappings are alive at once,
    // and each streams its redacted user message back in small pieces, interleaved with the other.
    let arrived = 0;
    let releaseBoth: () => void = () => {};
    const bothArrived = new Promise<void>((resolve) => {
      releaseBoth = resolve;
    });
    const model = new MockLanguageModelV3({
      doStream: async (params) => {
        arrived++;
        if (arrived === 2) releaseBoth();
        await bothArrived;
        const userMessage = params.prompt.find((message) => message.role === 'user');
        const firstPart = userMessage?.role === 'user' ? userMessage.content[0] : undefined;
        const echoed = firstPart?.type === 'text' ? firstPart.text : '';
        return {
          stream: simulateReadableStream({
            chunkDelayInMs: 1,
            chunks: [
              { type: 'text-start', id: 't' },
              ...inPiecesOfThree(echoed).map((delta): LanguageModelV3StreamPart => ({
                type: 'text-delta',
                id: 't',
                delta,
              })),
              { type: 'text-end', id: 't' },
              { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage: buildUsage() },
            ],
          }),
        };
      },
    });
    const wrapped = wrapLanguageModel({ model, middleware: createPiiRedactionMiddleware() });
    const anna = 'Jag är Anna, anna@exempel.se, personnummer 811218-9876, telefon 070-123 45 67.';
    const bo = 'Jag är Bo, bo.ek@företag.se, personnummer 701063-2227 (samordning), telefon 08-123 456 78.';

    const [annaText, boText] = await Promise.all([
      streamText({ model: wrapped, prompt: anna }).text,
      streamText({ model: wrapped, prompt: bo }).text,
    ]);

    const sent = model.doStreamCalls.map(sentText).join('\n');
    expect(sent).toContain('Jag är Anna, [EMAIL_1], personnummer [PERSONNUMMER_1], telefon [PHONE_1].');
    expect(sent).toContain(
      'Jag är Bo, [EMAIL_1], personnummer [SAMORDNINGSNUMMER_1] (samordning), telefon [PHONE_1].',
    );
    expect(annaText).toBe(anna);
    expect(boText).toBe(bo);
  });
});

describe('embeddings', () => {
  it('redacts each text on its own, so a vector never depends on its batch', () => {
    expect(redactTextsForEmbedding(['Kund bo@exempel.se', 'Kund anna@exempel.se, bo@exempel.se'])).toEqual([
      'Kund [EMAIL_1]',
      'Kund [EMAIL_1], [EMAIL_2]',
    ]);
  });

  it('sends only redacted text to a wrapped embedding model', async () => {
    const model = new MockEmbeddingModelV3({
      doEmbed: async ({ values }) => ({ embeddings: values.map(() => [1, 0]), warnings: [] }),
    });
    await embedMany({
      model: wrapEmbeddingModel({ model, middleware: createPiiEmbeddingRedactionMiddleware() }),
      values: ['Ärende från åsa.öberg@exempel.se om 811218-9876', 'Leverans 2024-05-17 till 114 55'],
    });
    expect(model.doEmbedCalls.flatMap((call) => call.values)).toEqual([
      'Ärende från [EMAIL_1] om [PERSONNUMMER_1]',
      'Leverans 2024-05-17 till 114 55',
    ]);
  });
});
