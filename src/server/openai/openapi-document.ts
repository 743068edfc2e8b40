/**
 * The OpenAI-compatible `/v1` routes in the OpenAPI document. They are plain Hono routes (their
 * errors follow OpenAI's shape for OpenAI's clients), so they are described here from the same
 * request schemas that validate them.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { chatCompletionRequestSchema, embeddingRequestSchema } from './schemas.js';

type OpenAPIRegistry = OpenAPIHono['openAPIRegistry'];

const openAIErrorSchema = z
  .object({
    error: z.object({
      message: z.string(),
      type: z.string(),
      param: z.string().nullable(),
      code: z.string(),
    }),
  })
  .meta({ id: 'OpenAIError' });

const errors = {
  400: { description: 'Invalid request', content: { 'application/json': { schema: openAIErrorSchema } } },
  401: {
    description: 'Missing or invalid API key',
    content: { 'application/json': { schema: openAIErrorSchema } },
  },
  403: {
    description: 'The key lacks the `inference` scope',
    content: { 'application/json': { schema: openAIErrorSchema } },
  },
};

export function registerOpenAICompatibleDocument(registry: OpenAPIRegistry): void {
  const tags = ['OpenAI-compatible'];
  const security = [{ apiKey: [] }];
  registry.registerPath({
    method: 'get',
    path: '/v1/models',
    tags,
    security,
    summary: 'The model aliases and tasks this server serves',
    responses: {
      200: {
        description: 'Models',
        content: {
          'application/json': {
            schema: z.object({
              object: z.literal('list'),
              data: z.array(
                z.object({
                  id: z.string(),
                  object: z.literal('model'),
                  created: z.number(),
                  owned_by: z.string(),
                }),
              ),
            }),
          },
        },
      },
      ...errors,
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/chat/completions',
    tags,
    security,
    summary: 'A chat completion, streamed (server-sent events) or not',
    request: {
      body: { required: true, content: { 'application/json': { schema: chatCompletionRequestSchema } } },
    },
    responses: {
      200: {
        description: 'The completion (JSON), or a stream of chunks (text/event-stream) when `stream` is true',
        content: {
          'application/json': { schema: z.record(z.string(), z.unknown()) },
          'text/event-stream': { schema: z.string() },
        },
      },
      ...errors,
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/embeddings',
    tags,
    security,
    summary: 'Embeddings of one text or many',
    request: {
      body: { required: true, content: { 'application/json': { schema: embeddingRequestSchema } } },
    },
    responses: {
      200: {
        description: 'Embeddings',
        content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } },
      },
      ...errors,
    },
  });
}
