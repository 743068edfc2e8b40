/**
 * Converts between OpenAI's chat completion format and the AI SDK's v3 model calls. Polett calls
 * the v3 model directly (not `generateText`) so that the path adds as little as possible to each
 * request, and so that what the client asked for reaches the model unchanged.
 */
import { randomUUID } from 'node:crypto';
import type {
  JSONSchema7,
  LanguageModelV3CallOptions,
  LanguageModelV3Content,
  LanguageModelV3FinishReason,
  LanguageModelV3Message,
  LanguageModelV3Prompt,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
} from '@ai-sdk/provider';
import type { ChatCompletionRequest } from './schemas.js';

function textOf(content: string | Array<{ type: 'text'; text: string }> | null | undefined): string {
  if (content === null || content === undefined) return '';
  return typeof content === 'string' ? content : content.map((part) => part.text).join('');
}

export function toPrompt(messages: ChatCompletionRequest['messages']): LanguageModelV3Prompt {
  const toolNames = new Map<string, string>();
  return messages.map((message): LanguageModelV3Message => {
    switch (message.role) {
      case 'system':
      case 'developer':
        return { role: 'system', content: textOf(message.content) };
      case 'user':
        return { role: 'user', content: [{ type: 'text', text: textOf(message.content) }] };
      case 'assistant': {
        const content: Extract<LanguageModelV3Message, { role: 'assistant' }>['content'] = [];
        const text = textOf(message.content);
        if (text) content.push({ type: 'text', text });
        for (const call of message.tool_calls ?? []) {
          toolNames.set(call.id, call.function.name);
          content.push({
            type: 'tool-call',
            toolCallId: call.id,
            toolName: call.function.name,
            input: safeJson(call.function.arguments),
          });
        }
        return { role: 'assistant', content };
      }
      case 'tool':
        return {
          role: 'tool',
          content: [
            {
              type: 'tool-result',
              toolCallId: message.tool_call_id,
              toolName: toolNames.get(message.tool_call_id) ?? 'unknown',
              output: { type: 'text', value: textOf(message.content) },
            },
          ],
        };
    }
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function toCallOptions(
  request: ChatCompletionRequest,
  abortSignal: AbortSignal,
): LanguageModelV3CallOptions {
  const options: LanguageModelV3CallOptions = { prompt: toPrompt(request.messages), abortSignal };
  const maxOutputTokens = request.max_completion_tokens ?? request.max_tokens;
  if (maxOutputTokens != null) options.maxOutputTokens = maxOutputTokens;
  if (request.temperature != null) options.temperature = request.temperature;
  if (request.top_p != null) options.topP = request.top_p;
  if (request.seed != null) options.seed = request.seed;
  if (request.presence_penalty != null) options.presencePenalty = request.presence_penalty;
  if (request.frequency_penalty != null) options.frequencyPenalty = request.frequency_penalty;
  if (request.stop != null)
    options.stopSequences = typeof request.stop === 'string' ? [request.stop] : request.stop;
  const format = request.response_format;
  if (format?.type === 'json_object') options.responseFormat = { type: 'json' };
  if (format?.type === 'json_schema') {
    options.responseFormat = {
      type: 'json',
      name: format.json_schema.name,
      ...(format.json_schema.description ? { description: format.json_schema.description } : {}),
      ...(format.json_schema.schema ? { schema: format.json_schema.schema as JSONSchema7 } : {}),
    };
  }
  if (request.tools && request.tools.length > 0) {
    options.tools = request.tools.map((tool) => ({
      type: 'function',
      name: tool.function.name,
      ...(tool.function.description ? { description: tool.function.description } : {}),
      inputSchema: (tool.function.parameters ?? { type: 'object', properties: {} }) as JSONSchema7,
    }));
    const choice = request.tool_choice;
    if (choice === 'none' || choice === 'auto' || choice === 'required')
      options.toolChoice = { type: choice };
    else if (choice) options.toolChoice = { type: 'tool', toolName: choice.function.name };
  }
  return options;
}

type OpenAIFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export function toFinishReason(reason: LanguageModelV3FinishReason): OpenAIFinishReason {
  switch (reason.unified) {
    case 'length':
      return 'length';
    case 'tool-calls':
      return 'tool_calls';
    case 'content-filter':
      return 'content_filter';
    default:
      return 'stop';
  }
}

export function toUsage(usage: LanguageModelV3Usage | undefined) {
  const prompt = usage?.inputTokens.total ?? 0;
  const completion = usage?.outputTokens.total ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

export function completionId(): string {
  return `chatcmpl-${randomUUID().replaceAll('-', '')}`;
}

/** The non-streamed response body. */
export function toChatCompletion(
  model: string,
  content: LanguageModelV3Content[],
  finishReason: LanguageModelV3FinishReason,
  usage: LanguageModelV3Usage,
) {
  const text = content
    .filter((part) => part.type === 'text')
    .map((part) => part.text)
    .join('');
  const toolCalls = content
    .filter((part) => part.type === 'tool-call')
    .map((part) => ({
      id: part.toolCallId,
      type: 'function' as const,
      function: { name: part.toolName, arguments: part.input },
    }));
  return {
    id: completionId(),
    object: 'chat.completion' as const,
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant' as const,
          content: toolCalls.length > 0 && text === '' ? null : text,
          refusal: null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: toFinishReason(finishReason),
      },
    ],
    usage: toUsage(usage),
  };
}

/**
 * Turns the model's stream parts into OpenAI `chat.completion.chunk` objects. Returns the chunks a
 * part produces (often one, sometimes none).
 */
export class ChunkWriter {
  readonly id = completionId();
  readonly created = Math.floor(Date.now() / 1000);
  private readonly toolIndexes = new Map<string, number>();
  private sentRole = false;

  constructor(
    private readonly model: string,
    private readonly includeUsage: boolean,
  ) {}

  private chunk(delta: Record<string, unknown>, finishReason: OpenAIFinishReason | null = null) {
    const withRole = this.sentRole ? delta : { role: 'assistant', ...delta };
    this.sentRole = true;
    return {
      id: this.id,
      object: 'chat.completion.chunk' as const,
      created: this.created,
      model: this.model,
      choices: [{ index: 0, delta: withRole, logprobs: null, finish_reason: finishReason }],
    };
  }

  write(part: LanguageModelV3StreamPart): object[] {
    switch (part.type) {
      case 'text-delta':
        return part.delta === '' ? [] : [this.chunk({ content: part.delta })];
      case 'tool-input-start': {
        const index = this.toolIndexes.size;
        this.toolIndexes.set(part.id, index);
        return [
          this.chunk({
            tool_calls: [
              { index, id: part.id, type: 'function', function: { name: part.toolName, arguments: '' } },
            ],
          }),
        ];
      }
      case 'tool-input-delta': {
        const index = this.toolIndexes.get(part.id) ?? 0;
        return [this.chunk({ tool_calls: [{ index, function: { arguments: part.delta } }] })];
      }
      case 'tool-call': {
        // Providers that emit whole tool calls without input deltas.
        if (this.toolIndexes.has(part.toolCallId)) return [];
        const index = this.toolIndexes.size;
        this.toolIndexes.set(part.toolCallId, index);
        return [
          this.chunk({
            tool_calls: [
              {
                index,
                id: part.toolCallId,
                type: 'function',
                function: { name: part.toolName, arguments: part.input },
              },
            ],
          }),
        ];
      }
      case 'finish': {
        const chunks: object[] = [this.chunk({}, toFinishReason(part.finishReason))];
        if (this.includeUsage) {
          chunks.push({
            id: this.id,
            object: 'chat.completion.chunk',
            created: this.created,
            model: this.model,
            choices: [],
            usage: toUsage(part.usage),
          });
        }
        return chunks;
      }
      default:
        return [];
    }
  }
}
