/** Vitest global setup: generate the tiny models once, before any test file runs. */
import { mkdirSync } from 'node:fs';
import { TEST_MODELS_DIR } from './paths.js';
import { ensureTinyGgufModels } from './tiny-gguf.js';
import { ensureTinyOnnxModels } from './tiny-onnx.js';

export default async function setup(): Promise<void> {
  mkdirSync(TEST_MODELS_DIR, { recursive: true });
  await ensureTinyGgufModels(TEST_MODELS_DIR);
  await ensureTinyOnnxModels(TEST_MODELS_DIR);
}
