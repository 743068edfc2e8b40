/**
 * A GGUF chat model as the AI SDK's `LanguageModelV3`: generation and streaming through
 * node-llama-cpp's `LlamaChat`, rendered with the model's own chat template, with JSON-schema
 * grammars for structured output and function calling that returns the calls to the caller
 * instead of running them.
 */
import { randomUUID } from 'node:crypto';
import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3Content,
  LanguageModelV3FinishReason,
  LanguageModelV3FunctionTool,
  LanguageModelV3GenerateResult,
  LanguageModelV3StreamPart,
  LanguageModelV3StreamResult,
  LanguageModelV3Usage,
  SharedV3Warning,
} from '@ai-sdk/provider';
import type {
  ChatHistoryItem,
  ChatModelFunctions,
  LlamaChat,
  LlamaChatResponse,
  LlamaChatResponseChunk,
  LlamaGrammar,
  LLamaChatGenerateResponseOptions,
  Token,
} from 'node-llama-cpp';
import type { GgufRuntime, LoadedGgufModel } from './gguf-runtime.js';
import { inputTooLongError } from './model-files.js';
import {
  convertPromptToChatHistory,
  convertToolsToFunctions,
  toGbnfJsonSchema,
} from './prompt-conversion.js';

/** How the model is steered for one call. */
type GenerationMode =
  | { kind: 'text' }
  | { kind: 'json'; grammar: LlamaGrammar }
  | { kind: 'functions'; functions: ChatModelFunctions }
  /** The caller demands a tool call: the grammar only allows a call (see `prepareForcedToolCall`). */
  | { kind: 'forced-tool'; grammar: LlamaGrammar; toolName: string | undefined };

/** The options shared by both kinds of node-llama-cpp call (with a grammar, or with functions). */
type SamplingOptions = Pick<
  LLamaChatGenerateResponseOptions,
  'maxTokens' | 'temperature' | 'topP' | 'topK' | 'seed' | 'customStopTriggers' | 'repeatPenalty'
>;

interface PreparedCall {
  loaded: LoadedGgufModel;
  history: ChatHistoryItem[];
  mode: GenerationMode;
  warnings: SharedV3Warning[];
  /** The rendered prompt, as the tokens the sequence will hold. */
  promptTokens: Token[];
  generationOptions: SamplingOptions;
}

interface RunCallbacks {
  onResponseChunk?: (chunk: LlamaChatResponseChunk) => void;
  onFunctionCallParamsChunk?: LLamaChatGenerateResponseOptions<ChatModelFunctions>['onFunctionCallParamsChunk'];
}

interface RunResult {
  response: LlamaChatResponse<ChatModelFunctions>;
  content: LanguageModelV3Content[];
  finishReason: LanguageModelV3FinishReason;
  usage: LanguageModelV3Usage;
}

export class LocalGgufLanguageModel implements LanguageModelV3 {
  readonly specificationVersion = 'v3' as const;
  /** Local models read no URLs: the SDK downloads any file parts itself. */
  readonly supportedUrls: Record<string, RegExp[]> = {};

  constructor(
    readonly provider: string,
    readonly modelId: string,
    private readonly runtime: GgufRuntime,
  ) {}

  async doGenerate(options: LanguageModelV3CallOptions): Promise<LanguageModelV3GenerateResult> {
    const prepared = await this.prepare(options);
    const pool = await prepared.loaded.sequences();
    const result = await pool.use(options.abortSignal, (chat) =>
      this.run(chat, prepared, options.abortSignal, {}),
    );
    return {
      content: result.content,
      finishReason: result.finishReason,
      usage: result.usage,
      warnings: prepared.warnings,
      response: { id: randomUUID(), timestamp: new Date(), modelId: this.modelId },
    };
  }

