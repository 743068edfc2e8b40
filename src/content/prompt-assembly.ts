/**
 * Prompt assembly: every generation and every rewrite receives the WHOLE brand profile (name,
 * description, voice examples and adjectives, audiences, every rule, the knowledge collections),
 * so that the voice cannot drift because a part of the profile never reached the model. The rules
 * are also checked in code after generation (rule-checks.ts); here they guide the model.
 */
import type { Passage } from '../knowledge/search-contract.js';
import type { BrandProfile } from './brand-profile.js';
import { reviewSentiment, SENTIMENT_GUIDANCE, type ReviewSentiment } from './review-sentiment.js';
import { fillPlaceholders, type ContentLanguage, type ContentTemplate } from './templates.js';
import type { RewriteInstruction } from './text-lifecycle.js';

export interface AssembledPrompt {
  system: string;
  prompt: string;
}

const LABELS = {
  sv: {
    intro: 'Du skriver texter åt ett varumärke, i dess egen röst. Följ profilen och reglerna nedan exakt.',
    brand: 'Varumärke',
    description: 'Beskrivning',
    language: 'Skriv på',
    languageName: { sv: 'svenska', en: 'engelska' },
    adjectives: 'Rösten är',
    examples: 'Exempel på texter varumärket själv skrivit (efterlikna tonen, kopiera inte)',
    audiences: 'Målgrupper',
    rules: 'Regler',
    banned: 'Använd aldrig dessa ord, inte heller böjda eller i sammansättningar',
    instead: 'skriv i stället',
    required: 'Ta alltid med exakt dessa fraser',
    address: {
      du: 'Tilltala läsaren med du (du, dig, din, ditt, dina), aldrig ni.',
      ni: 'Tilltala läsaren med ni (ni, er, ert, era), aldrig du.',
      any: 'Håll dig till ett tilltal (du eller ni) genom hela texten.',
    },
    emojisOn: 'Emojier är tillåtna, sparsamt.',
    emojisOff: 'Använd inga emojier.',
    exclamations: (count: number | null) =>
      count === null
        ? 'Utropstecken är tillåtna.'
        : count === 0
          ? 'Använd inga utropstecken.'
          : `Högst ${count} utropstecken.`,
    length: (min: number | null, max: number | null) =>
      [min === null ? '' : `minst ${min} tecken`, max === null ? '' : `högst ${max} tecken`]
        .filter(Boolean)
        .join(', ') || 'ingen egen längdgräns',
    lengthLabel: 'Längd',
    collections: 'Fakta hämtas ur kunskapssamlingarna',
    allCollections: 'alla samlingar i arbetsytan',
    none: '(inget angivet)',
    task: 'Uppgift',
    audience: 'Skriv för målgruppen',
    sources:
      'Källor (använd bara fakta härifrån; ange källan som [1], [2] efter meningen; hitta aldrig på siffror, priser, datum eller påståenden)',
    noSources:
      'Inga källor hittades: skriv inga siffror, priser, datum eller påståenden som kräver en källa.',
    like: 'Skriv en ny variant i samma stil och med samma upplägg som den här, men med andra formuleringar',
    variant: (index: number, of: number) => `Det här är variant ${index} av ${of}: välj en egen vinkel.`,
    answerOnly: 'Svara bara med texten, utan inledning eller förklaring.',
  },
  en: {
    intro: 'You write texts for a brand, in its own voice. Follow the profile and rules below exactly.',
    brand: 'Brand',
    description: 'Description',
    language: 'Write in',
    languageName: { sv: 'Swedish', en: 'English' },
    adjectives: 'The voice is',
    examples: 'Examples of texts the brand wrote itself (match the tone, do not copy)',
    audiences: 'Audiences',
    rules: 'Rules',
    banned: 'Never use these words, nor their inflections or compounds',
    instead: 'write instead',
    required: 'Always include exactly these phrases',
    address: {
      du: 'In Swedish address the reader as du (du, dig, din, ditt, dina), never ni.',
      ni: 'In Swedish address the reader as ni (ni, er, ert, era), never du.',
      any: 'Keep to one form of address throughout.',
    },
    emojisOn: 'Emojis are allowed, sparingly.',
    emojisOff: 'Use no emojis.',
    exclamations: (count: number | null) =>
      count === null
        ? 'Exclamation marks are allowed.'
        : count === 0
          ? 'Use no exclamation marks.'
          : `At most ${count} exclamation marks.`,
    length: (min: number | null, max: number | null) =>
      [min === null ? '' : `at least ${min} characters`, max === null ? '' : `at most ${max} characters`]
        .filter(Boolean)
        .join(', ') || 'no length limit of its own',
    lengthLabel: 'Length',
    collections: 'Facts come from the knowledge collections',
    allCollections: "all of the workspace's collections",
    none: '(none given)',
    task: 'Task',
    audience: 'Write for the audience',
    sources:
      'Sources (use facts from here only; cite the source as [1], [2] after the sentence; never invent numbers, prices, dates or claims)',
    noSources: 'No sources were found: write no numbers, prices, dates or claims that need a source.',
    like: 'Write a new variant in the same style and structure as this one, but with different wording',
    variant: (index: number, of: number) => `This is variant ${index} of ${of}: take an angle of your own.`,
    answerOnly: 'Answer with the text only, without introduction or explanation.',
  },
} as const;

