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
  createSeededRandom,
  OnnxGraphBuilder,
  TINY_BERT_OPSET,
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

const ONNX_INT8 = 3;
const ONNX_FLOAT = 1;

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
  const { hiddenSize, headCount } = shape;
  const headSize = hiddenSize / headCount;
  const random = createSeededRandom(shape.seed);
  const gaussian = (): number => {
    const uniform = Math.max(random(), Number.EPSILON);
    return Math.sqrt(-2 * Math.log(uniform)) * Math.cos(2 * Math.PI * random());
  };
  const graph = new OnnxGraphBuilder();
  const randomValues = (dims: number[]): Float32Array => {
    const count = dims.reduce((product, size) => product * size, 1);
    return Float32Array.from({ length: count }, () => gaussian() * shape.weightScale);
  };
  const randomWeight = (name: string, dims: number[]): string =>
    graph.floatTensor(name, dims, randomValues(dims));
  const filled = (name: string, dims: number[], value: number): string => {
    const count = dims.reduce((product, size) => product * size, 1);
    return graph.floatTensor(name, dims, new Float32Array(count).fill(value));
  };
  const layerNorm = (input: string, prefix: string): string =>
    graph.node(
      'LayerNormalization',
      [input, filled(`${prefix}.weight`, [hiddenSize], 1), filled(`${prefix}.bias`, [hiddenSize], 0)],
      { axis: -1, epsilon: 1e-12 },
    );
  const dense = (input: string, prefix: string, inputSize: number, outputSize: number): string =>
    graph.node('Add', [
      graph.node('MatMul', [input, randomWeight(`${prefix}.weight`, [inputSize, outputSize])]),
      randomWeight(`${prefix}.bias`, [outputSize]),
    ]);

  /**
   * Nodes and initialisers the writer's API cannot express: `DynamicQuantizeLinear` has three
   * outputs (the writer's `node` gives one) and the weights are int8 (the writer stores floats and
   * int64). Its lists are reached by element access, TypeScript's sanctioned way past `private`.
   */
  const rawNodes = graph['nodes'];
  const rawInitializers = graph['initializers'];
  /** onnxruntime's DynamicQuantizeLinear: uint8 activations, their scale and zero point, per call. */
  const dynamicQuantize = (input: string): { quantized: string; scale: string; zeroPoint: string } => {
    const [quantized, scale, zeroPoint] = ['quantized', 'scale', 'zero_point'].map((part) =>
      graph.uniqueName(`${input}_${part}`),
    ) as [string, string, string];
    rawNodes.push({
      input: [input],
      output: [quantized, scale, zeroPoint],
      name: graph.uniqueName('DynamicQuantizeLinear'),
      op_type: 'DynamicQuantizeLinear',
      attribute: [],
    });
    return { quantized, scale, zeroPoint };
  };
  /** One quantisation per activation, shared by every projection that reads it (as quantize_dynamic does). */
  const quantizedActivations = new Map<string, ReturnType<typeof dynamicQuantize>>();
  const quantizedDense = (input: string, prefix: string, inputSize: number, outputSize: number): string => {
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
    const weightName = `${prefix}.weight_quantized`;
    rawInitializers.push({
      name: weightName,
      dims: [inputSize, outputSize],
      data_type: ONNX_INT8,
      raw_data: new Uint8Array(quantized.buffer),
    });
    const weightZeroPoint = `${prefix}.weight_zero_point`;
    rawInitializers.push({
      name: weightZeroPoint,
      dims: [outputSize],
      data_type: ONNX_INT8,
      raw_data: new Uint8Array(outputSize),
    });
    let activation = quantizedActivations.get(input);
    if (activation === undefined) {
      activation = dynamicQuantize(input);
      quantizedActivations.set(input, activation);
    }
    const product = graph.node('MatMulInteger', [
      activation.quantized,
      weightName,
      activation.zeroPoint,
      weightZeroPoint,
    ]);
    const rescaled = graph.node('Mul', [
      graph.node('Cast', [product], { to: ONNX_FLOAT }),
      graph.node('Mul', [
        activation.scale,
        graph.floatTensor(`${prefix}.weight_scale`, [outputSize], columnScales),
      ]),
    ]);
    return graph.node('Add', [rescaled, randomWeight(`${prefix}.bias`, [outputSize])]);
  };

  const inputIds = graph.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
  const attentionMask = graph.input('attention_mask', 'int64', ['batch_size', 'sequence_length']);
  const tokenTypeIds = graph.input('token_type_ids', 'int64', ['batch_size', 'sequence_length']);
  const wordEmbeddings = graph.node('Gather', [
    randomWeight('embeddings.word_embeddings.weight', [shape.vocabularySize, hiddenSize]),
    inputIds,
  ]);
  const sequenceLength = graph.node('Shape', [inputIds], { start: 1, end: 2 });
  const positionEmbeddings = graph.node('Slice', [
    randomWeight('embeddings.position_embeddings.weight', [shape.maxPositions, hiddenSize]),
    graph.int64Tensor('constant.zero_vector', [1], [0]),
    sequenceLength,
    graph.int64Tensor('constant.axis_zero', [1], [0]),
  ]);
  const tokenTypeEmbeddings = graph.node('Gather', [
    randomWeight('embeddings.token_type_embeddings.weight', [shape.typeVocabularySize, hiddenSize]),
    tokenTypeIds,
  ]);
  let hidden = layerNorm(
    graph.node('Add', [graph.node('Add', [wordEmbeddings, positionEmbeddings]), tokenTypeEmbeddings]),
    'embeddings.LayerNorm',
  );
  const one = graph.floatTensor('constant.one', [], [1]);
  const maskAsFloat = graph.node('Cast', [attentionMask], { to: ONNX_FLOAT });
  const additiveMask = graph.node('Unsqueeze', [
    graph.node('Mul', [
      graph.node('Sub', [one, maskAsFloat]),
      graph.floatTensor('constant.mask_value', [], [-10000]),
    ]),
    graph.int64Tensor('constant.mask_axes', [2], [1, 2]),
  ]);
  const headsShape = graph.int64Tensor('constant.heads_shape', [4], [0, 0, headCount, headSize]);
  const mergedShape = graph.int64Tensor('constant.merged_shape', [3], [0, 0, hiddenSize]);
  const scale = graph.floatTensor('constant.attention_scale', [], [1 / Math.sqrt(headSize)]);
  const squareRootTwo = graph.floatTensor('constant.sqrt_two', [], [Math.SQRT2]);
  const half = graph.floatTensor('constant.half', [], [0.5]);

  for (let layer = 0; layer < shape.layerCount; layer += 1) {
    const prefix = `encoder.layer.${layer}`;
    const splitHeads = (projection: string, permutation: number[]): string =>
      graph.node('Transpose', [graph.node('Reshape', [projection, headsShape])], { perm: permutation });
    const query = splitHeads(
      quantizedDense(hidden, `${prefix}.attention.self.query`, hiddenSize, hiddenSize),
      [0, 2, 1, 3],
    );
    const key = splitHeads(
      quantizedDense(hidden, `${prefix}.attention.self.key`, hiddenSize, hiddenSize),
      [0, 2, 3, 1],
    );
    const value = splitHeads(
      quantizedDense(hidden, `${prefix}.attention.self.value`, hiddenSize, hiddenSize),
      [0, 2, 1, 3],
    );
    const scores = graph.node('Add', [
      graph.node('Mul', [graph.node('MatMul', [query, key]), scale]),
      additiveMask,
    ]);
    const probabilities = graph.node('Softmax', [scores], { axis: -1 });
    const context = graph.node('Reshape', [
      graph.node('Transpose', [graph.node('MatMul', [probabilities, value])], { perm: [0, 2, 1, 3] }),
      mergedShape,
    ]);
    const attentionOutput = quantizedDense(
      context,
      `${prefix}.attention.output.dense`,
      hiddenSize,
      hiddenSize,
    );
    hidden = layerNorm(graph.node('Add', [hidden, attentionOutput]), `${prefix}.attention.output.LayerNorm`);
    const intermediate = quantizedDense(
      hidden,
      `${prefix}.intermediate.dense`,
      hiddenSize,
      shape.intermediateSize,
    );
    const erf = graph.node('Erf', [graph.node('Div', [intermediate, squareRootTwo])]);
    const gelu = graph.node('Mul', [graph.node('Mul', [intermediate, half]), graph.node('Add', [erf, one])]);
    const feedForward = quantizedDense(gelu, `${prefix}.output.dense`, shape.intermediateSize, hiddenSize);
    hidden = layerNorm(graph.node('Add', [hidden, feedForward]), `${prefix}.output.LayerNorm`);
  }
  const labels = shape.labels ?? [];
  const firstToken = graph.node('Gather', [hidden, graph.int64Tensor('constant.first_index', [], [0])], {
    axis: 1,
  });
  const pooled = graph.node('Tanh', [dense(firstToken, 'pooler.dense', hiddenSize, hiddenSize)]);
  const logits = dense(pooled, 'classifier', hiddenSize, labels.length);
  graph.output('logits', logits, 'float', ['batch_size', labels.length]);
  return graph.encode({
    graphName: 'bert_base_quantized',
    opsetVersion: TINY_BERT_OPSET,
    docString: `seed ${shape.seed}, int8`,
  });
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
