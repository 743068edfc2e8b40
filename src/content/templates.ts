/**
 * Templates: what to write, for which channel, from which fields. The built-in ones cover the
 * channels a Swedish small business writes for; users add their own with named fields.
 *
 * Each template has, per language, an instruction for the model and a draft skeleton. Without a
 * chat model (tier 1) the skeleton filled with the fields is the editor's starting point, and the
 * rule checks run on what the person writes from it.
 *
 * Channel limits are the platforms' published ones (2026): X 280 characters; LinkedIn posts 3,000;
 * Instagram captions 2,200 and at most 30 hashtags; Facebook posts 63,206; Google responsive
 * search ads 30 per headline and 90 per description; Meta ads 125 for the primary text before it is
 * cut, 40 for the headline and 30 for the description. Hashtag habits are what each audience
 * expects, stricter than the platforms allow.
 */
import { z } from 'zod';
import { PolettError, type LocalizedText } from '../errors.js';

export type ContentLanguage = 'sv' | 'en';

export interface TemplateField {
  name: string;
  label: LocalizedText;
  required: boolean;
  multiline?: boolean;
}

/** A limit on labelled lines of the output ("Rubrik 1: …"), as ads have. */
export interface LineLimit {
  label: LocalizedText;
  maxCharacters: number;
  /** How many such lines the template asks for. */
  count: number;
}

export interface ChannelLimits {
  maxCharacters?: number;
  maxHashtags?: number;
  lines?: LineLimit[];
}

export interface ContentTemplate {
  id: string;
  builtIn: boolean;
  name: LocalizedText;
  description: LocalizedText;
  /** The channel the limits belong to ("linkedin", "search-ad", "email"…). */
  channel: string;
  fields: TemplateField[];
  /** The task for the model, with `{{field}}` placeholders. */
  instructions: LocalizedText;
  /** The tier-1 starting draft, with `{{field}}` placeholders. */
  draft: LocalizedText;
  limits: ChannelLimits;
  /** The review reply adapts to the review's sentiment. */
  sentimentField?: string;
}

const field = (name: string, sv: string, en: string, required = true, multiline = false): TemplateField => ({
  name,
  label: { sv, en },
  required,
  ...(multiline ? { multiline } : {}),
});

const TOPIC = field('topic', 'Ämne', 'Topic');
const KEY_POINTS = field('keyPoints', 'Det viktigaste att få med', 'Key points', false, true);
const CALL_TO_ACTION = field('callToAction', 'Uppmaning', 'Call to action', false);

function socialPost(
  id: string,
  channel: string,
  names: LocalizedText,
  limits: ChannelLimits,
  habits: LocalizedText,
): ContentTemplate {
  return {
    id,
    builtIn: true,
    name: names,
    description: {
      sv: `Ett inlägg för ${names.sv.split(' ')[0]}. ${habits.sv}`,
      en: `A post for ${names.en.split(' ')[0]}. ${habits.en}`,
    },
    channel,
    fields: [TOPIC, KEY_POINTS, CALL_TO_ACTION],
    instructions: {
      sv: `Skriv ett inlägg för ${channel} om {{topic}}. Få med: {{keyPoints}}. Avsluta med uppmaningen: {{callToAction}}. ${habits.sv} Högst ${limits.maxCharacters} tecken och högst ${limits.maxHashtags} hashtaggar.`,
      en: `Write a ${channel} post about {{topic}}. Include: {{keyPoints}}. End with the call to action: {{callToAction}}. ${habits.en} At most ${limits.maxCharacters} characters and at most ${limits.maxHashtags} hashtags.`,
    },
    draft: {
      sv: '{{topic}}\n\n{{keyPoints}}\n\n{{callToAction}}',
      en: '{{topic}}\n\n{{keyPoints}}\n\n{{callToAction}}',
    },
    limits,
  };
}

