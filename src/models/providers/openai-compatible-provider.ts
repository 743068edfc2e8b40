import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { FetchFunction } from '@ai-sdk/provider-utils';
import { encode as encodeO200k } from 'gpt-tokenizer/encoding/o200k_base';
import type { ModelProvider, TokenCounter } from '../types.js';
import { createChatClassificationModel } from './chat-classification-model.js';
import { withLeanTextStreaming } from './openai-compatible-text-stream.js';

export interface OpenAICompatibleProviderOptions {
  name: string;
  baseURL: string;
  apiKey?: string | undefined;
  headers?: Record<string, string> | undefined;
  /** Defaults to true unless the base URL is on loopback. */
  remote?: boolean | undefined;
  fetch?: FetchFunction | undefined;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Whether a base URL points at this machine (a local llama.cpp server, Ollama, LM Studio). */
export function isLoopbackUrl(url: string): boolean {
  try {
    const hostname = new URL(url).hostname;
    return LOOPBACK_HOSTS.has(hostname) || hostname.startsWith('127.');
  } catch {
    return false;
  }
}

/**
 * Any server that speaks OpenAI's API: OpenAI, Azure OpenAI, Mistral, Groq, Together, vLLM, TGI,
 * llama.cpp's server, Ollama, LM Studio and Hugging Face's Inference Providers router.
 */
export function createOpenAICompatibleProvider(options: OpenAICompatibleProviderOptions): ModelProvider {
  const provider = createOpenAICompatible({
    name: options.name,
    baseURL: options.baseURL,
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    includeUsage: true,
    supportsStructuredOutputs: true,
  });
  return {
    name: options.name,
    type: 'openai-compatible',
    remote: options.remote ?? !isLoopbackUrl(options.baseURL),
    languageModel: (modelId) => withLeanTextStreaming(provider.chatModel(modelId), options),
    embeddingModel: (modelId) => provider.embeddingModel(modelId),
    // OpenAI's API has no reranking route; servers that do (vLLM, TGI) differ from each other.
    rerankingModel: () => undefined,
    classificationModel: (modelId) => createChatClassificationModel(provider.chatModel(modelId)),
    tokenCounter: (modelId) => approximateTokenCounter(options.name, modelId),
  };
}

/**
 * OpenAI's o200k tokenizer, exact for OpenAI's current models and a close estimate for others
 * whose tokenizer cannot be fetched from a remote API.
 */
export function approximateTokenCounter(provider: string, modelId: string): TokenCounter {
  return {
    provider,
    modelId,
    tokenizerName: 'o200k_base',
    countTokens: async (text) => encodeO200k(text).length,
    encode: async (text) => encodeO200k(text),
  };
}
