import type { ClassificationBatchCallOptions, ClassificationModel, ClassificationScore } from '../types.js';

/**
 * Classifies many texts with one model: in batches where the model can (local encoders run a
 * batch as one forward pass), one call per text where it cannot (a chat model). Results are in
 * the order of `options.texts`, each the scores `doClassify` gives for that text, best first.
 */
export async function classifyTexts(
  model: ClassificationModel,
  options: ClassificationBatchCallOptions,
): Promise<ClassificationScore[][]> {
  if (options.texts.length === 0) return [];
  if (model.doClassifyBatch) {
    const { results } = await model.doClassifyBatch(options);
    return results;
  }
  const { texts, onProgress, ...settings } = options;
  const results: ClassificationScore[][] = [];
  for (const text of texts) {
    options.abortSignal?.throwIfAborted();
    results.push((await model.doClassify({ ...settings, text })).scores);
    onProgress?.(results.length);
  }
  return results;
}
