/**
 * Learn over HTTP: tokenizers, a text split into tokens with costs per model, and the attention
 * of a local model. Everything is read-only and computed from the text sent: nothing of the
 * workspace is stored or read, so the `read` permission is the whole gate.
 */
import { createRoute } from '@hono/zod-openapi';
import type { PolettConfig } from '../../config/index.js';
import {
  attentionModelChoices,
  attentionModelsSchema,
  attentionRequestSchema,
  attentionResponseSchema,
  costsOfText,
  encodeAttentionRows,
  explainAttention,
  learnAttentionCatalogueEntry,
  learnModelsFrom,
  noAttentionModelError,
  tokenizerListSchema,
  TokenizerRegistry,
  tokensRequestSchema,
  tokensResponseSchema,
} from '../../learn/index.js';
import { pullReferenceFor } from '../../models/catalogue.js';
import type { ModelRegistry } from '../../models/index.js';
import { PolettError } from '../../errors.js';
import { workspaceParamsSchema } from '../../platform/schemas.js';
import { createRouter, errorResponses, jsonBody, jsonResponse, SIGNED_IN } from '../openapi.js';
import { requirePermission } from '../platform/workspace-access.js';

const READ = {
  tags: ['Learn'],
  security: SIGNED_IN,
  middleware: requirePermission('read'),
  description: 'Needs the `read` permission in the workspace.',
};

export function learnRoutes(dependencies: { config: PolettConfig; models: ModelRegistry }) {
  const app = createRouter();
  const models = learnModelsFrom(dependencies.config, dependencies.models);
  const tokenizers = new TokenizerRegistry(() => models.localGguf());

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces/{workspaceId}/learn/tokenizers',
      summary: 'The tokenizers Learn can show: built-in vocabularies and the local GGUF models',
      ...READ,
      request: { params: workspaceParamsSchema },
      responses: { 200: jsonResponse(tokenizerListSchema, 'Tokenizers'), ...errorResponses(401, 403, 404) },
    }),
    (context) => context.json({ tokenizers: tokenizers.list() }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces/{workspaceId}/learn/tokens',
      summary: 'Split a text into tokens with several tokenizers; its cost and context-window fill per model',
      ...READ,
      request: { params: workspaceParamsSchema, body: jsonBody(tokensRequestSchema) },
      responses: {
        200: jsonResponse(tokensResponseSchema, 'Tokens per tokenizer and cost per model'),
        ...errorResponses(400, 401, 403, 404, 422),
      },
    }),
    async (context) => {
      const { text, tokenizers: names } = context.req.valid('json');
      const results = await tokenizers.tokenizeWithEach(text, names ?? []);
      const counts = new Map(results.map((result) => [result.tokenizer, result.tokenCount]));
      const costs = await costsOfText(text, models.priced(), tokenizers, counts);
      return context.json({ results, costs }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces/{workspaceId}/learn/attention/models',
      summary: 'The local GGUF models whose attention can be shown, and the catalogue model to pull',
      ...READ,
      request: { params: workspaceParamsSchema },
      responses: { 200: jsonResponse(attentionModelsSchema, 'Models'), ...errorResponses(401, 403, 404) },
    }),
    async (context) => {
      const entry = learnAttentionCatalogueEntry();
      const reference = pullReferenceFor(entry);
      const locale = context.get('locale');
      const choices = await attentionModelChoices(models.localGguf());
      return context.json(
        {
          models: choices.map((choice) =>
            choice.problem
              ? { alias: choice.alias, runnable: false, problem: choice.problem.messageIn(locale) }
              : { alias: choice.alias, runnable: true },
          ),
          suggested: {
            id: entry.id,
            reference,
            parameters: entry.parameters,
            approximateSizeMegabytes: entry.approximateSizeMegabytes,
            pullCommand: `polett models pull ${reference}`,
          },
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces/{workspaceId}/learn/attention',
      summary: "A local model's attention per layer and head over a text, and its most probable next tokens",
      ...READ,
      request: { params: workspaceParamsSchema, body: jsonBody(attentionRequestSchema) },
      responses: {
        200: jsonResponse(attentionResponseSchema, 'Tokens, attention and next-token probabilities'),
        ...errorResponses(400, 401, 403, 404, 409, 422),
      },
    }),
    async (context) => {
      const { text, model: alias } = context.req.valid('json');
      const available = await attentionModelChoices(models.localGguf());
      const model =
        alias === undefined
          ? available.find((candidate) => candidate.problem === undefined)
          : available.find((candidate) => candidate.alias === alias);
      if (alias === undefined && model === undefined) throw noAttentionModelError();
      if (model === undefined) {
        throw new PolettError({
          code: 'learn_model_unknown',
          status: 404,
          field: 'model',
          message: {
            sv: `Det finns ingen lokal GGUF-modell som heter "${alias}". Välj en av: ${available.map((candidate) => candidate.alias).join(', ')}.`,
            en: `There is no local GGUF model called "${alias}". Choose one of: ${available.map((candidate) => candidate.alias).join(', ')}.`,
          },
        });
      }
      if (model.problem) throw model.problem;
      const result = await explainAttention(model, text);
      return context.json(
        {
          ...result,
          attention: result.attention.map((layer) =>
            layer.map((weights) => encodeAttentionRows(weights, result.tokens.length)),
          ),
        },
        200,
      );
    },
  );

  return app;
}
