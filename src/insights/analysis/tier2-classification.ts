/**
 * Tier-2 classification of a page of texts by the workspace's `classify` model: handed over in
 * slices, each one call that a local encoder runs in length-sorted batches (one forward pass per
 * batch), and that a chat model answers text by text.
 */
import {
  classifyTexts,
  type ClassificationBatchCallOptions,
  type ClassificationModel,
} from '../../models/index.js';

/**
 * Texts per model call. Each call runs under the model chain's timeout as a whole, so a slice must
 * end well within it on a CPU (64 texts of a base-size encoder, zero-shot against a handful of
 * categories, take tens of seconds on two cores), while still holding enough texts of similar
 * length to batch with little padding.
 */
export const TEXTS_PER_MODEL_CALL = 64;

/** The best label and its score for each text, in the order of `options.texts`. */
export async function bestLabels(
  model: ClassificationModel,
  options: ClassificationBatchCallOptions,
): Promise<Array<{ label: string; score: number }>> {
  const best: Array<{ label: string; score: number }> = [];
  for (let start = 0; start < options.texts.length; start += TEXTS_PER_MODEL_CALL) {
    const texts = options.texts.slice(start, start + TEXTS_PER_MODEL_CALL);
    const results = await classifyTexts(model, { ...options, texts });
    for (const scores of results) {
      const top = scores[0];
      if (top === undefined) throw new Error(`The model ${model.modelId} returned no scores for a text.`);
      best.push({ label: top.label, score: top.score });
    }
  }
  return best;
}
