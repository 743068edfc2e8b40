/**
 * Learn's request and response shapes: one zod schema each, shared by the routes (and so the
 * OpenAPI document), the web app's types and the CLI's `--json` output.
 */
import { z } from 'zod';

/** Longest text split into tokens, in characters: far beyond a page of text, short of a denial of service. */
export const MAX_TOKENIZE_CHARACTERS = 20_000;

const localizedTextSchema = z.object({ sv: z.string(), en: z.string() });

export const tokenPieceSchema = z
  .object({
    id: z.number().int(),
    text: z.string().meta({ description: 'Whole characters as text; bytes of a split character as ‹XX›.' }),
    display: z.string().meta({ description: 'The text with whitespace made visible (␣ ↵ ⇥).' }),
    bytes: z.string().meta({ description: "The token's bytes in hex." }),
    complete: z
      .boolean()
      .meta({ description: "False when the token holds only part of a character's bytes." }),
    special: z.boolean().optional(),
    partOf: z
      .string()
      .optional()
      .meta({ description: 'For a token that is not complete: the character(s) its bytes are part of.' }),
  })
  .meta({ id: 'LearnTokenPiece' });

export const tokenizerDescriptionSchema = z
  .object({
    name: z.string(),
    label: z.string(),
    usedBy: localizedTextSchema,
    kind: z.enum(['built-in', 'local-model']),
  })
  .meta({ id: 'LearnTokenizer' });

export const tokenizedTextSchema = z
  .object({
    tokenizer: z.string(),
    label: z.string(),
    tokenCount: z.number().int(),
    characterCount: z.number().int(),
    tokens: z.array(tokenPieceSchema),
  })
  .meta({ id: 'LearnTokenizedText' });

export const modelCostSchema = z
  .object({
    alias: z.string(),
    model: z.string(),
    tokenizer: z.string(),
    estimated: z.boolean(),
    tokenCount: z.number().int(),
    inputCost: z.number().nullable(),
    currency: z.string().nullable(),
    contextWindow: z.number().int().nullable(),
    contextFill: z.number().nullable(),
  })
  .meta({ id: 'LearnModelCost' });

export const tokensRequestSchema = z
  .object({
    text: z.string().min(1).max(MAX_TOKENIZE_CHARACTERS),
    /** Tokenizer names; all built-in ones when absent or empty. */
    tokenizers: z.array(z.string().min(1)).max(12).optional(),
  })
  .meta({ id: 'LearnTokensRequest' });

export const tokensResponseSchema = z
  .object({
    results: z.array(tokenizedTextSchema),
    costs: z.array(modelCostSchema),
  })
  .meta({ id: 'LearnTokensResponse' });

export const tokenizerListSchema = z
  .object({ tokenizers: z.array(tokenizerDescriptionSchema) })
  .meta({ id: 'LearnTokenizerList' });

export const attentionModelsSchema = z
  .object({
    models: z.array(
      z.object({
        alias: z.string(),
        runnable: z.boolean(),
        /** Why the attention of this model cannot be shown, in the caller's language. */
        problem: z.string().optional(),
      }),
    ),
    suggested: z.object({
      id: z.string(),
      reference: z.string(),
      parameters: z.string(),
      approximateSizeMegabytes: z.number(),
      pullCommand: z.string(),
    }),
  })
  .meta({ id: 'LearnAttentionModels' });

export const attentionRequestSchema = z
  .object({
    text: z.string().min(1).max(2000),
    /** A local GGUF model's alias; the first one that runs when absent. */
    model: z.string().min(1).optional(),
  })
  .meta({ id: 'LearnAttentionRequest' });

export const attentionResponseSchema = z
  .object({
    model: z.string(),
    shape: z.object({
      architecture: z.string(),
      layerCount: z.number().int(),
      headCount: z.number().int(),
      keyValueHeadCount: z.number().int(),
      embeddingLength: z.number().int(),
      vocabularySize: z.number().int(),
    }),
    tokens: z.array(tokenPieceSchema),
    truncated: z.boolean(),
    attention: z.array(z.array(z.string())).meta({
      description:
        'attention[layer][head]: base64 bytes of the lower triangle, row by row (row i has i + 1 values, token i looking at tokens 0…i), each byte 0–255 standing for a weight 0–1.',
    }),
    next: z.array(z.object({ token: tokenPieceSchema, probability: z.number() })),
    milliseconds: z.number(),
  })
  .meta({ id: 'LearnAttentionResponse' });

export type TokensResponse = z.infer<typeof tokensResponseSchema>;
export type TokenizerList = z.infer<typeof tokenizerListSchema>;
export type AttentionModels = z.infer<typeof attentionModelsSchema>;
export type AttentionResponse = z.infer<typeof attentionResponseSchema>;
export type TokenPieceDto = z.infer<typeof tokenPieceSchema>;
export type ModelCostDto = z.infer<typeof modelCostSchema>;
