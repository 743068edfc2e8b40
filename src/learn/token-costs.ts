/**
 * What a text costs at each configured model's price, and how much of its context window it
 * fills. The text is counted with the tokenizer of that model's family where Polett has it (an
 * OpenAI model with o200k or cl100k, a local GGUF model with its own vocabulary); for any other
 * model the o200k count stands in and the estimate says so.
 */
import type { LocalizedText } from '../errors.js';
import { BUILT_IN_TOKENIZERS, type TokenizerRegistry } from './tokenizers.js';

/** A model as the cost table needs it (from the configuration and the registry). */
export interface PricedModel {
  alias: string;
  provider: string;
  providerType: string;
  model: string;
  /** For local GGUF models: the file, so that its own tokenizer counts. */
  path?: string;
  price?: { inputPerMillion: number; outputPerMillion: number; currency: string };
  contextWindow?: number;
}

export interface ModelCost {
  alias: string;
  model: string;
  /** The tokenizer whose count is used. */
  tokenizer: string;
  /** True when that tokenizer is a stand-in, not the model's own. */
  estimated: boolean;
  tokenCount: number;
  /** Cost of sending the text as input once; null without a configured price. */
  inputCost: number | null;
  currency: string | null;
  contextWindow: number | null;
  /** Share of the context window the text fills (0–1, more when it does not fit); null when unknown. */
  contextFill: number | null;
}

export interface TokenizerChoice {
  tokenizer: string;
  estimated: boolean;
}

/** The tokenizer of a model's family, or the o200k stand-in. */
export function tokenizerForModel(model: PricedModel): TokenizerChoice {
  if (model.providerType === 'local-gguf' && model.path !== undefined) {
    return { tokenizer: `local:${model.alias}`, estimated: false };
  }
  const name = model.model.toLowerCase();
  if (/gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|gpt-oss|(^|[/-])o[134](-|$)|chatgpt-4o/.test(name)) {
    return { tokenizer: 'o200k', estimated: false };
  }
  if (/gpt-4|gpt-3\.5|text-embedding-3|text-embedding-ada-002/.test(name)) {
    return { tokenizer: 'cl100k', estimated: false };
  }
  if (/llama-?3/.test(name)) return { tokenizer: 'llama3', estimated: false };
  if (/qwen-?(3|2\.5)/.test(name)) return { tokenizer: 'qwen3', estimated: false };
  if (/gemma-?3/.test(name)) return { tokenizer: 'gemma3', estimated: false };
  return { tokenizer: 'o200k', estimated: true };
}

/** Explains the estimated flag, for the CLI and the page. */
export const ESTIMATE_NOTE: LocalizedText = {
  sv: 'uppskattat med o200k: Polett har inte den här modellens egen tokeniserare',
  en: "estimated with o200k: Polett does not have this model's own tokenizer",
};

/**
 * The cost rows for `text`. `knownCounts` holds counts already made (tokenizer name → count) so
 * that the same text is not split twice.
 */
export async function costsOfText(
  text: string,
  models: readonly PricedModel[],
  tokenizers: TokenizerRegistry,
  knownCounts: ReadonlyMap<string, number> = new Map(),
): Promise<ModelCost[]> {
  const counts = new Map(knownCounts);
  const rows: ModelCost[] = [];
  for (const model of models) {
    let choice = tokenizerForModel(model);
    let tokenCount = counts.get(choice.tokenizer);
    if (tokenCount === undefined) {
      try {
        tokenCount = (await tokenizers.tokenize(text, choice.tokenizer)).tokenCount;
      } catch {
        // A local model whose file is gone still gets a row, counted with the stand-in.
        choice = { tokenizer: BUILT_IN_TOKENIZERS[0]!, estimated: true };
        tokenCount =
          counts.get(choice.tokenizer) ?? (await tokenizers.tokenize(text, choice.tokenizer)).tokenCount;
      }
      counts.set(choice.tokenizer, tokenCount);
    }
    const contextWindow = model.contextWindow ?? null;
    rows.push({
      alias: model.alias,
      model: model.model,
      tokenizer: choice.tokenizer,
      estimated: choice.estimated,
      tokenCount,
      inputCost: model.price ? (tokenCount / 1_000_000) * model.price.inputPerMillion : null,
      currency: model.price?.currency ?? null,
      contextWindow,
      contextFill: contextWindow === null ? null : tokenCount / contextWindow,
    });
  }
  return rows;
}
