/**
 * A lean `doStream` for the commonest call to an OpenAI-compatible server: a text answer streamed
 * from text messages, with no tools, no JSON output and no provider options. Everything else goes
 * to the AI SDK's own model, which this wraps.
 *
 * Why: the AI SDK reads a stream through four web TransformStreams (text decoding, server-sent
 * events, a zod-validated JSON parse, the provider's own mapping), which costs about 150 µs of CPU
 * a delta; the same response read here, one reader and one parser, costs about 50 µs. With
 * hundreds of widget conversations streaming at once that difference is most of a CPU core
 * (bench/assistant-widget.ts). The parts emitted are the ones the AI SDK's model emits for the same
 * response (tested side by side in openai-compatible-text-stream.test.ts), so nothing downstream
 * can tell the two apart.
 */
import {
  APICallError,
  InvalidResponseDataError,
  type LanguageModelV3,
  type LanguageModelV3CallOptions,
  type LanguageModelV3FinishReason,
  type LanguageModelV3StreamPart,
  type LanguageModelV3Usage,
} from '@ai-sdk/provider';
import type { FetchFunction } from '@ai-sdk/provider-utils';
import { createParser } from 'eventsource-parser';

export interface LeanTextStreamConfig {
  /** The provider's configured name: the AI SDK keys the finish part's metadata by it. */
  name: string;
  /** The server's base URL, ending before `/chat/completions`. */
  baseURL: string;
  apiKey?: string | undefined;
  headers?: Record<string, string> | undefined;
  fetch?: FetchFunction | undefined;
}

/** The OpenAI chat chunk fields read here; anything else in a chunk is ignored, as the AI SDK does. */
interface ChatChunk {
  id?: string | null;
  model?: string | null;
  created?: number | null;
  error?: unknown;
  usage?: OpenAIUsage | null;
  choices?: Array<{
    finish_reason?: string | null;
    delta?: {
      content?: unknown;
      reasoning_content?: string | null;
      reasoning?: string | null;
      refusal?: string | null;
    } | null;
  }>;
}

interface OpenAIUsage {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
  completion_tokens_details?: { reasoning_tokens?: number | null } | null;
}

type TextMessage = { role: 'system' | 'user' | 'assistant'; content: string };

/**
 * The messages as OpenAI's API takes them, or undefined when the prompt holds anything but plain
 * text (files, tool calls, reasoning, per-message provider options): those are the AI SDK's.
 */
function textMessages(prompt: LanguageModelV3CallOptions['prompt']): TextMessage[] | undefined {
  const messages: TextMessage[] = [];
  for (const message of prompt) {
    if (message.providerOptions && Object.keys(message.providerOptions).length > 0) return undefined;
    if (message.role === 'system') {
      messages.push({ role: 'system', content: message.content });
      continue;
    }
    if (message.role !== 'user' && message.role !== 'assistant') return undefined;
    let text = '';
    for (const part of message.content) {
      if (part.type !== 'text') return undefined;
      if (part.providerOptions && Object.keys(part.providerOptions).length > 0) return undefined;
      text += part.text;
    }
    // A user message of several text parts goes to the AI SDK, which sends them as parts.
    if (message.role === 'user' && message.content.length !== 1) return undefined;
    messages.push({ role: message.role, content: text });
  }
  return messages;
}

/** Whether the call is one this path streams exactly as the AI SDK would; otherwise undefined. */
function leanRequestBody(
  modelId: string,
  options: LanguageModelV3CallOptions,
): Record<string, unknown> | undefined {
  if (options.tools && options.tools.length > 0) return undefined;
  if (options.toolChoice && options.toolChoice.type !== 'auto' && options.toolChoice.type !== 'none')
    return undefined;
  if (options.responseFormat && options.responseFormat.type !== 'text') return undefined;
  if (options.includeRawChunks) return undefined;
  if (options.topK !== undefined) return undefined; // the AI SDK warns of it; keep that warning
  if (options.providerOptions && Object.keys(options.providerOptions).length > 0) return undefined;
  const messages = textMessages(options.prompt);
  if (!messages) return undefined;
  return {
    model: modelId,
    max_tokens: options.maxOutputTokens,
    temperature: options.temperature,
    top_p: options.topP,
    frequency_penalty: options.frequencyPenalty,
    presence_penalty: options.presencePenalty,
    stop: options.stopSequences,
    seed: options.seed,
    messages,
    stream: true,
    stream_options: { include_usage: true },
  };
}

