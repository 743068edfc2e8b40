/**
 * A lean `doStream` for the commonest call to an OpenAI-compatible server: a text answer streamed
 * from text messages, with no tools, no JSON output and no provider options. Everything else goes
 * to the AI SDK's own model, which this wraps.
 *
 * Why: the AI SDK reads a stream through four web TransformStreams (text decoding, server-sent
 * events, a zod-validated JSON parse, the provider's own mapping) over `fetch`, which costs about
 * 150 µs of CPU a delta; the same response read here, with Node's own HTTP client and one parser,
 * costs about 30 µs (50 µs over `fetch`, used when one is configured). With hundreds of widget
 * conversations streaming at once that difference is most of a CPU core (bench/assistant-widget.ts:
 * Polett's CPU per streamed delta went from 409 µs to 241 µs). The parts emitted are the ones the AI SDK's model emits for the same
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
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
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

/** Retryable as the AI SDK's own errors are: 408, 409, 429 and 5xx. */
function callError(
  status: number,
  statusText: string,
  headers: Record<string, string>,
  text: string,
  url: string,
  body: unknown,
): APICallError {
  let message = statusText || `HTTP ${status}`;
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
    statusCode: status,
    responseHeaders: headers,
    responseBody: text,
  });
}

/**
 * Maps the server-sent events of a chat completion to the parts the AI SDK's OpenAI-compatible
 * model emits for them (text, reasoning, refusal, usage, finish reason, in-stream errors).
 */
class PartsMapper {
  private pending: LanguageModelV3StreamPart[] = [{ type: 'stream-start', warnings: [] }];
  private first = true;
  private textOpen = false;
  private reasoningOpen = false;
  private hasRefusal = false;
  private rawFinishReason: string | undefined;
  private errored = false;
  private usage: OpenAIUsage | undefined;
  private readonly parser = createParser({ onEvent: (event) => this.onData(event.data) });

  constructor(private readonly providerName: string) {}

  /** Text of the response as it arrives; events may be split anywhere. */
  feed(text: string): void {
    this.parser.feed(text);
  }

  /** The parts ready so far, handed over once. */
  take(): LanguageModelV3StreamPart[] {
    const ready = this.pending;
    this.pending = [];
    return ready;
  }

  /** The closing parts, once the response has ended. */
  end(): LanguageModelV3StreamPart[] {
    if (this.reasoningOpen) this.pending.push({ type: 'reasoning-end', id: 'reasoning-0' });
    if (this.textOpen) this.pending.push({ type: 'text-end', id: 'txt-0' });
    let finishReason: LanguageModelV3FinishReason;
    if (this.rawFinishReason !== undefined) {
      finishReason = {
        unified: finishReasonOf(this.rawFinishReason, this.hasRefusal),
        raw: this.rawFinishReason,
      };
    } else {
      finishReason = { unified: 'error', raw: undefined };
      if (!this.errored)
        this.pending.push({
          type: 'error',
          error: new InvalidResponseDataError({
            data: undefined,
            message: 'Response stream ended without a finish reason.',
          }),
        });
    }
    this.pending.push({
      type: 'finish',
      finishReason,
      usage: usageOf(this.usage),
      providerMetadata: { [this.providerName]: {} },
    });
    return this.take();
  }

  private text(delta: string): void {
    if (this.reasoningOpen) {
      this.pending.push({ type: 'reasoning-end', id: 'reasoning-0' });
      this.reasoningOpen = false;
    }
    if (!this.textOpen) {
      this.pending.push({ type: 'text-start', id: 'txt-0' });
      this.textOpen = true;
    }
    this.pending.push({ type: 'text-delta', id: 'txt-0', delta });
  }

  private reasoning(delta: string): void {
    if (this.textOpen) {
      this.pending.push({ type: 'text-end', id: 'txt-0' });
      this.textOpen = false;
    }
    if (!this.reasoningOpen) {
      this.pending.push({ type: 'reasoning-start', id: 'reasoning-0' });
      this.reasoningOpen = true;
    }
    this.pending.push({ type: 'reasoning-delta', id: 'reasoning-0', delta });
  }

  private onData(data: string): void {
    if (data === '[DONE]') return;
    let chunk: ChatChunk;
    try {
      chunk = JSON.parse(data) as ChatChunk;
    } catch (error) {
      this.errored = true;
      this.pending.push({ type: 'error', error });
      return;
    }
    if (chunk.error !== undefined) {
      this.errored = true;
      this.pending.push({ type: 'error', error: chunk.error });
      return;
    }
    if (this.first) {
      this.first = false;
      this.pending.push({
        type: 'response-metadata',
        id: chunk.id ?? undefined,
        modelId: chunk.model ?? undefined,
        timestamp: chunk.created != null ? new Date(chunk.created * 1000) : undefined,
      });
    }
    if (chunk.usage != null) this.usage = chunk.usage;
    const choice = chunk.choices?.[0];
    if (choice?.finish_reason != null) this.rawFinishReason = choice.finish_reason;
    const delta = choice?.delta;
    if (delta == null) return;
    const reasoningText = delta.reasoning_content ?? delta.reasoning;
    if (reasoningText) this.reasoning(reasoningText);
    const content = contentText(delta.content);
    if (content.length > 0) this.text(content);
    if (delta.refusal != null && delta.refusal.length > 0) {
      this.hasRefusal = true;
      this.text(delta.refusal);
    }
  }
}

