/**
 * PII redaction as AI SDK middleware, for models whose requests leave this machine. The prompt is
 * redacted in `transformParams`; the answer is restored in `wrapGenerate` and `wrapStream`.
 *
 * The mapping of one call has to travel from `transformParams` to the `wrap*` of the same call,
 * while other calls run concurrently. `wrapLanguageModel` hands `wrap*` the very object that
 * `transformParams` returned, so a WeakMap keyed by that object is exact, needs no cleanup and
 * cannot mix two calls. `providerOptions` would also carry it, but it would carry the originals
 * into the provider adapter that sends the request, which is what this middleware exists to prevent.
 */
import type {
  EmbeddingModelV3Middleware,
  JSONValue,
  LanguageModelV3CallOptions,
  LanguageModelV3Content,
  LanguageModelV3Message,
  LanguageModelV3Middleware,
  LanguageModelV3Prompt,
  LanguageModelV3StreamPart,
  LanguageModelV3ToolResultOutput,
} from '@ai-sdk/provider';
import { PolettError } from '../../errors.js';
import type { PiiStreamRestorer } from './pii-stream-restorer.js';
import { PiiSession, type PiiRedactionOptions } from './redactor.js';

/** Options of the middleware: which kinds to redact (all by default). */
export type PiiRedactionMiddlewareOptions = PiiRedactionOptions;

/**
 * Middleware that keeps personal data out of a remote model's requests and puts it back in its
 * answers. Every call gets its own `PiiSession`.
 *
 * @example wrapLanguageModel({ model, middleware: createPiiRedactionMiddleware() })
 */
export function createPiiRedactionMiddleware(
  options: PiiRedactionMiddlewareOptions = {},
): LanguageModelV3Middleware {
  const sessions = new WeakMap<LanguageModelV3CallOptions, PiiSession>();

  const sessionOf = (params: LanguageModelV3CallOptions): PiiSession => {
    const session = sessions.get(params);
    // Without the session the prompt may not have been redacted: fail closed rather than send it.
    if (session === undefined) throw redactionMissingError();
    return session;
  };

  return {
    specificationVersion: 'v3',

    transformParams: async ({ params }) => {
      const session = new PiiSession(options);
      // Reserve first, so that a placeholder-shaped text in a later message is never issued for
      // an original found in an earlier one.
      mapPromptStrings(params.prompt, (text) => {
        session.reserve(text);
        return text;
      });
      const redacted: LanguageModelV3CallOptions = {
        ...params,
        prompt: mapPromptStrings(params.prompt, (text) => session.redact(text).text, session),
      };
      sessions.set(redacted, session);
      return redacted;
    },

    wrapGenerate: async ({ doGenerate, params }) => {
      const session = sessionOf(params);
      const result = await doGenerate();
      if (session.mappings.length === 0) return result;
      const json = params.responseFormat?.type === 'json';
      return { ...result, content: result.content.map((part) => restoreContent(part, session, json)) };
    },

    wrapStream: async ({ doStream, params }) => {
      const session = sessionOf(params);
      const result = await doStream();
      if (session.mappings.length === 0) return result;
      const json = params.responseFormat?.type === 'json';
      return { ...result, stream: result.stream.pipeThrough(createRestoringTransform(session, json)) };
    },
  };
}

/**
 * Redacts texts that are sent to a remote provider for embedding. One way: a vector has nothing
 * to restore. Each text gets its own session, so that a text's embedding never depends on the
 * other texts of its batch (re-syncs and caches stay stable).
 */
export function redactTextsForEmbedding(
  texts: readonly string[],
  options: PiiRedactionOptions = {},
): string[] {
  return texts.map((text) => new PiiSession(options).redact(text).text);
}

/**
 * The embedding-side middleware, for `wrapEmbeddingModel`: the values are redacted with
 * `redactTextsForEmbedding` before they leave.
 */
export function createPiiEmbeddingRedactionMiddleware(
  options: PiiRedactionOptions = {},
): EmbeddingModelV3Middleware {
  return {
    specificationVersion: 'v3',
    transformParams: async ({ params }) => ({
      ...params,
      values: redactTextsForEmbedding(params.values, options),
    }),
  };
}

function redactionMissingError(): PolettError {
  return new PolettError({
    code: 'pii_redaction_missing',
    status: 500,
    retryable: false,
    message: {
      sv: 'Anropet till modellen stoppades eftersom personuppgifterna inte kunde maskeras. Lägg PII-mellanlagret direkt runt modellen med wrapLanguageModel.',
      en: 'The model call was stopped because personal data could not be redacted. Put the PII middleware directly around the model with wrapLanguageModel.',
    },
  });
}

/**
 * Rebuilds a prompt with every customer-written string passed through `mapText`: system text,
 * text and reasoning parts, earlier tool calls' input, tool results and denial reasons. Files
 * (images, PDFs) pass unchanged: their bytes cannot be redacted here. When a session is given,
 * JSON numbers that are whole identifiers (an organisationsnummer stored as a number) are
 * replaced as well.
 */
