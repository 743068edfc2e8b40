/**
 * The models Learn works with, read from the configuration and the model registry: every model
 * with its price and context window (for the cost table), and the local GGUF files (for their
 * tokenizers and for attention).
 */
import { existsSync } from 'node:fs';
import type { PolettConfig } from '../config/index.js';
import type { ModelRegistry } from '../models/index.js';
import type { PricedModel } from './token-costs.js';
import type { LocalTokenizerModel } from './tokenizers.js';

/** node-llama-cpp's default context size in Polett when a local provider names none. */
const DEFAULT_LOCAL_CONTEXT_SIZE = 4096;

export interface LearnModels {
  priced(): PricedModel[];
  localGguf(): LocalTokenizerModel[];
}

export function learnModelsFrom(config: PolettConfig, registry: ModelRegistry): LearnModels {
  const describeModels = () => registry.describe();
  return {
    priced() {
      return (
        describeModels()
          // ONNX encoders embed and classify; nobody sends them prompts to pay for.
          .filter((model) => model.providerType !== 'local-onnx')
          .map((model) => {
            const configured = config.models[model.alias];
            const provider = config.providers[model.provider];
            const priced: PricedModel = {
              alias: model.alias,
              provider: model.provider,
              providerType: model.providerType,
              model: model.model,
            };
            if (model.path !== undefined && existsSync(model.path)) priced.path = model.path;
            if (configured?.price) priced.price = configured.price;
            const localContext =
              model.providerType === 'local-gguf'
                ? provider?.type === 'local-gguf'
                  ? provider.contextSize
                  : DEFAULT_LOCAL_CONTEXT_SIZE
                : undefined;
            const contextWindow = configured?.contextWindow ?? localContext;
            if (contextWindow !== undefined) priced.contextWindow = contextWindow;
            return priced;
          })
      );
    },
    localGguf() {
      return describeModels()
        .filter(
          (model) =>
            model.providerType === 'local-gguf' &&
            model.path !== undefined &&
            model.path.toLowerCase().endsWith('.gguf') &&
            existsSync(model.path),
        )
        .map((model) => ({ alias: model.alias, path: model.path! }));
    },
  };
}