/** The parts of a response read through `fetch`. */
function partsFromWebStream(
  body: ReadableStream<Uint8Array>,
  mapper: PartsMapper,
): ReadableStream<LanguageModelV3StreamPart> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  return new ReadableStream<LanguageModelV3StreamPart>({
    async pull(controller) {
      // Read until a part is ready (a network chunk may hold half an event) or the body ends.
      for (let ready = mapper.take(); ; ready = mapper.take()) {
        if (ready.length > 0) {
          for (const part of ready) controller.enqueue(part);
          return;
        }
        const { value, done } = await reader.read();
        if (done) {
          mapper.feed(decoder.decode());
          for (const part of mapper.end()) controller.enqueue(part);
          controller.close();
          return;
        }
        mapper.feed(decoder.decode(value, { stream: true }));
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/** The parts of a response read through Node's HTTP client: pushed as they arrive, paused when not read. */
function partsFromNodeResponse(
  response: IncomingMessage,
  mapper: PartsMapper,
): ReadableStream<LanguageModelV3StreamPart> {
  response.setEncoding('utf8');
  // False once the stream is closed, errored or cancelled: a paused response still emits the data
  // it holds when a pending resume runs after destroy(), and enqueue on a closed stream throws.
  let open = true;
  return new ReadableStream<LanguageModelV3StreamPart>({
    start(controller) {
      const deliver = (parts: LanguageModelV3StreamPart[]) => {
        for (const part of parts) controller.enqueue(part);
        if ((controller.desiredSize ?? 1) <= 0) response.pause();
      };
      const fail = (error: Error) => {
        if (!open) return;
        open = false;
        controller.error(error);
      };
      deliver(mapper.take());
      response.on('data', (text: string) => {
        if (!open) return;
        mapper.feed(text);
        deliver(mapper.take());
      });
      response.once('end', () => {
        if (!open) return;
        open = false;
        deliver(mapper.end());
        controller.close();
      });
      // A connection cut in the middle: the reader gets an error, as it would from `fetch`.
      response.once('error', fail);
      response.once('aborted', () => fail(new Error('The connection to the model was cut.')));
    },
    pull() {
      response.resume();
    },
    cancel() {
      open = false;
      response.destroy();
    },
  });
}

// Shared by every provider: connections to the same server are reused (keep-alive) across calls.
const httpAgent = new HttpAgent({ keepAlive: true });
const httpsAgent = new HttpsAgent({ keepAlive: true });

/** POSTs with Node's HTTP client; network failures become the AI SDK's retryable APICallError. */
function postWithNode(
  url: string,
  headers: Record<string, string>,
  bodyText: string,
  requestBody: unknown,
  signal: AbortSignal | undefined,
): Promise<IncomingMessage> {
  const secure = url.startsWith('https:');
  return new Promise((resolve, reject) => {
    const outgoing = (secure ? httpsRequest : httpRequest)(
      url,
      {
        method: 'POST',
        agent: secure ? httpsAgent : httpAgent,
        headers: { ...headers, 'content-length': Buffer.byteLength(bodyText) },
        ...(signal ? { signal } : {}),
      },
      resolve,
    );
    outgoing.once('error', (error) => {
      if (error.name === 'AbortError') reject((signal?.reason as Error | undefined) ?? error);
      else
        reject(
          new APICallError({
            message: `Cannot connect to API: ${error.message}`,
            cause: error,
            url,
            requestBodyValues: requestBody,
            isRetryable: true,
          }),
        );
    });
    outgoing.end(bodyText);
  });
}

async function nodeResponseText(response: IncomingMessage): Promise<string> {
  response.setEncoding('utf8');
  let text = '';
  for await (const chunk of response) text += chunk as string;
  return text;
}

function nodeHeaders(response: IncomingMessage): Record<string, string> {
  const record: Record<string, string> = {};
  for (const [key, value] of Object.entries(response.headers))
    if (value !== undefined) record[key] = Array.isArray(value) ? value.join(', ') : value;
  return record;
}

function webHeaders(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {};
  headers.forEach((value, key) => (record[key] = value));
  return record;
}

/** `model` (the AI SDK's OpenAI-compatible chat model) with the lean stream for plain text calls. */
export function withLeanTextStreaming(model: LanguageModelV3, config: LeanTextStreamConfig): LanguageModelV3 {
  const url = `${config.baseURL.replace(/\/+$/, '')}/chat/completions`;
  return {
    specificationVersion: 'v3',
    provider: model.provider,
    modelId: model.modelId,
    supportedUrls: model.supportedUrls,
    doGenerate: (options) => model.doGenerate(options),
    async doStream(options) {
      const body = leanRequestBody(model.modelId, options);
      if (!body) return model.doStream(options);
      const headers = {
        'content-type': 'application/json',
        ...(config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {}),
        ...config.headers,
        ...(options.headers as Record<string, string> | undefined),
      };
      const bodyText = JSON.stringify(body);
      const mapper = new PartsMapper(config.name);
      if (config.fetch) {
        const response = await config.fetch(url, {
          method: 'POST',
          headers,
          body: bodyText,
          ...(options.abortSignal ? { signal: options.abortSignal } : {}),
        });
        const responseHeaders = webHeaders(response.headers);
        if (!response.ok) {
          const text = await response.text().catch(() => '');
          throw callError(response.status, response.statusText, responseHeaders, text, url, body);
        }
        if (!response.body)
          throw callError(response.status, 'The response has no body.', responseHeaders, '', url, body);
        return {
          stream: partsFromWebStream(response.body, mapper),
          request: { body },
          response: { headers: responseHeaders },
        };
      }
      const response = await postWithNode(url, headers, bodyText, body, options.abortSignal);
      const responseHeaders = nodeHeaders(response);
      const status = response.statusCode ?? 0;
      if (status < 200 || status >= 300) {
        const text = await nodeResponseText(response).catch(() => '');
        throw callError(status, response.statusMessage ?? '', responseHeaders, text, url, body);
      }
      return {
        stream: partsFromNodeResponse(response, mapper),
        request: { body },
        response: { headers: responseHeaders },
      };
    },
  };
}
