/**
 * Local GGUF models, in-process through node-llama-cpp: chat (with JSON-schema output and function
 * calls), embeddings, reranking, zero-shot classification and token counting, on the CPU by default
 * and on a GPU when configured. Models load on first use and stay loaded until `close()`.
 */
import { PolettError } from '../../errors.js';
import type { ClassificationModel, ModelProvider, TokenCounter } from '../types.js';
import { LocalGgufClassificationModel } from './local-gguf/classification-model.js';
import { LocalGgufEmbeddingModel } from './local-gguf/embedding-model.js';
import { defaultThreadCount, GgufRuntime, type GgufRuntimeSettings } from './local-gguf/gguf-runtime.js';
import { LocalGgufLanguageModel } from './local-gguf/language-model.js';
import { LocalGgufRerankingModel } from './local-gguf/reranking-model.js';

export interface LocalGgufProviderOptions {
  /** The provider's name in the configuration (`local`...). */
  name: string;
  /** Folder where relative model ids (`qwen2.5-0.5b-instruct-q4_k_m.gguf`) are found. */
  modelsDirectory: string;
  /** `'auto'` uses a GPU when node-llama-cpp finds one (CUDA, Vulkan, Metal); `false` keeps to the CPU. Default `false`. */
  gpu?: 'auto' | false;
  /** Tokens per sequence, capped at the model's training context. Default 4096. */
  contextSize?: number;
  /** CPU threads per context. Default: every core the process may use but one. */
  threads?: number;
  /** Generations one model runs at once (sequences of one context); more requests wait in line. Default 1. */
  parallelSequences?: number;
}

/** A local GGUF provider as a `ModelProvider` (type `local-gguf`, nothing leaves the machine). */
export interface LocalGgufProvider extends ModelProvider {
  readonly type: 'local-gguf';
  readonly remote: false;
  languageModel(modelId: string): LocalGgufLanguageModel;
  embeddingModel(modelId: string): LocalGgufEmbeddingModel;
  /** Every id gets a model; one without a ranking head fails its calls with `model_capability_missing`. */
  rerankingModel(modelId: string): LocalGgufRerankingModel;
  classificationModel(modelId: string): ClassificationModel;
  tokenCounter(modelId: string): TokenCounter;
  close(): Promise<void>;
}

function invalidOption(field: string, sv: string, en: string): PolettError {
  return new PolettError({ code: 'config_invalid', status: 400, field, message: { sv, en } });
}

function positiveInteger(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw invalidOption(
      field,
      `${field} måste vara ett positivt heltal, men är ${value}. Rätta värdet i konfigurationen.`,
      `${field} must be a positive whole number, but is ${value}. Correct it in the configuration.`,
    );
  }
  return value;
}

/** Creates the provider. Nothing is loaded until a model is first used. */
export function createLocalGgufProvider(options: LocalGgufProviderOptions): LocalGgufProvider {
  if (options.modelsDirectory.trim().length === 0) {
    throw invalidOption(
      'modelsDirectory',
      'modelsDirectory saknas för den lokala GGUF-leverantören. Ange mappen där modellfilerna ligger.',
      'modelsDirectory is missing for the local GGUF provider. Give the folder that holds the model files.',
    );
  }
  const settings = {
    modelsDirectory: options.modelsDirectory,
    gpu: options.gpu ?? false,
    contextSize: positiveInteger(options.contextSize, 4096, 'contextSize'),
    threads: positiveInteger(options.threads, defaultThreadCount(), 'threads'),
    parallelSequences: positiveInteger(options.parallelSequences, 1, 'parallelSequences'),
  } satisfies GgufRuntimeSettings;
  const runtime = new GgufRuntime(settings);
  const provider = `${options.name}.local-gguf`;

  return {
    name: options.name,
    type: 'local-gguf',
    remote: false,
    languageModel: (modelId) => new LocalGgufLanguageModel(provider, modelId, runtime),
    embeddingModel: (modelId) => new LocalGgufEmbeddingModel(provider, modelId, runtime),
    rerankingModel: (modelId) => new LocalGgufRerankingModel(provider, modelId, runtime),
    classificationModel: (modelId) => new LocalGgufClassificationModel(provider, modelId, runtime),
    tokenCounter: (modelId) => ({
      provider,
      modelId,
      tokenizerName: `gguf:${modelId}`,
      // Plain text: a user typing "<|im_end|>" gets the tokens of those characters, not the control token.
      countTokens: async (text) => (await runtime.load(modelId)).model.tokenize(text, false).length,
      encode: async (text) => [...(await runtime.load(modelId)).model.tokenize(text, false)],
    }),
    close: () => runtime.close(),
  };
}