/** The profile as the system prompt, every field of it, in the language of the text. */
export function profileSystemPrompt(profile: BrandProfile, language: ContentLanguage): string {
  const labels = LABELS[language];
  const { rules } = profile;
  const lines = [
    labels.intro,
    '',
    `${labels.brand}: ${profile.name}`,
    `${labels.description}: ${profile.description || labels.none}`,
    `${labels.language} ${labels.languageName[language]}.`,
    `${labels.adjectives}: ${profile.voice.adjectives.join(', ') || labels.none}.`,
  ];
  if (profile.voice.examples.length > 0) {
    lines.push(`${labels.examples}:`);
    profile.voice.examples.forEach((example, index) =>
      lines.push(`<example ${index + 1}>\n${example}\n</example ${index + 1}>`),
    );
  }
  lines.push(`${labels.audiences}:`);
  if (profile.audiences.length === 0) lines.push(`- ${labels.none}`);
  for (const audience of profile.audiences)
    lines.push(`- ${audience.name}${audience.description ? `: ${audience.description}` : ''}`);
  lines.push('', `${labels.rules}:`);
  lines.push(
    `- ${labels.banned}: ${
      rules.bannedWords
        .map((banned) =>
          banned.instead ? `"${banned.word}" (${labels.instead} "${banned.instead}")` : `"${banned.word}"`,
        )
        .join(', ') || labels.none
    }`,
  );
  lines.push(
    `- ${labels.required}: ${rules.requiredPhrases.map((phrase) => `"${phrase}"`).join(', ') || labels.none}`,
  );
  lines.push(`- ${labels.address[rules.address]}`);
  lines.push(`- ${rules.emojis ? labels.emojisOn : labels.emojisOff}`);
  lines.push(`- ${labels.exclamations(rules.maxExclamationMarks)}`);
  lines.push(`- ${labels.lengthLabel}: ${labels.length(rules.minCharacters, rules.maxCharacters)}.`);
  lines.push(`- ${labels.collections}: ${profile.knowledgeCollections.join(', ') || labels.allCollections}.`);
  return lines.join('\n');
}

/** The sources block, numbered as the citations refer to them. */
function sourcesBlock(passages: readonly Passage[], language: ContentLanguage): string {
  const labels = LABELS[language];
  if (passages.length === 0) return labels.noSources;
  return [
    `${labels.sources}:`,
    ...passages.map(
      (passage, index) =>
        `[${index + 1}] ${passage.title}${passage.headingPath.length ? ` › ${passage.headingPath.join(' › ')}` : ''}\n${passage.text}`,
    ),
  ].join('\n');
}

