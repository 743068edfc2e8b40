/**
 * Models: one layer over every kind of pretrained model. Providers (remote APIs and local
 * runtimes) implement the AI SDK's v3 model specifications plus Polett's classification and token
 * counting contracts; the registry gives each task a fallback chain with retries, timeouts,
 * concurrency limits, PII redaction for remote providers and a usage ledger.
 */
export { ModelRegistry, IMPLICIT_GGUF_PROVIDER, IMPLICIT_ONNX_PROVIDER } from './model-registry.js';
export type { ModelDescription, ModelRegistryOptions, TaskStatus } from './model-registry.js';
export { taskHint } from './task-hint.js';
export { isLoopbackUrl } from './providers/openai-compatible-provider.js';
export { MODEL_TASKS, PROVIDER_TYPES } from './types.js';
export { classifyTexts } from './providers/classify-texts.js';
export type {
  ClassificationBatchCallOptions,
  ClassificationModel,
  ClassificationScore,
  EmbeddingModelV3,
  LanguageModelV3,
  ModelProvider,
  ModelTask,
  ProviderType,
  RerankingModelV3,
  TokenCounter,
} from './types.js';