function usageOf(usage: OpenAIUsage | undefined): LanguageModelV3Usage {
  if (!usage) {
    return {
      inputTokens: { total: undefined, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
      outputTokens: { total: undefined, text: undefined, reasoning: undefined },
      raw: undefined,
    };
  }
  const promptTokens = usage.prompt_tokens ?? 0;
  const completionTokens = usage.completion_tokens ?? 0;
  const cacheRead = usage.prompt_tokens_details?.cached_tokens ?? 0;
  const reasoning = usage.completion_tokens_details?.reasoning_tokens ?? 0;
  return {
    inputTokens: { total: promptTokens, noCache: promptTokens - cacheRead, cacheRead, cacheWrite: undefined },
    outputTokens: { total: completionTokens, text: completionTokens - reasoning, reasoning },
    raw: usage as LanguageModelV3Usage['raw'],
  };
}

function finishReasonOf(raw: string, hasRefusal: boolean): LanguageModelV3FinishReason['unified'] {
  switch (raw) {
    case 'stop':
      return hasRefusal ? 'content-filter' : 'stop';
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content-filter';
    case 'function_call':
    case 'tool_calls':
      return 'tool-calls';
    default:
      return 'other';
  }
}

/** The text of a chunk's `content`: a string, or the text parts of an array. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content as Array<{ type?: unknown; text?: unknown }>)
    if (part?.type === 'text' && typeof part.text === 'string') text += part.text;
  return text;
}

function headersOf(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {};
  headers.forEach((value, key) => (record[key] = value));
  return record;
}

/** The error a non-2xx answer becomes: the AI SDK's APICallError, retryable on 408, 409, 429 and 5xx. */
async function callError(response: Response, url: string, body: unknown): Promise<APICallError> {
  const text = await response.text().catch(() => '');
  let message = response.statusText || `HTTP ${response.status}`;
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } };
    if (typeof parsed.error?.message === 'string') message = parsed.error.message;
  } catch {
    // Not JSON: the status text says it.
  }
  return new APICallError({
    message,
    url,
    requestBodyValues: body,
    statusCode: response.status,
    responseHeaders: headersOf(response.headers),
    responseBody: text,
  });
}

/**
 * The streamed parts of a chat completion response, mapped as the AI SDK's OpenAI-compatible model
 * maps them (text, reasoning, refusal, usage, finish reason, in-stream errors).
 */
