import { createAnthropic } from '@ai-sdk/anthropic';
import type { FetchFunction } from '@ai-sdk/provider-utils';
import type { ModelProvider } from '../types.js';
import { createChatClassificationModel } from './chat-classification-model.js';
import { approximateTokenCounter } from './openai-compatible-provider.js';

export interface AnthropicProviderOptions {
  name: string;
  apiKey?: string | undefined;
  baseURL?: string | undefined;
  headers?: Record<string, string> | undefined;
  remote?: boolean | undefined;
  fetch?: FetchFunction | undefined;
}

/** Anthropic's Claude models: chat and structured output; no embeddings or reranking. */
export function createAnthropicProvider(options: AnthropicProviderOptions): ModelProvider {
  const provider = createAnthropic({
    ...(options.apiKey ? { apiKey: options.apiKey } : { apiKey: '' }),
    ...(options.baseURL ? { baseURL: options.baseURL } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  return {
    name: options.name,
    type: 'anthropic',
    remote: options.remote ?? true,
    languageModel: (modelId) => provider.languageModel(modelId),
    embeddingModel: () => undefined,
    rerankingModel: () => undefined,
    classificationModel: (modelId) => createChatClassificationModel(provider.languageModel(modelId)),
    // Claude's tokenizer is not public: o200k is a stated estimate.
    tokenCounter: (modelId) => approximateTokenCounter(options.name, modelId),
  };
}
