/**
 * The base-size encoder the tier-2 benchmark runs: BERT-base's shape (12 layers, hidden 768, 12
 * heads, feed-forward 3072, 512 positions) with a three-label sequence classification head and
 * random weights from a fixed seed, written with the repository's ONNX writer into a temporary
 * folder. Besides the fp32 `onnx/model.onnx`, it writes `onnx/model_quantized.onnx`: the same
 * weights quantised to int8 the way onnxruntime's `quantize_dynamic` does it (int8 weight
 * initialisers with a scale per output column, activations quantised to uint8 at run time by
 * `DynamicQuantizeLinear`, then `MatMulInteger`, `Cast` and the two scales multiplied in), which is
 * the file a Hugging Face repository ships for `dtype: 'q8'`; onnxruntime fuses that pattern into
 * its dynamic-quantisation kernels as it loads it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildTinyBertOnnx,
  type EncoderDense,
  ONNX_ELEMENT_TYPE,
  type TinyBertShape,
  writeTinyBertFolder,
} from '../test-support/onnx-writer.js';
import { buildTinyVocabulary } from '../test-support/tiny-onnx.js';

/** The labels of a Swedish three-class sentiment model (as KBLab's multiclass sentiment model names them). */
export const BASE_ENCODER_LABELS = ['NEGATIVE', 'NEUTRAL', 'POSITIVE'];

/** KB-BERT (KB/bert-base-swedish-cased) has 50,325 tokens; its other sizes are BERT-base's. */
export function baseEncoderShape(vocabularySize: number): TinyBertShape {
  return {
    vocabularySize,
    hiddenSize: 768,
    layerCount: 12,
    headCount: 12,
    intermediateSize: 3072,
    maxPositions: 512,
    typeVocabularySize: 2,
    weightScale: 0.02,
    seed: 7,
    labels: BASE_ENCODER_LABELS,
  };
}

/**
 * A WordPiece vocabulary of `size` tokens learnt from `texts` the simple way: the tiny test
 * vocabulary (every letter, so nothing becomes [UNK]), the most frequent word-inner pieces of two
 * to five letters, then words seen at least twice by frequency; `[unusedN]` fills the rest, as in
 * BERT's own vocabularies. Rare words split into pieces, so texts get realistic token counts.
 */
export function buildVocabulary(texts: readonly string[], size: number): string[] {
  const wordCounts = new Map<string, number>();
  const pieceCounts = new Map<string, number>();
  for (const text of texts) {
    for (const word of text.match(/[\p{L}\p{N}]+/gu) ?? []) {
      wordCounts.set(word, (wordCounts.get(word) ?? 0) + 1);
      for (let length = 2; length <= 5; length += 1) {
        for (let start = 1; start + length <= word.length; start += 1) {
          const piece = `##${word.slice(start, start + length)}`;
          pieceCounts.set(piece, (pieceCounts.get(piece) ?? 0) + 1);
        }
      }
    }
  }
  const byCount = (counts: Map<string, number>, minimum: number): string[] =>
    [...counts]
      .filter(([, count]) => count >= minimum)
      .sort((first, second) => second[1] - first[1] || (first[0] < second[0] ? -1 : 1))
      .map(([token]) => token);
  const tokens = new Set(buildTinyVocabulary());
  for (const piece of byCount(pieceCounts, 2).slice(0, Math.floor(size / 8))) tokens.add(piece);
  for (const word of byCount(wordCounts, 2)) {
    if (tokens.size >= size) break;
    tokens.add(word);
  }
  for (let unused = 0; tokens.size < size; unused += 1) tokens.add(`[unused${unused}]`);
  return [...tokens].slice(0, size);
}

/**
 * The same encoder as `buildTinyBertOnnx` (same weights: the random numbers are drawn in the same
 * order), with every weight matrix of the encoder layers quantised to int8. The pooler and the
 * three-label classifier stay fp32, as they are a rounding error of the work.
 */
export function buildQuantizedBertOnnx(shape: TinyBertShape): Uint8Array {
  return buildTinyBertOnnx(shape, {
    encoderDense: quantizedDense(),
    graphName: 'bert_base_quantized',
    docString: `seed ${shape.seed}, int8`,
  });
}

/**
 * A dense projection as quantize_dynamic writes it: int8 weights with a scale per output column,
 * the input quantised once by DynamicQuantizeLinear (shared by every projection that reads it),
 * MatMulInteger, then the product cast back and multiplied by both scales.
 */