function partsStream(
  body: ReadableStream<Uint8Array>,
  providerName: string,
): ReadableStream<LanguageModelV3StreamPart> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let pending: LanguageModelV3StreamPart[] = [];
  let first = true;
  let textOpen = false;
  let reasoningOpen = false;
  let hasRefusal = false;
  let rawFinishReason: string | undefined;
  let errored = false;
  let usage: OpenAIUsage | undefined;

  const text = (delta: string) => {
    if (reasoningOpen) {
      pending.push({ type: 'reasoning-end', id: 'reasoning-0' });
      reasoningOpen = false;
    }
    if (!textOpen) {
      pending.push({ type: 'text-start', id: 'txt-0' });
      textOpen = true;
    }
    pending.push({ type: 'text-delta', id: 'txt-0', delta });
  };
  const reasoning = (delta: string) => {
    if (textOpen) {
      pending.push({ type: 'text-end', id: 'txt-0' });
      textOpen = false;
    }
    if (!reasoningOpen) {
      pending.push({ type: 'reasoning-start', id: 'reasoning-0' });
      reasoningOpen = true;
    }
    pending.push({ type: 'reasoning-delta', id: 'reasoning-0', delta });
  };
  const onData = (data: string) => {
    if (data === '[DONE]') return;
    let chunk: ChatChunk;
    try {
      chunk = JSON.parse(data) as ChatChunk;
    } catch (error) {
      errored = true;
      pending.push({ type: 'error', error });
      return;
    }
    if (chunk.error !== undefined) {
      errored = true;
      pending.push({ type: 'error', error: chunk.error });
      return;
    }
    if (first) {
      first = false;
      pending.push({
        type: 'response-metadata',
        id: chunk.id ?? undefined,
        modelId: chunk.model ?? undefined,
        timestamp: chunk.created != null ? new Date(chunk.created * 1000) : undefined,
      });
    }
    if (chunk.usage != null) usage = chunk.usage;
    const choice = chunk.choices?.[0];
    if (choice?.finish_reason != null) rawFinishReason = choice.finish_reason;
    const delta = choice?.delta;
    if (delta == null) return;
    const reasoningText = delta.reasoning_content ?? delta.reasoning;
    if (reasoningText) reasoning(reasoningText);
    const content = contentText(delta.content);
    if (content.length > 0) text(content);
    if (delta.refusal != null && delta.refusal.length > 0) {
      hasRefusal = true;
      text(delta.refusal);
    }
  };
  const parser = createParser({ onEvent: (event) => onData(event.data) });

  const finish = () => {
    if (reasoningOpen) pending.push({ type: 'reasoning-end', id: 'reasoning-0' });
    if (textOpen) pending.push({ type: 'text-end', id: 'txt-0' });
    let finishReason: LanguageModelV3FinishReason;
    if (rawFinishReason !== undefined) {
      finishReason = { unified: finishReasonOf(rawFinishReason, hasRefusal), raw: rawFinishReason };
    } else {
      finishReason = { unified: 'error', raw: undefined };
      if (!errored)
        pending.push({
          type: 'error',
          error: new InvalidResponseDataError({
            data: undefined,
            message: 'Response stream ended without a finish reason.',
          }),
        });
    }
    pending.push({
      type: 'finish',
      finishReason,
      usage: usageOf(usage),
      providerMetadata: { [providerName]: {} },
    });
  };

  return new ReadableStream<LanguageModelV3StreamPart>({
    start(controller) {
      controller.enqueue({ type: 'stream-start', warnings: [] });
    },
    async pull(controller) {
      // Read until a part is ready (a network chunk may hold half an event) or the body ends.
      while (pending.length === 0) {
        const { value, done } = await reader.read();
        if (done) {
          parser.feed(decoder.decode());
          finish();
          for (const part of pending) controller.enqueue(part);
          controller.close();
          return;
        }
        parser.feed(decoder.decode(value, { stream: true }));
      }
      const ready = pending;
      pending = [];
      for (const part of ready) controller.enqueue(part);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/** `model` (the AI SDK's OpenAI-compatible chat model) with the lean stream for plain text calls. */
export function withLeanTextStreaming(model: LanguageModelV3, config: LeanTextStreamConfig): LanguageModelV3 {
  const url = `${config.baseURL.replace(/\/+$/, '')}/chat/completions`;
  const fetchImplementation = config.fetch ?? globalThis.fetch;
  return {
    specificationVersion: 'v3',
    provider: model.provider,
    modelId: model.modelId,
    supportedUrls: model.supportedUrls,
    doGenerate: (options) => model.doGenerate(options),
    async doStream(options) {
      const body = leanRequestBody(model.modelId, options);
      if (!body) return model.doStream(options);
      const response = await fetchImplementation(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {}),
          ...config.headers,
          ...(options.headers as Record<string, string> | undefined),
        },
        body: JSON.stringify(body),
        ...(options.abortSignal ? { signal: options.abortSignal } : {}),
      });
      if (!response.ok) throw await callError(response, url, body);
      if (!response.body) {
        throw new APICallError({
          message: 'The response has no body.',
          url,
          requestBodyValues: body,
          statusCode: response.status,
          isRetryable: true,
        });
      }
      return {
        stream: partsStream(response.body, config.name),
        request: { body },
        response: { headers: headersOf(response.headers) },
      };
    },
  };
}
