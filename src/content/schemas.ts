/**
 * The zod schemas of Content's requests and answers, shared by the HTTP routes (and so the OpenAPI
 * document), the web app's API client and the CLI.
 */
import { z } from 'zod';
import { brandProfileSchema } from './brand-profile.js';
import {
  EXPORT_FORMATS,
  FINDING_RULES,
  REWRITE_INSTRUCTIONS,
  TEXT_STATES,
  type Fix,
} from './text-lifecycle.js';
import { userTemplateSchema } from './templates.js';

const localized = z.object({ sv: z.string(), en: z.string() });
const language = z.enum(['sv', 'en']);

export const fixSchema = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('replace-range'),
      start: z.number().int().min(0),
      end: z.number().int().min(0),
      original: z.string(),
      replacement: z.string(),
    }),
    z.object({ kind: z.literal('convert-address'), to: z.enum(['du', 'ni']) }),
    z.object({ kind: z.literal('trim'), maxCharacters: z.number().int().min(1) }),
    z.object({
      kind: z.literal('trim-line'),
      line: z.number().int().min(0),
      maxCharacters: z.number().int().min(1),
    }),
    z.object({ kind: z.literal('remove-emojis') }),
    z.object({ kind: z.literal('limit-exclamations'), max: z.number().int().min(0) }),
    z.object({ kind: z.literal('append-phrase'), phrase: z.string().min(1) }),
    z.object({ kind: z.literal('remove-hashtags'), keep: z.number().int().min(0) }),
    z.object({
      kind: z.literal('rewrite'),
      instruction: z.enum(['translate', 'longer']),
      language,
      needsModel: z.literal(true),
    }),
  ])
  .meta({ id: 'ContentFix' }) satisfies z.ZodType<Fix>;

export const findingSchema = z
  .object({
    rule: z.enum(FINDING_RULES),
    severity: z.enum(['error', 'warning']),
    message: localized,
    start: z.number().int().optional(),
    end: z.number().int().optional(),
    fix: z.object({ label: localized, edit: fixSchema }).optional(),
    missing: z.array(z.string()).optional(),
    citation: z.object({ chunkId: z.string(), title: z.string() }).optional(),
  })
  .meta({ id: 'ContentFinding' });

export const citationSchema = z.object({
  sentence: z.string(),
  source: z.number().int(),
  chunkId: z.string(),
  title: z.string(),
});

export const storedProfileSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    profile: brandProfileSchema,
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'StoredBrandProfile' });

export const templateFieldSchema = z.object({
  name: z.string(),
  label: localized,
  required: z.boolean(),
  multiline: z.boolean().optional(),
});

export const templateSchema = z
  .object({
    id: z.string(),
    builtIn: z.boolean(),
    name: localized,
    description: localized,
    channel: z.string(),
    fields: z.array(templateFieldSchema),
    limits: z.object({
      maxCharacters: z.number().optional(),
      maxHashtags: z.number().optional(),
      lines: z.array(z.object({ label: localized, maxCharacters: z.number(), count: z.number() })).optional(),
    }),
  })
  .meta({ id: 'ContentTemplate' });

export { userTemplateSchema };

const fieldsSchema = z.record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,39}$/), z.string().max(20_000));

export const draftRequestSchema = z
  .object({
    templateId: z.string().min(1),
    fields: fieldsSchema.default({}),
    language: language.optional(),
    profileId: z.string().optional(),
  })
  .meta({ id: 'ContentDraftRequest' });

export const generateRequestSchema = z
  .object({
    profileId: z.string().min(1),
    templateId: z.string().min(1),
    fields: fieldsSchema.default({}),
    /** The profile's language when absent. */
    language: language.optional(),
    variants: z.number().int().min(1).max(5).default(1),
    audience: z.string().max(80).optional(),
    /** "More like this": a variant to write more of. */
    likeText: z.string().max(20_000).optional(),
    maxOutputTokens: z.number().int().min(1).max(4000).optional(),
  })
  .meta({ id: 'ContentGenerateRequest' });
export type GenerateRequest = z.output<typeof generateRequestSchema>;

export const checkRequestSchema = z
  .object({
    text: z.string().max(100_000),
    profileId: z.string().min(1),
    templateId: z.string().optional(),
    language: language.optional(),
    /** Check fact-stating sentences against the knowledge base too. */
    facts: z.boolean().default(false),
  })
  .meta({ id: 'ContentCheckRequest' });

export const checkedTextSchema = z
  .object({ text: z.string(), findings: z.array(findingSchema), citations: z.array(citationSchema) })
  .meta({ id: 'ContentCheckedText' });

export const fixRequestSchema = checkRequestSchema
  .extend({ fix: fixSchema })
  .meta({ id: 'ContentFixRequest' });

export const rewriteRequestSchema = z
  .object({
    profileId: z.string().min(1),
    text: z.string().min(1).max(100_000),
    selection: z.object({ start: z.number().int().min(0), end: z.number().int().min(0) }).optional(),
    instruction: z.enum(REWRITE_INSTRUCTIONS),
    /** The language of the result; for translate, the target. */
    language: language.optional(),
    audience: z.string().max(80).optional(),
    templateId: z.string().optional(),
    maxOutputTokens: z.number().int().min(1).max(4000).optional(),
  })
  .meta({ id: 'ContentRewriteRequest' });

export const textSchema = z
  .object({
    id: z.string(),
    profileId: z.string().nullable(),
    templateId: z.string(),
    title: z.string(),
    language,
    state: z.enum(TEXT_STATES),
    version: z.number().int(),
    body: z.string(),
    findings: z.array(findingSchema),
    citations: z.array(citationSchema),
    origin: z.enum(['generated', 'written', 'bulk']),
    bulkJobId: z.string().nullable(),
    bulkRow: z.number().int().nullable(),
    nearDuplicateOf: z.string().nullable(),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'ContentText' });

export const createTextRequestSchema = z
  .object({
    profileId: z.string().min(1),
    templateId: z.string().min(1),
    title: z.string().trim().min(1).max(200),
    body: z.string().max(100_000),
    language: language.optional(),
    origin: z.enum(['generated', 'written']).default('written'),
    citations: z.array(citationSchema).default([]),
  })
  .meta({ id: 'ContentCreateText' });

export const updateTextRequestSchema = z
  .object({
    body: z.string().max(100_000),
    title: z.string().trim().min(1).max(200).optional(),
    note: z.string().max(500).optional(),
  })
  .meta({ id: 'ContentUpdateText' });

export const stateChangeRequestSchema = z
  .object({ state: z.enum(TEXT_STATES) })
  .meta({ id: 'ContentStateChange' });
export const commentRequestSchema = z
  .object({ body: z.string().trim().min(1).max(4000) })
  .meta({ id: 'ContentCommentRequest' });
export const webhookRequestSchema = z
  .object({ url: z.url({ protocol: /^https?$/ }) })
  .meta({ id: 'ContentWebhookRequest' });
export const exportQuerySchema = z.object({ format: z.enum(EXPORT_FORMATS).default('markdown') });
export const textListQuerySchema = z.object({
  state: z.enum(TEXT_STATES).optional(),
  bulkJobId: z.string().optional(),
});

export type FindingDto = z.output<typeof findingSchema>;
export type CheckedTextDto = z.output<typeof checkedTextSchema>;
export type StoredProfileDto = z.output<typeof storedProfileSchema>;
export type TemplateDto = z.output<typeof templateSchema>;
export type TextDto = z.output<typeof textSchema>;
export type CitationDto = z.output<typeof citationSchema>;
