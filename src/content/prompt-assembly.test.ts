/**
 * Every generation receives the whole brand profile: each template's prompt is rendered through
 * the real generation path (with a mock model, the one place a mock is allowed: prompt assembly)
 * and every field of the profile must be in what the model was sent.
 */
import { simulateReadableStream } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import type { LanguageModelV3CallOptions } from '@ai-sdk/provider';
import { describe, expect, it } from 'vitest';
import {
  generateVariants,
  MAX_RETRIEVAL_QUERY_CHARACTERS,
  retrievePassages,
  type GenerationEvent,
} from './generation.js';
import { assembleGenerationPrompt, assembleRewritePrompt, REWRITE_INSTRUCTIONS } from './prompt-assembly.js';
import { reviewSentiment } from './review-sentiment.js';
import {
  BUILT_IN_TEMPLATES,
  parseUserTemplate,
  userTemplateToTemplate,
  type ContentTemplate,
} from './templates.js';
import { buildBrandProfile, buildPassage } from './testing/content-builders.js';
import { InMemoryKnowledgeSearcher } from './testing/in-memory-knowledge-searcher.js';

/** A profile with every field set, each value unique enough to be found in a prompt. */
const profile = buildBrandProfile({
  name: 'Rosteriet Kaffekvarnen',
  description: 'Beskrivning-XQ: ett litet rosteri.',
  voice: {
    examples: ['Exempeltext-ett om tisdagar.', 'Exempeltext-två om doften.'],
    adjectives: ['varm', 'kunnig'],
  },
  audiences: [
    { name: 'Hemmabryggare', description: 'Målgruppsbeskrivning-A' },
    { name: 'Kaféägare', description: 'Målgruppsbeskrivning-B' },
  ],
  rules: {
    bannedWords: [{ word: 'billig', instead: 'prisvärd' }, { word: 'fantastisk' }],
    requiredPhrases: ['Rostat i Göteborg'],
    address: 'ni',
    emojis: false,
    maxExclamationMarks: 0,
    maxCharacters: 1400,
    minCharacters: 40,
  },
  knowledgeCollections: ['sortiment', 'priser'],
});

/** Every profile value, and the words that render each rule, per language. */
function expectedProfileParts(language: 'sv' | 'en'): string[] {
  const { rules } = profile;
  return [
    profile.name,
    profile.description,
    language === 'sv' ? 'svenska' : 'English',
    ...profile.voice.adjectives,
    ...profile.voice.examples,
    ...profile.audiences.flatMap((audience) => [audience.name, audience.description]),
    ...rules.bannedWords.flatMap((banned) => [banned.word, ...(banned.instead ? [banned.instead] : [])]),
    ...rules.requiredPhrases,
    language === 'sv' ? 'Tilltala läsaren med ni' : 'address the reader as ni',
    language === 'sv' ? 'Använd inga emojier' : 'Use no emojis',
    language === 'sv' ? 'Använd inga utropstecken' : 'Use no exclamation marks',
    String(rules.minCharacters),
    String(rules.maxCharacters),
    ...profile.knowledgeCollections,
  ];
}

function fieldsFor(template: ContentTemplate): Record<string, string> {
  return Object.fromEntries(template.fields.map((field) => [field.name, `värde-${field.name}`]));
}

function sentText(call: LanguageModelV3CallOptions | undefined): string {
  return JSON.stringify(call?.prompt ?? []);
}

function streamingModel(text: string) {
  return new MockLanguageModelV3({
    doStream: async () => ({
      stream: simulateReadableStream({
        chunks: [
          { type: 'stream-start', warnings: [] },
          { type: 'text-start', id: 't' },
          ...text.split(' ').map((word, index) => ({
            type: 'text-delta' as const,
            id: 't',
            delta: index === 0 ? word : ` ${word}`,
          })),
          { type: 'text-end', id: 't' },
          {
            type: 'finish',
            finishReason: { unified: 'stop', raw: 'stop' },
            usage: {
              inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 },
              outputTokens: { total: 1, text: 1, reasoning: 0 },
            },
          },
        ],
      }),
    }),
  });
}