/** The built-in templates, in the order the template picker shows them. */
export const BUILT_IN_TEMPLATES: readonly ContentTemplate[] = [
  socialPost(
    'linkedin-post',
    'linkedin',
    { sv: 'LinkedIn-inlägg', en: 'LinkedIn post' },
    { maxCharacters: 3000, maxHashtags: 5 },
    {
      sv: 'Saklig och personlig ton, en stark första rad, korta stycken, 3–5 hashtaggar sist.',
      en: 'Professional and personal, a strong first line, short paragraphs, 3–5 hashtags at the end.',
    },
  ),
  socialPost(
    'instagram-post',
    'instagram',
    { sv: 'Instagram-inlägg', en: 'Instagram post' },
    { maxCharacters: 2200, maxHashtags: 30 },
    {
      sv: 'Bildtext som väcker känsla, det viktiga på första raden, 5–10 relevanta hashtaggar sist.',
      en: 'A caption that stirs feeling, the point in the first line, 5–10 relevant hashtags at the end.',
    },
  ),
  socialPost(
    'facebook-post',
    'facebook',
    { sv: 'Facebook-inlägg', en: 'Facebook post' },
    { maxCharacters: 63_206, maxHashtags: 3 },
    {
      sv: 'Kort och vardaglig, 40–80 ord, en fråga som bjuder in till kommentarer, högst 3 hashtaggar.',
      en: 'Short and conversational, 40–80 words, a question that invites comments, at most 3 hashtags.',
    },
  ),
  socialPost(
    'x-post',
    'x',
    { sv: 'X-inlägg', en: 'X post' },
    { maxCharacters: 280, maxHashtags: 2 },
    {
      sv: 'En enda tanke, rakt på sak, högst 2 hashtaggar inne i texten.',
      en: 'One single thought, straight to the point, at most 2 hashtags within the text.',
    },
  ),
  {
    id: 'search-ad',
    builtIn: true,
    name: { sv: 'Sökannons (Google)', en: 'Search ad (Google)' },
    description: {
      sv: 'Responsiv sökannons: tre rubriker på högst 30 tecken och två beskrivningar på högst 90.',
      en: 'Responsive search ad: three headlines of at most 30 characters and two descriptions of at most 90.',
    },
    channel: 'search-ad',
    fields: [
      field('product', 'Produkt eller tjänst', 'Product or service'),
      field('keywords', 'Sökord', 'Keywords'),
      CALL_TO_ACTION,
    ],
    instructions: {
      sv: 'Skriv en responsiv sökannons för {{product}} som svarar på sökorden {{keywords}}. Uppmaning: {{callToAction}}. Svara med exakt fem rader: "Rubrik 1:", "Rubrik 2:", "Rubrik 3:" (högst 30 tecken var) och "Beskrivning 1:", "Beskrivning 2:" (högst 90 tecken var).',
      en: 'Write a responsive search ad for {{product}} answering the keywords {{keywords}}. Call to action: {{callToAction}}. Answer with exactly five lines: "Headline 1:", "Headline 2:", "Headline 3:" (at most 30 characters each) and "Description 1:", "Description 2:" (at most 90 characters each).',
    },
    draft: {
      sv: 'Rubrik 1: {{product}}\nRubrik 2: {{keywords}}\nRubrik 3: {{callToAction}}\nBeskrivning 1: {{product}}\nBeskrivning 2: {{callToAction}}',
      en: 'Headline 1: {{product}}\nHeadline 2: {{keywords}}\nHeadline 3: {{callToAction}}\nDescription 1: {{product}}\nDescription 2: {{callToAction}}',
    },
    limits: {
      maxHashtags: 0,
      lines: [
        { label: { sv: 'Rubrik', en: 'Headline' }, maxCharacters: 30, count: 3 },
        { label: { sv: 'Beskrivning', en: 'Description' }, maxCharacters: 90, count: 2 },
      ],
    },
  },
  {
    id: 'social-ad',
    builtIn: true,
    name: { sv: 'Annons i sociala medier (Meta)', en: 'Social ad (Meta)' },
    description: {
      sv: 'Annons för Facebook och Instagram: primärtext 125 tecken, rubrik 40, beskrivning 30.',
      en: 'Ad for Facebook and Instagram: primary text 125 characters, headline 40, description 30.',
    },
    channel: 'social-ad',
    fields: [
      field('product', 'Produkt eller tjänst', 'Product or service'),
      field('offer', 'Erbjudande', 'Offer', false),
      CALL_TO_ACTION,
    ],
    instructions: {
      sv: 'Skriv en annons för Facebook och Instagram om {{product}}. Erbjudande: {{offer}}. Uppmaning: {{callToAction}}. Svara med exakt tre rader: "Primärtext:" (högst 125 tecken), "Rubrik:" (högst 40) och "Beskrivning:" (högst 30).',
      en: 'Write a Facebook and Instagram ad about {{product}}. Offer: {{offer}}. Call to action: {{callToAction}}. Answer with exactly three lines: "Primary text:" (at most 125 characters), "Headline:" (at most 40) and "Description:" (at most 30).',
    },
    draft: {
      sv: 'Primärtext: {{product}} {{offer}}\nRubrik: {{product}}\nBeskrivning: {{callToAction}}',
      en: 'Primary text: {{product}} {{offer}}\nHeadline: {{product}}\nDescription: {{callToAction}}',
    },
    limits: {
      maxHashtags: 0,
      lines: [
        { label: { sv: 'Primärtext', en: 'Primary text' }, maxCharacters: 125, count: 1 },
        { label: { sv: 'Rubrik', en: 'Headline' }, maxCharacters: 40, count: 1 },
        { label: { sv: 'Beskrivning', en: 'Description' }, maxCharacters: 30, count: 1 },
      ],
    },
  },
  {
    id: 'product-description',
    builtIn: true,
    name: { sv: 'Produktbeskrivning', en: 'Product description' },
    description: {
      sv: 'En säljande och saklig beskrivning för webbutiken.',
      en: 'A persuasive and factual description for the online shop.',
    },
    channel: 'web-shop',
    fields: [
      field('product', 'Produkt', 'Product'),
      field('features', 'Egenskaper', 'Features', false, true),
      field('price', 'Pris', 'Price', false),
    ],
    instructions: {
      sv: 'Skriv en produktbeskrivning för {{product}} med egenskaperna {{features}} och priset {{price}}. Börja med nyttan för kunden, sedan egenskaperna; hitta inte på egenskaper.',
      en: 'Write a product description for {{product}} with the features {{features}} and the price {{price}}. Start with the benefit to the customer, then the features; invent no features.',
    },
    draft: {
      sv: '{{product}}\n\n{{features}}\n\nPris: {{price}}',
      en: '{{product}}\n\n{{features}}\n\nPrice: {{price}}',
    },
    limits: { maxHashtags: 0 },
  },
  {
    id: 'newsletter',
    builtIn: true,
    name: { sv: 'Nyhetsbrev', en: 'Newsletter' },
    description: {
      sv: 'Ett nyhetsbrev med ämnesrad och brödtext.',
      en: 'A newsletter with subject line and body.',
    },
    channel: 'email',
    fields: [TOPIC, field('news', 'Nyheter', 'News', true, true), CALL_TO_ACTION],
    instructions: {
      sv: 'Skriv ett nyhetsbrev om {{topic}} med nyheterna {{news}}. Första raden är ämnesraden (högst 60 tecken). Avsluta med uppmaningen {{callToAction}}.',
      en: 'Write a newsletter about {{topic}} with the news {{news}}. The first line is the subject line (at most 60 characters). End with the call to action {{callToAction}}.',
    },
    draft: {
      sv: '{{topic}}\n\n{{news}}\n\n{{callToAction}}',
      en: '{{topic}}\n\n{{news}}\n\n{{callToAction}}',
    },
    limits: { maxHashtags: 0 },
  },
  {
    id: 'blog-outline',
    builtIn: true,
    name: { sv: 'Disposition för blogginlägg', en: 'Blog post outline' },
    description: {
      sv: 'Rubrik och mellanrubriker med stödpunkter; blir underlag för ett utkast.',
      en: 'Title and section headings with points; the basis for a draft.',
    },
    channel: 'blog',
    fields: [TOPIC, field('keywords', 'Sökord', 'Keywords', false)],
    instructions: {
      sv: 'Skriv en disposition för ett blogginlägg om {{topic}} med sökorden {{keywords}}: en rubrik, 4–6 mellanrubriker i Markdown (##) och 2–3 stödpunkter under varje.',
      en: 'Write an outline for a blog post about {{topic}} with the keywords {{keywords}}: a title, 4–6 section headings in Markdown (##) and 2–3 points under each.',
    },
    draft: { sv: '# {{topic}}\n\n## \n\n## \n', en: '# {{topic}}\n\n## \n\n## \n' },
    limits: { maxHashtags: 0 },
  },
  {
    id: 'blog-draft',
    builtIn: true,
    name: { sv: 'Blogginlägg från disposition', en: 'Blog post from an outline' },
    description: {
      sv: 'Ett utkast som följer en disposition, mellanrubrik för mellanrubrik.',
      en: 'A draft that follows an outline, section by section.',
    },
    channel: 'blog',
    fields: [TOPIC, field('outline', 'Disposition', 'Outline', true, true)],
    instructions: {
      sv: 'Skriv ett blogginlägg om {{topic}} som följer dispositionen nedan, rubrik för rubrik, i Markdown:\n{{outline}}',
      en: 'Write a blog post about {{topic}} that follows the outline below, heading by heading, in Markdown:\n{{outline}}',
    },
    draft: { sv: '{{outline}}', en: '{{outline}}' },
    limits: { maxHashtags: 0 },
  },
  {
    id: 'review-reply',
    builtIn: true,
    name: { sv: 'Svar på recension', en: 'Reply to a review' },
    description: {
      sv: 'Ett svar på en kundrecension som tar hänsyn till om den är positiv eller negativ.',
      en: 'A reply to a customer review that takes into account whether it is positive or negative.',
    },
    channel: 'review-reply',
    fields: [
      field('review', 'Recensionen', 'The review', true, true),
      field('rating', 'Betyg (1–5)', 'Rating (1–5)', false),
      field('reviewerName', 'Recensentens namn', "Reviewer's name", false),
    ],
    instructions: {
      sv: 'Svara på recensionen från {{reviewerName}} (betyg {{rating}}): "{{review}}". {{sentimentGuidance}}',
      en: 'Reply to the review from {{reviewerName}} (rating {{rating}}): "{{review}}". {{sentimentGuidance}}',
    },
    draft: {
      sv: 'Hej {{reviewerName}}!\n\nTack för din recension.\n',
      en: 'Hi {{reviewerName}},\n\nThank you for your review.\n',
    },
    limits: { maxCharacters: 4096, maxHashtags: 0 },
    sentimentField: 'review',
  },
  {
    id: 'faq-answer',
    builtIn: true,
    name: { sv: 'Svar på vanlig fråga', en: 'FAQ answer' },
    description: {
      sv: 'Ett kort, sakligt svar på en vanlig fråga, grundat i kunskapsbanken.',
      en: 'A short, factual answer to a frequent question, grounded in the knowledge base.',
    },
    channel: 'faq',
    fields: [field('question', 'Frågan', 'The question')],
    instructions: {
      sv: 'Svara kort och sakligt på frågan "{{question}}", bara utifrån fakta i källorna. Säg att du inte vet om källorna inte svarar.',
      en: 'Answer the question "{{question}}" briefly and factually, only from the facts in the sources. Say you do not know if the sources do not answer.',
    },
    draft: { sv: '{{question}}\n\n', en: '{{question}}\n\n' },
    limits: { maxCharacters: 1200, maxHashtags: 0 },
  },
];