  async doStream(options: LanguageModelV3CallOptions): Promise<LanguageModelV3StreamResult> {
    // Loading and validation happen before the stream exists, so that a missing or damaged model
    // rejects the call itself with its PolettError rather than surfacing mid-stream.
    const prepared = await this.prepare(options);
    const pool = await prepared.loaded.sequences();
    const cancel = new AbortController();
    const signal =
      options.abortSignal === undefined
        ? cancel.signal
        : AbortSignal.any([options.abortSignal, cancel.signal]);

    const stream = new ReadableStream<LanguageModelV3StreamPart>({
      start: (controller) => {
        // After the reader cancels, enqueue and close throw: the generation winds down unheard.
        const emit = (part: LanguageModelV3StreamPart) => {
          if (!cancel.signal.aborted) controller.enqueue(part);
        };
        emit({ type: 'stream-start', warnings: prepared.warnings });
        emit({
          type: 'response-metadata',
          id: randomUUID(),
          timestamp: new Date(),
          modelId: this.modelId,
        });
        const textId = randomUUID();
        const reasoningId = randomUUID();
        let openPart: 'text' | 'reasoning' | undefined;
        const openAs = (part: 'text' | 'reasoning') => {
          if (openPart === part) return;
          if (openPart === 'text') emit({ type: 'text-end', id: textId });
          if (openPart === 'reasoning') emit({ type: 'reasoning-end', id: reasoningId });
          openPart = part;
          emit(
            part === 'text'
              ? { type: 'text-start', id: textId }
              : { type: 'reasoning-start', id: reasoningId },
          );
        };
        const toolInputIds = new Map<number, string>();
        // A forced tool call's JSON is the call's input, not text for the reader.
        const streamsText = prepared.mode.kind !== 'forced-tool';

        const callbacks: RunCallbacks = {
          onResponseChunk: (chunk) => {
            if (chunk.text.length === 0) return;
            if (chunk.type === undefined) {
              if (!streamsText) return;
              openAs('text');
              emit({ type: 'text-delta', id: textId, delta: chunk.text });
            } else if (chunk.segmentType === 'thought') {
              openAs('reasoning');
              emit({ type: 'reasoning-delta', id: reasoningId, delta: chunk.text });
            }
          },
          onFunctionCallParamsChunk: (chunk) => {
            let id = toolInputIds.get(chunk.callIndex);
            if (id === undefined) {
              id = randomUUID();
              toolInputIds.set(chunk.callIndex, id);
              emit({ type: 'tool-input-start', id, toolName: chunk.functionName });
            }
            if (chunk.paramsChunk.length > 0)
              emit({ type: 'tool-input-delta', id, delta: chunk.paramsChunk });
            if (chunk.done) emit({ type: 'tool-input-end', id });
          },
        };

        pool
          .use(signal, (chat) => this.run(chat, prepared, signal, callbacks, toolInputIds))
          .then((result) => {
            if (openPart === 'text') emit({ type: 'text-end', id: textId });
            if (openPart === 'reasoning') emit({ type: 'reasoning-end', id: reasoningId });
            for (const part of result.content) {
              if (part.type === 'tool-call') emit(part);
              // Text the grammar produced but that did not parse as a tool call still reaches the reader.
              else if (part.type === 'text' && !streamsText) {
                emit({ type: 'text-start', id: textId });
                emit({ type: 'text-delta', id: textId, delta: part.text });
                emit({ type: 'text-end', id: textId });
              }
            }
            emit({ type: 'finish', finishReason: result.finishReason, usage: result.usage });
          })
          .catch((error: unknown) => emit({ type: 'error', error }))
          .finally(() => {
            if (!cancel.signal.aborted) controller.close();
          });
      },
      cancel: () => cancel.abort(),
    });
    return { stream };
  }

