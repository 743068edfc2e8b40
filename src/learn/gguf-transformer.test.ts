/**
 * The TypeScript forward pass against llama.cpp (through node-llama-cpp) on the same generated
 * files: llama, qwen2 and qwen3, f32, f16 and q8_0 tensors, tied and separate output projections.
 *
 * Tolerance, on log-probabilities of every vocabulary entry at every position:
 * - f32 and f16 weights: 0.05. llama.cpp keeps its key/value cache in f16 (and, for f16 weights,
 *   rounds the activations to f16 before each product), which moves log-probabilities by ~0.01.
 * - q8_0 weights: 0.5. llama.cpp also quantises the activations to q8_0 before each product with
 *   a q8_0 matrix; the forward pass here keeps them in float32.
 * A RoPE applied in the other mode (normal and neox swapped) moves them by more than 5.
 * The matrix products run on the WebAssembly SIMD kernel; one test compares it with the plain loops.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  LEARN_TEST_MODELS,
  llamaCppProbabilities,
  writeLearnTestModel,
} from '../../test-support/tiny-gguf-qwen2.js';
import { isPolettError } from '../errors.js';
import {
  GgufTransformer,
  MAX_TRANSFORMER_PARAMETERS,
  softmax,
  topTokens,
  transformerProblem,
} from './gguf-transformer.js';

const directory = mkdtempSync(path.join(tmpdir(), 'polett-learn-forward-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

// The UTF-8 bytes as ids: tokens of the byte-level vocabulary, and valid (if other) ids of the
// r50k one, whose first 256 entries are single bytes too.
const TOKENS = Array.from(Buffer.from('Hej! Vi säljer smörgåsar på Kungsgatan.'));

describe('GgufTransformer against llama.cpp', () => {
  for (const model of LEARN_TEST_MODELS) {
    it(`agrees on ${model.file} (${model.architecture}, ${model.weightType})`, async () => {
      const file = writeLearnTestModel(directory, model);
      const transformer = await GgufTransformer.load(file);
      expect(transformer.shape.architecture).toBe(model.architecture);
      expect(transformer.shape.tiedEmbeddings).toBe(model.tieEmbeddings);
      const result = transformer.forward(TOKENS, { logitsForEveryPosition: true });
      const reference = await llamaCppProbabilities(file, TOKENS);
      const vocabularySize = transformer.shape.vocabularySize;
      const tolerance = model.weightType === 'q8_0' ? 0.5 : 0.05;

      let largestDifference = 0;
      let sameMostLikely = 0;
      for (let position = 0; position < TOKENS.length; position += 1) {
        const ours = softmax(
          result.logitsPerPosition!.subarray(position * vocabularySize, (position + 1) * vocabularySize),
        );
        const theirs = reference[position]!;
        for (let token = 0; token < vocabularySize; token += 1) {
          const difference = Math.abs(Math.log(ours[token]!) - Math.log(theirs[token]!));
          largestDifference = Math.max(largestDifference, difference);
        }
        if (topTokens(ours, 1)[0]!.tokenId === topTokens(theirs, 1)[0]!.tokenId) sameMostLikely += 1;
      }
      expect(largestDifference).toBeLessThan(tolerance);
      expect(sameMostLikely / TOKENS.length).toBeGreaterThan(0.9);

      // The last position's logits are the ones the page shows.
      const lastOnly = transformer.forward(TOKENS);
      expect(Array.from(lastOnly.logits.subarray(0, 16))).toEqual(Array.from(result.logits.subarray(0, 16)));
      // The server's variant, which yields to the event loop between layers, computes the same.
      const yielded = await transformer.forwardYielding(TOKENS);
      expect(Array.from(yielded.logits)).toEqual(Array.from(lastOnly.logits));

      // Every layer and head: each row is a probability distribution over the tokens so far.
      expect(result.attention).toHaveLength(2);
      for (const layer of result.attention) {
        expect(layer).toHaveLength(4);
        for (const weights of layer) {
          for (let row = 0; row < TOKENS.length; row += 1) {
            let sum = 0;
            for (let column = 0; column < TOKENS.length; column += 1) {
              const weight = weights[row * TOKENS.length + column]!;
              if (column > row) expect(weight).toBe(0);
              else expect(weight).toBeGreaterThan(0);
              sum += weight;
            }
            expect(sum).toBeCloseTo(1, 5);
          }
        }
      }
      // Random weights at this scale make attention far from uniform: the test sees real mixing.
      const lastRow = result.attention[1]![0]!.subarray((TOKENS.length - 1) * TOKENS.length);
      expect(Math.max(...lastRow)).toBeGreaterThan(2 / TOKENS.length);
    });
  }

  it('computes the same with the WebAssembly SIMD kernel as with the plain loops', async () => {
    // The q8_0 BPE model: an odd vocabulary (an odd last row) and 43 tokens (a padded chunk).
    const file = writeLearnTestModel(directory, LEARN_TEST_MODELS[2]!);
    const accelerated = await GgufTransformer.load(file);
    const plain = await GgufTransformer.load(file, { simd: false });
    expect(accelerated.usesSimd).toBe(true);
    expect(plain.usesSimd).toBe(false);
    const fast = accelerated.forward(TOKENS, { logitsForEveryPosition: true });
    const slow = plain.forward(TOKENS, { logitsForEveryPosition: true });
    let largest = 0;
    for (let index = 0; index < slow.logitsPerPosition!.length; index += 1) {
      largest = Math.max(
        largest,
        Math.abs(fast.logitsPerPosition![index]! - slow.logitsPerPosition![index]!),
      );
    }
    expect(largest).toBeLessThan(1e-4);
    const single = accelerated.forward(TOKENS.slice(0, 1));
    expect(Math.abs(single.logits[7]! - plain.forward(TOKENS.slice(0, 1)).logits[7]!)).toBeLessThan(1e-5);
  });

  it('refuses a token id outside the vocabulary', async () => {
    const file = writeLearnTestModel(directory, LEARN_TEST_MODELS[0]!);
    const transformer = await GgufTransformer.load(file);
    expect(() => transformer.forward([1, 99_999])).toThrow(/outside the vocabulary/);
  });

  // Any reader may ask for the attention of any local model: a large one must be refused from its
  // header, before gigabytes of weights are decoded (the generated files are small, so the limit
  // is lowered here to one below their size).
  it('refuses a model over the parameter limit from its header, and loads one under it', async () => {
    const file = writeLearnTestModel(directory, LEARN_TEST_MODELS[0]!);
    expect(await transformerProblem(file)).toBeUndefined();
    expect(MAX_TRANSFORMER_PARAMETERS).toBeGreaterThanOrEqual(500_000_000);
    const problem = await transformerProblem(file, { maxParameters: 1_000 });
    expect(isPolettError(problem) && problem.code).toBe('learn_model_too_large');
    expect(problem!.localized.sv).toMatch(/^Modellen har \d+ miljoner parametrar; .*SmolLM2-135M\.$/);
    const refused = await GgufTransformer.load(file, { maxParameters: 1_000 }).catch(
      (error: unknown) => error,
    );
    expect(isPolettError(refused) && refused.code).toBe('learn_model_too_large');
  });
});