// ---- User templates ----

const FIELD_NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,39}$/;
const PLACEHOLDER = /\{\{\s*([^}\s]+)\s*\}\}/g;

export const userTemplateSchema = z
  .object({
    name: z.string().trim().min(1).max(120),
    description: z.string().trim().max(600).default(''),
    channel: z.string().trim().min(1).max(40).default('custom'),
    fields: z
      .array(
        z.object({
          name: z.string().regex(FIELD_NAME, 'a letter, then letters, digits or _'),
          label: z.string().trim().min(1).max(80),
          required: z.boolean().default(true),
          multiline: z.boolean().default(false),
        }),
      )
      .min(1)
      .max(20),
    /** The task for the model, with `{{field}}` placeholders naming declared fields. */
    instructions: z.string().trim().min(1).max(4000),
    maxCharacters: z.number().int().min(10).max(100_000).nullable().default(null),
    maxHashtags: z.number().int().min(0).max(30).nullable().default(null),
  })
  .meta({ id: 'UserTemplate' });

export type UserTemplateInput = z.input<typeof userTemplateSchema>;
export type UserTemplateDefinition = z.output<typeof userTemplateSchema>;

function templateError(code: string, field: string, sv: string, en: string): PolettError {
  return new PolettError({ code, status: 400, field, message: { sv, en } });
}

