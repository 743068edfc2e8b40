/**
 * Models whose provider is still loading. A local runtime is imported on the first call, not when
 * Polett starts; these stand-ins wait for it and then delegate.
 */
import { classifyTexts } from './providers/classify-texts.js';
import type {
  ClassificationModel,
  EmbeddingModelV3,
  LanguageModelV3,
  ModelProvider,
  RerankingModelV3,
  TokenCounter,
} from './types.js';
import { PolettError } from '../errors.js';

type ProviderLoader = () => Promise<ModelProvider>;

function unsupported(kind: string, provider: string, modelId: string): PolettError {
  return new PolettError({
    code: 'model_task_unsupported',
    status: 400,
    message: {
      sv: `Modellen ${modelId} hos ${provider} kan inte ${kind}; välj en annan modell för uppgiften i polett.json.`,
      en: `The model ${modelId} at ${provider} cannot ${kind}; choose another model for the task in polett.json.`,
    },
  });
}

async function resolveModel<Model>(
  load: ProviderLoader,
  pick: (provider: ModelProvider) => Model | undefined,
  kind: string,
  providerName: string,
  modelId: string,
): Promise<Model> {
  const model = pick(await load());
  if (model === undefined) throw unsupported(kind, providerName, modelId);
  return model;
}

export function deferredLanguageModel(
  load: ProviderLoader,
  provider: string,
  modelId: string,
): LanguageModelV3 {
  const model = () =>
    resolveModel(load, (loaded) => loaded.languageModel(modelId), 'generate text', provider, modelId);
  return {
    specificationVersion: 'v3',
    provider,
    modelId,
    supportedUrls: {},
    doGenerate: async (options) => (await model()).doGenerate(options),
    doStream: async (options) => (await model()).doStream(options),
  };
}

export function deferredEmbeddingModel(
  load: ProviderLoader,
  provider: string,
  modelId: string,
): EmbeddingModelV3 {
  const model = () =>
    resolveModel(load, (loaded) => loaded.embeddingModel(modelId), 'embed texts', provider, modelId);
  return {
    specificationVersion: 'v3',
    provider,
    modelId,
    maxEmbeddingsPerCall: 256,
    supportsParallelCalls: false,
    doEmbed: async (options) => (await model()).doEmbed(options),
  };
}

export function deferredRerankingModel(
  load: ProviderLoader,
  provider: string,
  modelId: string,
): RerankingModelV3 {
  const model = () =>
    resolveModel(load, (loaded) => loaded.rerankingModel(modelId), 'rerank passages', provider, modelId);
  return {
    specificationVersion: 'v3',
    provider,
    modelId,
    doRerank: async (options) => (await model()).doRerank(options),
  };
}

export function deferredClassificationModel(
  load: ProviderLoader,
  provider: string,
  modelId: string,
): ClassificationModel {
  const model = () =>
    resolveModel(load, (loaded) => loaded.classificationModel(modelId), 'classify texts', provider, modelId);
  return {
    provider,
    modelId,
    doClassify: async (options) => (await model()).doClassify(options),
    doClassifyBatch: async (options) => ({ results: await classifyTexts(await model(), options) }),
  };
}

export function deferredTokenCounter(load: ProviderLoader, provider: string, modelId: string): TokenCounter {
  const counter = () =>
    resolveModel(load, (loaded) => loaded.tokenCounter(modelId), 'count tokens', provider, modelId);
  return {
    provider,
    modelId,
    tokenizerName: `${provider}:${modelId}`,
    countTokens: async (text) => (await counter()).countTokens(text),
    encode: async (text) => {
      const loaded = await counter();
      if (!loaded.encode) throw unsupported('show token ids', provider, modelId);
      return loaded.encode(text);
    },
  };
}
