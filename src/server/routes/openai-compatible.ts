/**
 * Polett's OpenAI-compatible API: `GET /v1/models`, `POST /v1/chat/completions` (streamed and not,
 * with JSON schema output and tools) and `POST /v1/embeddings`, served from the configured models
 * behind API keys. Errors use OpenAI's error shape so that OpenAI's own clients read them.
 */
import type { Context } from 'hono';
import { Hono } from 'hono';
import type { z } from 'zod';
import { PolettError, toPolettError, type Locale } from '../../errors.js';
import { MODEL_TASKS, type ModelTask } from '../../models/index.js';
import type { AppEnvironment, ServerDependencies } from '../context.js';
import { ChunkWriter, toCallOptions, toChatCompletion } from '../openai/chat-conversion.js';
import { chatCompletionRequestSchema, embeddingRequestSchema } from '../openai/schemas.js';

/** The scope an API key needs for this API. */
export const INFERENCE_SCOPE = 'inference';

function openAIErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** Renders a PolettError in OpenAI's error shape. */
export function openAIErrorBody(error: PolettError, locale: Locale) {
  return {
    error: {
      message: error.messageIn(locale),
      type: openAIErrorType(error.status),
      param: error.field ?? null,
      code: error.code,
    },
  };
}

function openAIError(context: Context<AppEnvironment>, error: PolettError) {
  if (error.retryAfterSeconds !== undefined)
    context.header('Retry-After', String(Math.ceil(error.retryAfterSeconds)));
  return context.json(openAIErrorBody(error, context.get('locale')), error.status as 400);
}

function dimensionsUnavailable(model: string, asked: number, given: number): PolettError {
  return new PolettError({
    code: 'dimensions_unavailable',
    status: 400,
    field: 'dimensions',
    message: {
      sv: `Modellen ${model} ger vektorer med ${given} dimensioner, inte ${asked}; utelämna dimensions eller ange ${given}.`,
      en: `The model ${model} gives vectors of ${given} dimensions, not ${asked}; leave out dimensions or give ${given}.`,
    },
  });
}

function invalidRequest(error: z.ZodError): PolettError {
  const issue = error.issues[0]!;
  const field = issue.path.join('.') || 'body';
  return new PolettError({
    code: 'invalid_request',
    status: 400,
    field,
    message: {
      sv: `Fältet ${field} i anropet är fel: ${issue.message}; rätta det och skicka igen.`,
      en: `The field ${field} of the request is wrong: ${issue.message}; correct it and send again.`,
    },
  });
}

async function readJson(context: Context<AppEnvironment>): Promise<unknown> {
  try {
    return await context.req.json();
  } catch {
    throw new PolettError({
      code: 'invalid_json',
      status: 400,
      field: 'body',
      message: {
        sv: 'Anropets innehåll är inte giltig JSON; skicka en JSON-kropp med Content-Type: application/json.',
        en: 'The request body is not valid JSON; send a JSON body with Content-Type: application/json.',
      },
    });
  }
}

function isTask(name: string): name is ModelTask {
  return (MODEL_TASKS as readonly string[]).includes(name);
}