  private async prepare(options: LanguageModelV3CallOptions): Promise<PreparedCall> {
    const loaded = await this.runtime.load(this.modelId);
    const { history, warnings } = convertPromptToChatHistory(options.prompt);

    const functionTools: LanguageModelV3FunctionTool[] = [];
    for (const tool of options.tools ?? []) {
      if (tool.type === 'function') functionTools.push(tool);
      else warnings.push({ type: 'unsupported', feature: `provider tool ${tool.name}` });
    }
    const toolChoice = options.toolChoice ?? { type: 'auto' };

    let mode: GenerationMode = { kind: 'text' };
    let renderedHistory = history;
    if (options.responseFormat?.type === 'json') {
      if (functionTools.length > 0) {
        warnings.push({
          type: 'unsupported',
          feature: 'tools with a JSON response format',
          details: 'The tools were left out.',
        });
      }
      const schema = options.responseFormat.schema;
      const grammar =
        schema === undefined
          ? await loaded.grammarFor('json', () => loaded.llama.getGrammarFor('json'))
          : await loaded.grammarFor(JSON.stringify(schema), () =>
              loaded.llama.createGrammarForJsonSchema(toGbnfJsonSchema(schema) as never),
            );
      mode = { kind: 'json', grammar };
      renderedHistory = withSystemInstruction(
        history,
        schema === undefined
          ? 'Answer with JSON only.'
          : `Answer with JSON only, matching this JSON schema: ${JSON.stringify(schema)}`,
      );
    } else if (functionTools.length > 0 && toolChoice.type !== 'none') {
      const tools =
        toolChoice.type === 'tool'
          ? functionTools.filter((tool) => tool.name === toolChoice.toolName)
          : functionTools;
      if (tools.length === 0) {
        warnings.push({
          type: 'other',
          message: `toolChoice names the unknown tool "${(toolChoice as { toolName: string }).toolName}".`,
        });
      } else if (toolChoice.type === 'auto') {
        mode = { kind: 'functions', functions: convertToolsToFunctions(tools) };
      } else {
        const forced = await prepareForcedToolCall(loaded, history, tools);
        mode = forced.mode;
        renderedHistory = forced.history;
      }
    }

    const functions = mode.kind === 'functions' ? mode.functions : undefined;
    const promptTokens: Token[] = loaded.chatWrapper
      .generateContextState({
        chatHistory: withTrailingModelResponse(renderedHistory),
        ...(functions === undefined ? {} : { availableFunctions: functions, documentFunctionParams: true }),
      })
      .contextText.tokenize(loaded.model.tokenizer);
    if (promptTokens.length >= loaded.contextSize) {
      throw inputTooLongError(this.modelId, promptTokens.length, loaded.contextSize);
    }

    const generationOptions: SamplingOptions = {
      ...(options.maxOutputTokens === undefined ? {} : { maxTokens: options.maxOutputTokens }),
      ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
      ...(options.topP === undefined ? {} : { topP: options.topP }),
      ...(options.topK === undefined ? {} : { topK: options.topK }),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.stopSequences === undefined || options.stopSequences.length === 0
        ? {}
        : { customStopTriggers: options.stopSequences }),
      ...(options.presencePenalty === undefined && options.frequencyPenalty === undefined
        ? {}
        : {
            repeatPenalty: {
              ...(options.presencePenalty === undefined ? {} : { presencePenalty: options.presencePenalty }),
              ...(options.frequencyPenalty === undefined
                ? {}
                : { frequencyPenalty: options.frequencyPenalty }),
            },
          }),
    };
    return { loaded, history: renderedHistory, mode, warnings, promptTokens, generationOptions };
  }

  private async run(
    chat: LlamaChat,
    prepared: PreparedCall,
    signal: AbortSignal | undefined,
    callbacks: RunCallbacks,
    streamedToolInputIds: ReadonlyMap<number, string> = new Map(),
  ): Promise<RunResult> {
    const { mode } = prepared;
    const meterBefore = chat.sequence.tokenMeter.getState();
    // What the sequence already holds of this prompt (a shared system prompt, an earlier turn) is
    // reused from the KV cache: that is the cached part of the input.
    const cached = commonPrefixLength(chat.sequence.contextTokens, prepared.promptTokens);
    const common = {
      ...prepared.generationOptions,
      ...(signal === undefined ? {} : { signal }),
      ...(callbacks.onResponseChunk === undefined ? {} : { onResponseChunk: callbacks.onResponseChunk }),
    };
    // The two branches differ in type: node-llama-cpp takes either a grammar or functions.
    const response: LlamaChatResponse<ChatModelFunctions> =
      mode.kind === 'functions'
        ? await chat.generateResponse(prepared.history, {
            ...common,
            functions: mode.functions,
            documentFunctionParams: true,
            ...(callbacks.onFunctionCallParamsChunk === undefined
              ? {}
              : { onFunctionCallParamsChunk: callbacks.onFunctionCallParamsChunk }),
          })
        : await chat.generateResponse(prepared.history, {
            ...common,
            ...(mode.kind === 'text' ? {} : { grammar: mode.grammar }),
          });
    const used = chat.sequence.tokenMeter.diff(meterBefore);

    const content: LanguageModelV3Content[] = [];
    for (const item of response.fullResponse) {
      if (typeof item !== 'string' && item.segmentType === 'thought' && item.text.length > 0) {
        content.push({ type: 'reasoning', text: item.text });
      }
    }
    let finishReason = mapFinishReason(response.metadata.stopReason);
    if (mode.kind === 'forced-tool') {
      const call = parseForcedToolCall(response.response, mode.toolName);
      if (call === undefined) {
        // Cut off before the JSON closed (maxOutputTokens): hand back what there is as text.
        if (response.response.length > 0) content.push({ type: 'text', text: response.response });
      } else {
        content.push({
          type: 'tool-call',
          toolCallId: randomUUID(),
          toolName: call.toolName,
          input: call.input,
        });
        finishReason = { unified: 'tool-calls', raw: response.metadata.stopReason };
      }
    } else if (response.response.length > 0) {
      content.push({ type: 'text', text: response.response });
    }
    (response.functionCalls ?? []).forEach((call, index) => {
      content.push({
        type: 'tool-call',
        // The id the stream already announced in tool-input-start, so the parts line up.
        toolCallId: streamedToolInputIds.get(index) ?? randomUUID(),
        toolName: call.functionName,
        input: JSON.stringify(call.params ?? {}),
      });
    });

    const usage: LanguageModelV3Usage = {
      inputTokens: {
        total: prepared.promptTokens.length,
        noCache: prepared.promptTokens.length - cached,
        cacheRead: cached,
        cacheWrite: undefined,
      },
      outputTokens: { total: used.usedOutputTokens, text: used.usedOutputTokens, reasoning: undefined },
    };
    return { response, content, finishReason, usage };
  }
}