async function collect(events: AsyncIterable<GenerationEvent>): Promise<GenerationEvent[]> {
  const all: GenerationEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

const userTemplate = userTemplateToTemplate(
  'user-1',
  parseUserTemplate({
    name: 'Veckans böna',
    fields: [{ name: 'bean', label: 'Böna' }],
    instructions: 'Presentera veckans böna {{bean}}.',
  }),
);

describe('prompt assembly', () => {
  for (const template of [...BUILT_IN_TEMPLATES, userTemplate]) {
    for (const language of ['sv', 'en'] as const) {
      it(`sends the whole profile with the ${template.id} template (${language})`, async () => {
        const model = streamingModel('Hej där');
        const knowledge = new InMemoryKnowledgeSearcher([
          buildPassage('värde-topic värde-product värde-review Källtext-Z'),
        ]);
        await collect(
          generateVariants({
            model,
            profile,
            template,
            fields: fieldsFor(template),
            language,
            knowledge,
            maxOutputTokens: 16,
          }),
        );
        const sent = sentText(model.doStreamCalls[0]);
        for (const part of expectedProfileParts(language))
          expect(sent, `${template.id} lacks "${part}"`).toContain(part);
        for (const value of Object.values(fieldsFor(template))) expect(sent).toContain(value);
        if (
          template.builtIn &&
          template.fields.some((field) => ['topic', 'product', 'review'].includes(field.name))
        )
          expect(sent).toContain('Källtext-Z');
        // The collections of the profile reach the search too.
        expect(knowledge.queries[0]?.options.collections).toEqual(['sortiment', 'priser']);
      });
    }
  }

  it('asks Knowledge with at most its own query limit when a long text is fact-checked', async () => {
    const knowledge = new InMemoryKnowledgeSearcher([buildPassage('Vi rostar på tisdagar.')]);
    await retrievePassages(knowledge, 'Vi rostar på tisdagar. '.repeat(4_000), profile, 'sv');
    expect(knowledge.queries[0]!.query.length).toBe(MAX_RETRIEVAL_QUERY_CHARACTERS);
  });

  it('puts the whole profile into every rewrite as well', () => {
    for (const instruction of REWRITE_INSTRUCTIONS) {
      const { system, prompt } = assembleRewritePrompt({
        profile,
        instruction,
        text: 'Hela texten här.',
        selection: 'texten',
        language: 'sv',
        audience: 'Kaféägare',
      });
      for (const part of expectedProfileParts('sv')) expect(system + prompt).toContain(part);
      expect(prompt).toContain('<selection>\ntexten\n</selection>');
    }
  });

  it('tells the model the review’s sentiment', () => {
    const reply = BUILT_IN_TEMPLATES.find((template) => template.id === 'review-reply')!;
    const negative = assembleGenerationPrompt({
      profile,
      template: reply,
      fields: {
        review: 'Kaffet kom försent och påsen var trasig, jag är besviken.',
        rating: '',
        reviewerName: 'Eva',
      },
      language: 'sv',
      passages: [],
    });
    expect(negative.prompt).toContain('Recensionen är negativ');
    expect(reviewSentiment('Fantastiskt gott kaffe och snabb leverans, tack!')).toBe('positive');
    expect(reviewSentiment('Inte bra alls', '')).toBe('negative');
    expect(reviewSentiment('Helt okej', '3')).toBe('mixed');
  });

  it('streams several variants, each checked against the profile', async () => {
    const model = streamingModel('Ni får vårt billiga kaffe! Rostat i Göteborg');
    const events = await collect(
      generateVariants({
        model,
        profile,
        template: BUILT_IN_TEMPLATES[0]!,
        fields: { topic: 'Nya bönor' },
        language: 'sv',
        variants: 3,
      }),
    );
    expect(model.doStreamCalls).toHaveLength(3);
    expect(model.doStreamCalls.map((call) => call.seed)).toEqual([1, 2, 3]);
    expect(events.filter((event) => event.type === 'text-delta').length).toBeGreaterThanOrEqual(3 * 7);
    const end = events.at(-1);
    expect(end?.type).toBe('end');
    if (end?.type !== 'end') return;
    expect(end.variants).toHaveLength(3);
    for (const variant of end.variants) {
      expect(variant?.text).toBe('Ni får vårt billiga kaffe! Rostat i Göteborg');
      expect(variant?.findings.map((finding) => finding.rule).sort()).toEqual(['banned-word', 'exclamation']);
    }
  });
});