export interface GenerationPromptInput {
  profile: BrandProfile;
  template: ContentTemplate;
  /** Checked fields (see checkTemplateFields). */
  fields: Record<string, string>;
  language: ContentLanguage;
  passages: readonly Passage[];
  /** One of the profile's audiences, by name, to write for. */
  audience?: string;
  /** "More like this": the text to vary. */
  likeText?: string;
  variant?: { index: number; of: number };
}

/** What the reply to a review should do, when the template replies to one. */
export function sentimentOf(
  template: ContentTemplate,
  fields: Record<string, string>,
): ReviewSentiment | undefined {
  if (!template.sentimentField) return undefined;
  return reviewSentiment(fields[template.sentimentField] ?? '', fields.rating || undefined);
}

export function assembleGenerationPrompt(input: GenerationPromptInput): AssembledPrompt {
  const labels = LABELS[input.language];
  const sentiment = sentimentOf(input.template, input.fields);
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.fields)) values[name] = value === '' ? labels.none : value;
  if (sentiment) values.sentimentGuidance = SENTIMENT_GUIDANCE[sentiment][input.language];
  const parts = [`${labels.task}: ${fillPlaceholders(input.template.instructions[input.language], values)}`];
  const audience = input.audience
    ? input.profile.audiences.find((candidate) => candidate.name === input.audience)
    : undefined;
  if (audience)
    parts.push(
      `${labels.audience} ${audience.name}${audience.description ? ` (${audience.description})` : ''}.`,
    );
  if (input.likeText) parts.push(`${labels.like}:\n<text>\n${input.likeText}\n</text>`);
  if (input.variant && input.variant.of > 1)
    parts.push(labels.variant(input.variant.index, input.variant.of));
  parts.push(sourcesBlock(input.passages, input.language), labels.answerOnly);
  return { system: profileSystemPrompt(input.profile, input.language), prompt: parts.join('\n\n') };
}

export { REWRITE_INSTRUCTIONS, type RewriteInstruction } from './text-lifecycle.js';

const REWRITE_TASKS: Record<RewriteInstruction, { sv: string; en: string }> = {
  shorter: {
    sv: 'Skriv om det markerade kortare, med samma innehåll.',
    en: 'Rewrite the selection shorter, keeping its content.',
  },
  longer: {
    sv: 'Skriv om det markerade längre och mer utförligt, utan nya fakta.',
    en: 'Rewrite the selection longer and fuller, without new facts.',
  },
  formal: {
    sv: 'Skriv om det markerade i en mer formell ton.',
    en: 'Rewrite the selection in a more formal tone.',
  },
  casual: {
    sv: 'Skriv om det markerade i en mer avslappnad ton.',
    en: 'Rewrite the selection in a more casual tone.',
  },
  audience: { sv: 'Skriv om det markerade för målgruppen', en: 'Rewrite the selection for the audience' },
  translate: { sv: 'Översätt det markerade till svenska.', en: 'Translate the selection into English.' },
};

export interface RewritePromptInput {
  profile: BrandProfile;
  instruction: RewriteInstruction;
  /** The whole text, for context. */
  text: string;
  selection: string;
  /** The language of the result (for translate: the target). */
  language: ContentLanguage;
  audience?: string;
}

export function assembleRewritePrompt(input: RewritePromptInput): AssembledPrompt {
  const labels = LABELS[input.language];
  let task = REWRITE_TASKS[input.instruction][input.language];
  if (input.instruction === 'audience') {
    const audience = input.profile.audiences.find((candidate) => candidate.name === input.audience);
    task += ` ${input.audience ?? ''}${audience?.description ? ` (${audience.description})` : ''}.`;
  }
  const context = input.language === 'sv' ? 'Hela texten' : 'The whole text';
  const selection = input.language === 'sv' ? 'Det markerade' : 'The selection';
  return {
    system: profileSystemPrompt(input.profile, input.language),
    prompt: [
      `${labels.task}: ${task}`,
      `${context}:\n<text>\n${input.text}\n</text>`,
      `${selection}:\n<selection>\n${input.selection}\n</selection>`,
      labels.answerOnly,
    ].join('\n\n'),
  };
}
