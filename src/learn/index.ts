/**
 * Learn: tokens and self-attention made visible on real tokenizers and a real transformer.
 * The HTTP layer and the CLI import only from here.
 */
export {
  BUILT_IN_TOKENIZERS,
  TokenizerRegistry,
  type LocalTokenizerModel,
  type TokenizedText,
  type TokenizerDescription,
} from './tokenizers.js';
export type { TokenPiece } from './token-pieces.js';
export {
  costsOfText,
  ESTIMATE_NOTE,
  tokenizerForModel,
  type ModelCost,
  type PricedModel,
} from './token-costs.js';
export {
  attentionModelChoices,
  encodeAttentionRows,
  explainAttention,
  forgetAttentionModel,
  learnAttentionCatalogueEntry,
  MAX_ATTENTION_TOKENS,
  noAttentionModelError,
  type AttentionModelChoice,
  type AttentionResult,
} from './attention.js';
export {
  GgufTransformer,
  softmax,
  topTokens,
  type ForwardResult,
  type TransformerShape,
} from './gguf-transformer.js';
export * from './schemas.js';
export { learnModelsFrom, type LearnModels } from './learn-models.js';