function mapPromptStrings(
  prompt: LanguageModelV3Prompt,
  mapText: (text: string) => string,
  session?: PiiSession,
): LanguageModelV3Prompt {
  const mapJson = (value: unknown): unknown => mapJsonStrings(value, mapText, session);
  return prompt.map((message): LanguageModelV3Message => {
    switch (message.role) {
      case 'system':
        return { ...message, content: mapText(message.content) };
      case 'user':
        return {
          ...message,
          content: message.content.map((part) =>
            part.type === 'text' ? { ...part, text: mapText(part.text) } : part,
          ),
        };
      case 'assistant':
        return {
          ...message,
          content: message.content.map((part) => {
            switch (part.type) {
              case 'text':
              case 'reasoning':
                return { ...part, text: mapText(part.text) };
              case 'tool-call':
                return { ...part, input: mapJson(part.input) };
              case 'tool-result':
                return { ...part, output: mapToolOutput(part.output, mapText, mapJson) };
              default:
                return part;
            }
          }),
        };
      case 'tool':
        return {
          ...message,
          content: message.content.map((part) => {
            if (part.type === 'tool-result')
              return { ...part, output: mapToolOutput(part.output, mapText, mapJson) };
            return part.reason === undefined ? part : { ...part, reason: mapText(part.reason) };
          }),
        };
    }
  });
}

function mapToolOutput(
  output: LanguageModelV3ToolResultOutput,
  mapText: (text: string) => string,
  mapJson: (value: unknown) => unknown,
): LanguageModelV3ToolResultOutput {
  switch (output.type) {
    case 'text':
    case 'error-text':
      return { ...output, value: mapText(output.value) };
    case 'json':
    case 'error-json':
      return { ...output, value: mapJson(output.value) as JSONValue };
    case 'execution-denied':
      return output.reason === undefined ? output : { ...output, reason: mapText(output.reason) };
    case 'content':
      return {
        ...output,
        value: output.value.map((item) =>
          item.type === 'text' ? { ...item, text: mapText(item.text) } : item,
        ),
      };
  }
}

/** Maps every string inside a JSON-like value; object keys are field names, not customer text. */
function mapJsonStrings(value: unknown, mapText: (text: string) => string, session?: PiiSession): unknown {
  if (typeof value === 'string') return mapText(value);
  if (
    typeof value === 'number' &&
    session !== undefined &&
    Number.isSafeInteger(value) &&
    value >= 1_000_000
  ) {
    // A number can only be a whole identifier; partial matches inside it are not personal data.
    const digits = String(value);
    const redaction = session.redact(digits);
    const [entity] = redaction.entities;
    return entity !== undefined && entity.start === 0 && entity.end === digits.length
      ? redaction.text
      : value;
  }
  if (Array.isArray(value)) return value.map((item) => mapJsonStrings(item, mapText, session));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, mapJsonStrings(item, mapText, session)]),
    );
  }
  return value;
}

function restoreContent(
  part: LanguageModelV3Content,
  session: PiiSession,
  json: boolean,
): LanguageModelV3Content {
  switch (part.type) {
    case 'text':
      return { ...part, text: session.restore(part.text, { json }) };
    case 'reasoning':
      return { ...part, text: session.restore(part.text) };
    case 'tool-call':
      return { ...part, input: session.restore(part.input, { json: true }) };
    case 'tool-result':
      return { ...part, result: restoreJson(part.result, session) as NonNullable<JSONValue> };
    default:
      return part;
  }
}

function restoreJson(value: unknown, session: PiiSession): unknown {
  return mapJsonStrings(value, (text) => session.restore(text));
}

/**
 * Restores placeholders in a stream. Text, reasoning and tool input each stream under their own
 * id, so each id gets its own restorer; what a restorer holds back is released before that id's
 * end event, or before `finish` when a provider never sends one.
 */
function createRestoringTransform(
  session: PiiSession,
  json: boolean,
): TransformStream<LanguageModelV3StreamPart, LanguageModelV3StreamPart> {
  type DeltaType = 'text-delta' | 'reasoning-delta' | 'tool-input-delta';
  const restorers = new Map<string, { type: DeltaType; id: string; restorer: PiiStreamRestorer }>();

  const restorerFor = (type: DeltaType, id: string): PiiStreamRestorer => {
    const key = `${type}:${id}`;
    let entry = restorers.get(key);
    if (entry === undefined) {
      const restorer = session.createStreamRestorer({
        json: type === 'tool-input-delta' || (type === 'text-delta' && json),
      });
      entry = { type, id, restorer };
      restorers.set(key, entry);
    }
    return entry.restorer;
  };

  const release = (
    controller: TransformStreamDefaultController<LanguageModelV3StreamPart>,
    type: DeltaType,
    id: string,
  ): void => {
    const key = `${type}:${id}`;
    const entry = restorers.get(key);
    if (entry === undefined) return;
    restorers.delete(key);
    const rest = entry.restorer.flush();
    if (rest !== '') controller.enqueue({ type, id, delta: rest });
  };

  const releaseAll = (controller: TransformStreamDefaultController<LanguageModelV3StreamPart>): void => {
    for (const { type, id } of [...restorers.values()]) release(controller, type, id);
  };

  return new TransformStream({
    transform(part, controller) {
      switch (part.type) {
        case 'text-delta':
        case 'reasoning-delta':
        case 'tool-input-delta': {
          const delta = restorerFor(part.type, part.id).push(part.delta);
          if (delta !== '') controller.enqueue({ ...part, delta });
          return;
        }
        case 'text-end':
          release(controller, 'text-delta', part.id);
          break;
        case 'reasoning-end':
          release(controller, 'reasoning-delta', part.id);
          break;
        case 'tool-input-end':
          release(controller, 'tool-input-delta', part.id);
          break;
        case 'finish':
          releaseAll(controller);
          break;
        case 'tool-call':
          controller.enqueue({ ...part, input: session.restore(part.input, { json: true }) });
          return;
        case 'tool-result':
          controller.enqueue({
            ...part,
            result: restoreJson(part.result, session) as NonNullable<JSONValue>,
          });
          return;
        default:
          break;
      }
      controller.enqueue(part);
    },
    flush(controller) {
      releaseAll(controller);
    },
  });
}