function quantizedDense(): EncoderDense {
  const quantizedActivations = new Map<string, { quantized: string; scale: string; zeroPoint: string }>();
  return (graph, randomValues, input, prefix, inputSize, outputSize) => {
    const weights = randomValues([inputSize, outputSize]);
    // Per output column, symmetric: scale = max |w| / 127, zero point 0.
    const columnScales = new Float32Array(outputSize);
    for (let row = 0; row < inputSize; row += 1) {
      for (let column = 0; column < outputSize; column += 1) {
        const magnitude = Math.abs(weights[row * outputSize + column]!);
        if (magnitude > columnScales[column]!) columnScales[column] = magnitude;
      }
    }
    for (let column = 0; column < outputSize; column += 1)
      columnScales[column] = Math.max(columnScales[column]! / 127, 1e-12);
    const quantized = new Int8Array(weights.length);
    for (let index = 0; index < weights.length; index += 1)
      quantized[index] = Math.round(weights[index]! / columnScales[index % outputSize]!);
    const weightName = graph.int8Tensor(`${prefix}.weight_quantized`, [inputSize, outputSize], quantized);
    const weightZeroPoint = graph.int8Tensor(
      `${prefix}.weight_zero_point`,
      [outputSize],
      new Int8Array(outputSize),
    );
    let activation = quantizedActivations.get(input);
    if (activation === undefined) {
      const [quantizedInput, scale, zeroPoint] = ['quantized', 'scale', 'zero_point'].map((part) =>
        graph.uniqueName(`${input}_${part}`),
      ) as [string, string, string];
      graph.nodeWithOutputs(
        'DynamicQuantizeLinear',
        [input],
        [quantizedInput, scale, zeroPoint],
        graph.uniqueName('DynamicQuantizeLinear'),
      );
      activation = { quantized: quantizedInput, scale, zeroPoint };
      quantizedActivations.set(input, activation);
    }
    const product = graph.node('MatMulInteger', [
      activation.quantized,
      weightName,
      activation.zeroPoint,
      weightZeroPoint,
    ]);
    const rescaled = graph.node('Mul', [
      graph.node('Cast', [product], { to: ONNX_ELEMENT_TYPE.float }),
      graph.node('Mul', [
        activation.scale,
        graph.floatTensor(`${prefix}.weight_scale`, [outputSize], columnScales),
      ]),
    ]);
    const bias = `${prefix}.bias`;
    return graph.node('Add', [rescaled, graph.floatTensor(bias, [outputSize], randomValues([outputSize]))]);
  };
}

/** Hash of the generators and the vocabulary: a changed generator or text set writes the folder anew. */
function folderStamp(vocabulary: readonly string[]): string {
  const hash = createHash('sha256');
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const file of ['insights-encoder-model.ts', '../test-support/onnx-writer.ts']) {
    const source = path.join(here, file);
    hash.update(existsSync(source) ? readFileSync(source) : file);
  }
  hash.update(vocabulary.join('\n'));
  return hash.digest('hex').slice(0, 16);
}

/**
 * Writes (or finds, from an earlier run with the same generator) the base-size model folder in the
 * system's temporary folder and returns its path and whether it was generated now.
 */
export function ensureBaseEncoderFolder(vocabulary: readonly string[]): {
  folder: string;
  generatedMs: number;
} {
  const stamp = folderStamp(vocabulary);
  const folder = path.join(tmpdir(), `polett-bench-bert-base-${stamp}`);
  const stampFile = path.join(folder, 'polett-generator.txt');
  if (existsSync(stampFile) && existsSync(path.join(folder, 'onnx', 'model_quantized.onnx')))
    return { folder, generatedMs: 0 };
  const startedAt = Date.now();
  const temporary = `${folder}.${process.pid}.tmp`;
  rmSync(temporary, { recursive: true, force: true });
  const shape = baseEncoderShape(vocabulary.length);
  writeTinyBertFolder(temporary, { shape, vocabulary });
  writeFileSync(path.join(temporary, 'onnx', 'model_quantized.onnx'), buildQuantizedBertOnnx(shape));
  writeFileSync(stampFile.replace(folder, temporary), `${stamp}\n`);
  rmSync(folder, { recursive: true, force: true });
  renameSync(temporary, folder);
  return { folder, generatedMs: Date.now() - startedAt };
}