/** Checks a user template: unique field names, and every placeholder naming a declared field. */
export function parseUserTemplate(input: unknown): UserTemplateDefinition {
  const parsed = userTemplateSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const fieldPath = issue?.path.map(String).join('.') || 'template';
    throw templateError(
      'content_template_invalid',
      fieldPath,
      `Fältet ${fieldPath} i mallen är fel (${issue?.message ?? 'ogiltigt'}); rätta det och spara igen.`,
      `The field ${fieldPath} of the template is wrong (${issue?.message ?? 'invalid'}); correct it and save again.`,
    );
  }
  const definition = parsed.data;
  const names = new Set<string>();
  for (const templateField of definition.fields) {
    if (names.has(templateField.name))
      throw templateError(
        'content_template_invalid',
        'fields',
        `Fältnamnet "${templateField.name}" finns två gånger i mallen; ge fälten olika namn.`,
        `The field name "${templateField.name}" appears twice in the template; give the fields different names.`,
      );
    names.add(templateField.name);
  }
  for (const match of definition.instructions.matchAll(PLACEHOLDER)) {
    const name = match[1]!;
    if (!names.has(name))
      throw templateError(
        'content_template_unknown_field',
        'instructions',
        `Instruktionen använder {{${name}}}, men mallen har inget fält med det namnet (fälten: ${[...names].join(', ')}); lägg till fältet eller rätta namnet.`,
        `The instructions use {{${name}}}, but the template has no field of that name (fields: ${[...names].join(', ')}); add the field or correct the name.`,
      );
  }
  return definition;
}