export function openAICompatibleRoutes(dependencies: ServerDependencies) {
  const { models, storage } = dependencies;
  const app = new Hono<AppEnvironment>();

  app.onError((error, context) => openAIError(context, toPolettError(error)));

  app.use('*', async (context, next) => {
    const header = context.req.header('authorization') ?? '';
    const secret = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    const key = secret ? storage.apiKeys.verify(secret) : undefined;
    if (!key) {
      return openAIError(
        context,
        new PolettError({
          code: 'api_key_invalid',
          status: 401,
          field: 'authorization',
          message: {
            sv: 'API-nyckel saknas eller är ogiltig; skicka "Authorization: Bearer <nyckel>" med en nyckel från `polett keys create`.',
            en: 'The API key is missing or invalid; send "Authorization: Bearer <key>" with a key from `polett keys create`.',
          },
        }),
      );
    }
    if (!key.scopes.includes(INFERENCE_SCOPE)) {
      return openAIError(
        context,
        new PolettError({
          code: 'api_key_scope',
          status: 403,
          field: 'authorization',
          message: {
            sv: `API-nyckeln saknar behörigheten "${INFERENCE_SCOPE}"; skapa en nyckel med den behörigheten.`,
            en: `The API key lacks the "${INFERENCE_SCOPE}" scope; create a key with that scope.`,
          },
        }),
      );
    }
    context.set('apiKey', key);
    await next();
  });

  app.get('/models', (context) => {
    const created = Math.floor(Date.now() / 1000);
    const aliases = models.describe().map((model) => ({
      id: model.alias,
      object: 'model' as const,
      created,
      owned_by: model.provider,
    }));
    // Each task is also a model id: it means that task's fallback chain.
    const tasks = MODEL_TASKS.filter((task) => models.aliasesFor(task).length > 0).map((task) => ({
      id: task,
      object: 'model' as const,
      created,
      owned_by: 'polett',
    }));
    return context.json({ object: 'list', data: [...tasks, ...aliases] });
  });

  app.post('/chat/completions', async (context) => {
    const parsed = chatCompletionRequestSchema.safeParse(await readJson(context));
    if (!parsed.success) return openAIError(context, invalidRequest(parsed.error));
    const request = parsed.data;
    const workspaceId = context.get('apiKey').workspaceId;
    const model = isTask(request.model)
      ? models.languageModel({ task: request.model, workspaceId })
      : models.languageModel({ alias: request.model, workspaceId });
    const abortSignal = context.req.raw.signal;
    const options = toCallOptions(request, abortSignal);

    if (!request.stream) {
      const result = await model.doGenerate(options);
      return context.json(toChatCompletion(request.model, result.content, result.finishReason, result.usage));
    }

    // Open the upstream stream before answering, so that a model that cannot start gives an HTTP error.
    const { stream } = await model.doStream(options);
    const writer = new ChunkWriter(request.model, request.stream_options?.include_usage === true);
    const encoder = new TextEncoder();
    const locale = context.get('locale');
    const reader = stream.getReader();
    const body = new ReadableStream<Uint8Array>({
      // Loops until it has something to send: a pull that enqueues nothing would leave the reader waiting forever.
      async pull(controller) {
        for (;;) {
          const next = await reader.read();
          if (next.done) {
            controller.enqueue(encoder.encode('data: [DONE]\n\n'));
            controller.close();
            return;
          }
          const part = next.value;
          if (part.type === 'error') {
            const error = toPolettError(part.error);
            controller.enqueue(encoder.encode(`data: ${JSON.stringify(openAIErrorBody(error, locale))}\n\n`));
            controller.close();
            await reader.cancel().catch(() => {});
            return;
          }
          let text = '';
          for (const chunk of writer.write(part)) text += `data: ${JSON.stringify(chunk)}\n\n`;
          if (text) {
            controller.enqueue(encoder.encode(text));
            return;
          }
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    });
    return new Response(body, {
      headers: {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      },
    });
  });

  app.post('/embeddings', async (context) => {
    const parsed = embeddingRequestSchema.safeParse(await readJson(context));
    if (!parsed.success) return openAIError(context, invalidRequest(parsed.error));
    const request = parsed.data;
    const workspaceId = context.get('apiKey').workspaceId;
    const model =
      request.model === 'embed'
        ? models.embeddingModel({ workspaceId })
        : models.embeddingModel({ alias: request.model, workspaceId });
    const values = typeof request.input === 'string' ? [request.input] : request.input;
    const result = await model.doEmbed({ values, abortSignal: context.req.raw.signal });
    // A model's vectors cannot be cut to another length in general (only models trained for it
    // keep their meaning when truncated), so a different length is refused rather than faked.
    const length = result.embeddings[0]?.length;
    if (request.dimensions !== undefined && length !== undefined && request.dimensions !== length)
      return openAIError(context, dimensionsUnavailable(request.model, request.dimensions, length));
    const data = result.embeddings.map((embedding, index) => ({
      object: 'embedding' as const,
      index,
      embedding:
        request.encoding_format === 'base64'
          ? Buffer.from(new Float32Array(embedding).buffer).toString('base64')
          : embedding,
    }));
    const tokens = result.usage?.tokens ?? 0;
    return context.json({
      object: 'list',
      data,
      model: request.model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  });

  return app;
}
