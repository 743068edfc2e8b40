import type { LocalizedText } from '../errors.js';
import type { ModelTask } from './types.js';

/** What to do when a task has no usable model: one sentence per language, for health and doctor. */
export function taskHint(task: ModelTask): LocalizedText {
  const examples: Record<ModelTask, string> = {
    chat: 'polett models pull bartowski/Qwen2.5-0.5B-Instruct-GGUF/Qwen2.5-0.5B-Instruct-Q4_K_M.gguf',
    embed: 'polett models pull Xenova/multilingual-e5-small',
    rerank: 'polett models pull gpustack/bge-reranker-v2-m3-GGUF/bge-reranker-v2-m3-Q4_K_M.gguf',
    classify: 'polett models pull Xenova/mDeBERTa-v3-base-xnli-multilingual-nli-2mil7',
  };
  return {
    sv: `Ingen modell för "${task}": hämta en lokal (till exempel \`${examples[task]}\`, se \`polett models catalogue\`) eller ange en fjärrleverantör under tasks.${task} i polett.json.`,
    en: `No model for "${task}": pull a local one (for example \`${examples[task]}\`, see \`polett models catalogue\`) or set a remote provider under tasks.${task} in polett.json.`,
  };
}