/** A stored user template as a template like the built-in ones (one text for both languages). */
export function userTemplateToTemplate(id: string, definition: UserTemplateDefinition): ContentTemplate {
  const same = (text: string): LocalizedText => ({ sv: text, en: text });
  return {
    id,
    builtIn: false,
    name: same(definition.name),
    description: same(definition.description),
    channel: definition.channel,
    fields: definition.fields.map((templateField) => ({
      name: templateField.name,
      label: same(templateField.label),
      required: templateField.required,
      ...(templateField.multiline ? { multiline: true } : {}),
    })),
    instructions: same(definition.instructions),
    draft: same(definition.fields.map((templateField) => `{{${templateField.name}}}`).join('\n\n')),
    limits: {
      ...(definition.maxCharacters === null ? {} : { maxCharacters: definition.maxCharacters }),
      ...(definition.maxHashtags === null ? {} : { maxHashtags: definition.maxHashtags }),
    },
  };
}

export function findBuiltInTemplate(id: string): ContentTemplate | undefined {
  return BUILT_IN_TEMPLATES.find((template) => template.id === id);
}

/**
 * Checks the fields a caller gives against the template: an unknown field or a missing required
 * one is refused with a sentence that lists the template's fields. Returns the fields trimmed.
 */
export function checkTemplateFields(
  template: ContentTemplate,
  fields: Record<string, string>,
): Record<string, string> {
  const known = template.fields.map((templateField) => templateField.name);
  for (const name of Object.keys(fields)) {
    if (!known.includes(name))
      throw templateError(
        'content_template_unknown_field',
        `fields.${name}`,
        `Mallen "${template.name.sv}" har inget fält "${name}"; dess fält är ${known.join(', ')}.`,
        `The template "${template.name.en}" has no field "${name}"; its fields are ${known.join(', ')}.`,
      );
  }
  const trimmed: Record<string, string> = {};
  for (const templateField of template.fields) {
    const value = fields[templateField.name]?.trim() ?? '';
    if (templateField.required && value === '')
      throw templateError(
        'content_template_field_missing',
        `fields.${templateField.name}`,
        `Fältet "${templateField.label.sv}" (${templateField.name}) behövs för mallen "${template.name.sv}"; fyll i det.`,
        `The field "${templateField.label.en}" (${templateField.name}) is needed by the template "${template.name.en}"; fill it in.`,
      );
    trimmed[templateField.name] = value;
  }
  return trimmed;
}

/**
 * Fills `{{field}}` placeholders. An empty optional field leaves no trace: its placeholder and the
 * label words right before it on the line disappear in the draft, so "Pris: " is not left alone.
 */
export function fillPlaceholders(text: string, values: Record<string, string>): string {
  return text
    .replace(PLACEHOLDER, (_whole, name: string) => values[name] ?? '')
    .split('\n')
    .filter((line, index, lines) => line.trim() !== '' || lines[index - 1]?.trim() !== '')
    .join('\n')
    .replace(/\s+$/u, '');
}

/** Tier 1: the template's draft filled with the fields, for a person to write from. */
export function fillTemplateDraft(
  template: ContentTemplate,
  fields: Record<string, string>,
  language: ContentLanguage,
): string {
  const checked = checkTemplateFields(template, fields);
  return fillPlaceholders(template.draft[language], checked)
    .replace(/^[^\n:]*:\s*$/gmu, '')
    .trim();
}