function commonPrefixLength(left: readonly Token[], right: readonly Token[]): number {
  let length = 0;
  while (length < left.length && length < right.length && left[length] === right[length]) length += 1;
  return length;
}

function mapFinishReason(
  stopReason: LlamaChatResponse['metadata']['stopReason'],
): LanguageModelV3FinishReason {
  switch (stopReason) {
    case 'eogToken':
    case 'stopGenerationTrigger':
    case 'customStopTrigger':
      return { unified: 'stop', raw: stopReason };
    case 'maxTokens':
      return { unified: 'length', raw: stopReason };
    case 'functionCalls':
      return { unified: 'tool-calls', raw: stopReason };
    case 'abort':
      return { unified: 'other', raw: stopReason };
  }
}

/**
 * `toolChoice: required` (or one named tool): instead of hoping the model starts a call, the
 * grammar allows nothing but the call. For one tool the output is its parameters; for several it is
 * `{"name": ..., "arguments": ...}` with one alternative per tool. The tools are still described in
 * the system message, as the chat template would for a normal call.
 */
async function prepareForcedToolCall(
  loaded: LoadedGgufModel,
  history: ChatHistoryItem[],
  tools: LanguageModelV3FunctionTool[],
): Promise<{ mode: GenerationMode; history: ChatHistoryItem[] }> {
  const functions = convertToolsToFunctions(tools);
  const [onlyTool] = tools;
  const single = tools.length === 1 && onlyTool !== undefined;
  const schema = single
    ? toGbnfJsonSchema(onlyTool.inputSchema)
    : {
        oneOf: tools.map((tool) => ({
          type: 'object',
          properties: { name: { const: tool.name }, arguments: toGbnfJsonSchema(tool.inputSchema) },
        })),
      };
  const grammar = await loaded.grammarFor(`forced:${JSON.stringify(schema)}`, () =>
    loaded.llama.createGrammarForJsonSchema(schema as never),
  );
  const documented = [
    ...loaded.chatWrapper.addAvailableFunctionsSystemMessageToHistory(history, functions, {
      documentParams: true,
    }),
  ];
  const instruction = single
    ? `Call the function ${onlyTool.name} now: answer only with its parameters as JSON.`
    : 'Call one of the functions now: answer only with JSON of the form {"name": ..., "arguments": ...}.';
  return {
    mode: { kind: 'forced-tool', grammar, toolName: single ? onlyTool.name : undefined },
    history: withSystemInstruction(documented, instruction),
  };
}

function parseForcedToolCall(
  text: string,
  toolName: string | undefined,
): { toolName: string; input: string } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (toolName !== undefined) return { toolName, input: JSON.stringify(value) };
  if (typeof value !== 'object' || value === null) return undefined;
  const { name, arguments: input } = value as { name?: unknown; arguments?: unknown };
  return typeof name === 'string' ? { toolName: name, input: JSON.stringify(input ?? {}) } : undefined;
}

/** Adds an instruction to the first system message, or opens the chat with one. */
function withSystemInstruction(history: readonly ChatHistoryItem[], instruction: string): ChatHistoryItem[] {
  const [first, ...rest] = history;
  if (first?.type === 'system' && typeof first.text === 'string') {
    return [{ type: 'system', text: `${first.text}\n\n${instruction}` }, ...rest];
  }
  return [{ type: 'system', text: instruction }, ...history];
}

/** What `LlamaChat` renders: the history ending in an (empty) model response to be continued. */
function withTrailingModelResponse(history: readonly ChatHistoryItem[]): ChatHistoryItem[] {
  return history.at(-1)?.type === 'model' ? [...history] : [...history, { type: 'model', response: [] }];
}
