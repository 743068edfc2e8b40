/**
 * A compact forward pass of a decoder-only transformer (the llama, qwen2 and qwen3 families as
 * llama.cpp stores them in GGUF), written out in TypeScript so that every intermediate, above
 * all the attention weights of every layer and head, can be shown. It is not a runtime for
 * generation: one pass over at most a few hundred tokens, float32 throughout.
 *
 * The conventions follow llama.cpp, since its files are what Polett reads:
 * - RMSNorm: x / sqrt(mean(x²) + ε) · weight.
 * - RoPE: `llama` uses ggml's "normal" mode (pairs of neighbouring dimensions) because the GGUF
 *   converter permutes the Q and K rows of Hugging Face llama checkpoints into that order;
 *   `qwen2`/`qwen3` are stored unpermuted and use the "neox" mode (dimension i with i + n/2).
 * - Grouped-query attention: query head h reads key/value head ⌊h / (heads / kvHeads)⌋.
 * - SwiGLU feed-forward: down(silu(gate(x)) · up(x)).
 * - qwen2 adds biases to Q, K and V; qwen3 normalises each Q and K head (RMSNorm) before RoPE.
 * - Without `output.weight` the token embedding is reused as the output projection (tied).
 */
import { PolettError } from '../errors.js';
import {
  GgufTensorReader,
  isDecodableType,
  readGgufModelFile,
  unsupportedTensorTypeError,
  type GgufModelFile,
} from './gguf-tensors.js';
import { createSimdMatmul, WasmArena, type SimdMatmul } from './simd-matmul.js';

export const SUPPORTED_ARCHITECTURES = ['llama', 'qwen2', 'qwen3'] as const;
export type TransformerArchitecture = (typeof SUPPORTED_ARCHITECTURES)[number];

export interface TransformerShape {
  architecture: TransformerArchitecture;
  layerCount: number;
  embeddingLength: number;
  headCount: number;
  keyValueHeadCount: number;
  headDimension: number;
  feedForwardLength: number;
  vocabularySize: number;
  contextLength: number;
  rmsEpsilon: number;
  ropeDimensions: number;
  ropeFrequencyBase: number;
  /** True when the output projection is the token embedding. */
  tiedEmbeddings: boolean;
}

/** A matrix in ggml's layout: `rows` outputs, each a contiguous run of `columns` inputs. */
interface Matrix {
  values: Float32Array;
  rows: number;
  columns: number;
  /** Byte offset of `values` in the WebAssembly memory, when the SIMD kernel can read it. */
  offset?: number;
}

/** The SIMD kernel with its memory's two scratch areas (tokens in, results out). */
interface Accelerator {
  kernel: SimdMatmul;
  input: { values: Float32Array; offset: number };
  output: { values: Float32Array; offset: number };
}

/** Floats in each scratch area: 8 MB, room for 12 tokens' logits over a 150k vocabulary. */
const SCRATCH_FLOATS = 1 << 21;

interface LayerWeights {
  attentionNorm: Float32Array;
  query: Matrix;
  key: Matrix;
  value: Matrix;
  queryBias?: Float32Array;
  keyBias?: Float32Array;
  valueBias?: Float32Array;
  queryNorm?: Float32Array;
  keyNorm?: Float32Array;
  attentionOutput: Matrix;
  feedForwardNorm: Float32Array;
  gate: Matrix;
  up: Matrix;
  down: Matrix;
}

export interface ForwardOptions {
  /** Also compute the logits of every position, not only the last (costs one vocabulary projection per token). */
  logitsForEveryPosition?: boolean;
  /** Skip storing attention weights (for timing the bare computation). Default true. */
  keepAttention?: boolean;
}

export interface ForwardResult {
  tokenCount: number;
  /** Logits after the last token: the scores of every vocabulary entry to come next. */
  logits: Float32Array;
  /** With `logitsForEveryPosition`: `tokenCount × vocabularySize`, row per position. */
  logitsPerPosition?: Float32Array;
  /**
   * `attention[layer][head]` is a `tokenCount × tokenCount` row-major matrix: row i holds how much
   * token i attends to each token j ≤ i (the row sums to 1); entries above the diagonal are 0.
   */
  attention: Float32Array[][];
}

function metadataNumber(tree: Record<string, unknown>, path: string): number | undefined {
  let node: unknown = tree;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'number' ? node : typeof node === 'bigint' ? Number(node) : undefined;
}

function metadataString(tree: Record<string, unknown>, path: string): string | undefined {
  let node: unknown = tree;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'string' ? node : undefined;
}

function malformedModelError(filePath: string, detail: string): PolettError {
  return new PolettError({
    code: 'learn_model_malformed',
    status: 422,
    message: {
      sv: `Modellfilen ${filePath} går inte att köra på Lär-sidan: ${detail}. Välj en annan modell.`,
      en: `The model file ${filePath} cannot be run on the Learn page: ${detail}. Choose another model.`,
    },
  });
}

/**
 * The largest model the forward pass loads, in parameters. Decoded to float32 that is 4 GB, what
 * one WebAssembly memory holds, and a pass over 64 tokens still takes seconds, not minutes; a 7B
 * chat model in q8_0 would need 28 GB and take the server down with it.
 */
export const MAX_TRANSFORMER_PARAMETERS = 1_000_000_000;

function parameterCount(file: GgufModelFile): number {
  let count = 0;
  for (const entry of file.tensors.values())
    count += entry.dimensions.reduce((product, dimension) => product * dimension, 1);
  return count;
}

/** The error for a model over `maxParameters`, before any weight is read. */
function tooLargeProblem(file: GgufModelFile, maxParameters: number): PolettError | undefined {
  const millions = (count: number, locale: string) => Math.round(count / 1e6).toLocaleString(locale);
  const count = parameterCount(file);
  if (count <= maxParameters) return undefined;
  return new PolettError({
    code: 'learn_model_too_large',
    status: 422,
    message: {
      sv: `Modellen har ${millions(count, 'sv-SE')} miljoner parametrar; Lär-sidan visar uppmärksamheten i modeller med högst ${millions(maxParameters, 'sv-SE')} miljoner. Välj en liten modell, till exempel SmolLM2-135M.`,
      en: `The model has ${millions(count, 'en-GB')} million parameters; the Learn page shows the attention of models with at most ${millions(maxParameters, 'en-GB')} million. Choose a small model, for example SmolLM2-135M.`,
    },
  });
}

/** Reads the shape from the metadata; throws a clear error for an architecture it cannot run. */
export function transformerShapeOf(file: GgufModelFile): TransformerShape {
  const { metadata, filePath } = file;
  const architecture = metadataString(metadata, 'general.architecture') ?? '';
  if (!(SUPPORTED_ARCHITECTURES as readonly string[]).includes(architecture)) {
    throw new PolettError({
      code: 'learn_architecture_unsupported',
      status: 422,
      message: {
        sv: `Modellen har arkitekturen "${architecture}"; Lär-sidans transformer kör ${SUPPORTED_ARCHITECTURES.join(', ')}. Hämta till exempel SmolLM2-135M (llama) eller en Qwen-modell.`,
        en: `The model's architecture is "${architecture}"; the Learn page's transformer runs ${SUPPORTED_ARCHITECTURES.join(', ')}. Pull, for example, SmolLM2-135M (llama) or a Qwen model.`,
      },
    });
  }
  const required = (key: string): number => {
    const value = metadataNumber(metadata, `${architecture}.${key}`);
    if (value === undefined) throw malformedModelError(filePath, `${architecture}.${key} is missing`);
    return value;
  };
  const embeddingLength = required('embedding_length');
  const headCount = required('attention.head_count');
  const headDimension =
    metadataNumber(metadata, `${architecture}.attention.key_length`) ?? embeddingLength / headCount;
  const embedding = file.tensors.get('token_embd.weight');
  if (embedding === undefined) throw malformedModelError(filePath, 'token_embd.weight is missing');
  return {
    architecture: architecture as TransformerArchitecture,
    layerCount: required('block_count'),
    embeddingLength,
    headCount,
    keyValueHeadCount: metadataNumber(metadata, `${architecture}.attention.head_count_kv`) ?? headCount,
    headDimension,
    feedForwardLength: required('feed_forward_length'),
    vocabularySize: embedding.dimensions[1] ?? 0,
    contextLength: required('context_length'),
    rmsEpsilon: metadataNumber(metadata, `${architecture}.attention.layer_norm_rms_epsilon`) ?? 1e-6,
    ropeDimensions: metadataNumber(metadata, `${architecture}.rope.dimension_count`) ?? headDimension,
    ropeFrequencyBase: metadataNumber(metadata, `${architecture}.rope.freq_base`) ?? 10_000,
    tiedEmbeddings: !file.tensors.has('output.weight'),
  };
}

/**
 * Whether the forward pass can run a GGUF file, from its header alone (no weights read): the
 * architecture and every tensor's encoding. Resolves to the reason when it cannot.
 */
export async function transformerProblem(
  filePath: string,
  options: { maxParameters?: number } = {},
): Promise<PolettError | undefined> {
  try {
    const file = await readGgufModelFile(filePath);
    transformerShapeOf(file);
    const tooLarge = tooLargeProblem(file, options.maxParameters ?? MAX_TRANSFORMER_PARAMETERS);
    if (tooLarge) return tooLarge;
    for (const entry of file.tensors.values()) {
      if (!isDecodableType(entry.ggmlType)) return unsupportedTensorTypeError(entry);
    }
    return undefined;
  } catch (error) {
    if (error instanceof PolettError) return error;
    throw error;
  }
}

/**
 * `output[t, r] = Σ_c matrix[r, c] · input[t, c]` for every token t. Blocked four tokens by two
 * weight rows: each loaded weight serves four tokens and each loaded input value two rows, and
 * the eight running sums plus six operands still fit in the CPU's sixteen vector registers
 * (a larger block spills them and runs slower). About 2.5× the plain token-by-token loop in V8.
 */
export function multiplyByTransposed(
  input: Float32Array,
  tokenCount: number,
  matrix: Matrix,
  output: Float32Array,
): void {
  const { values, columns, rows } = matrix;
  let token = 0;
  for (; token + 4 <= tokenCount; token += 4) {
    const in0 = token * columns;
    const in1 = in0 + columns;
    const in2 = in1 + columns;
    const in3 = in2 + columns;
    const out0 = token * rows;
    const out1 = out0 + rows;
    const out2 = out1 + rows;
    const out3 = out2 + rows;
    let row = 0;
    for (; row + 2 <= rows; row += 2) {
      const rowA = row * columns;
      const rowB = rowA + columns;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let b0 = 0;
      let b1 = 0;
      let b2 = 0;
      let b3 = 0;
      for (let column = 0; column < columns; column += 1) {
        const weightA = values[rowA + column]!;
        const weightB = values[rowB + column]!;
        const x0 = input[in0 + column]!;
        const x1 = input[in1 + column]!;
        const x2 = input[in2 + column]!;
        const x3 = input[in3 + column]!;
        a0 += weightA * x0;
        a1 += weightA * x1;
        a2 += weightA * x2;
        a3 += weightA * x3;
        b0 += weightB * x0;
        b1 += weightB * x1;
        b2 += weightB * x2;
        b3 += weightB * x3;
      }
      output[out0 + row] = a0;
      output[out1 + row] = a1;
      output[out2 + row] = a2;
      output[out3 + row] = a3;
      output[out0 + row + 1] = b0;
      output[out1 + row + 1] = b1;
      output[out2 + row + 1] = b2;
      output[out3 + row + 1] = b3;
    }
    for (; row < rows; row += 1) {
      const rowOffset = row * columns;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let column = 0; column < columns; column += 1) {
        const weight = values[rowOffset + column]!;
        a0 += weight * input[in0 + column]!;
        a1 += weight * input[in1 + column]!;
        a2 += weight * input[in2 + column]!;
        a3 += weight * input[in3 + column]!;
      }
      output[out0 + row] = a0;
      output[out1 + row] = a1;
      output[out2 + row] = a2;
      output[out3 + row] = a3;
    }
  }
  for (; token < tokenCount; token += 1) {
    const inputOffset = token * columns;
    for (let row = 0; row < rows; row += 1) {
      const rowOffset = row * columns;
      let sum = 0;
      for (let column = 0; column < columns; column += 1) {
        sum += values[rowOffset + column]! * input[inputOffset + column]!;
      }
      output[token * rows + row] = sum;
    }
  }
}

/** RMSNorm of each `width`-long row, in place into `output`. */
function rmsNormalise(
  input: Float32Array,
  rowCount: number,
  width: number,
  weight: Float32Array,
  epsilon: number,
  output: Float32Array,
): void {
  for (let row = 0; row < rowCount; row += 1) {
    const offset = row * width;
    let squares = 0;
    for (let index = 0; index < width; index += 1) {
      const value = input[offset + index]!;
      squares += value * value;
    }
    const scale = 1 / Math.sqrt(squares / width + epsilon);
    for (let index = 0; index < width; index += 1) {
      output[offset + index] = input[offset + index]! * scale * weight[index]!;
    }
  }
}

function addBias(values: Float32Array, rowCount: number, bias: Float32Array): void {
  const width = bias.length;
  for (let row = 0; row < rowCount; row += 1) {
    const offset = row * width;
    for (let index = 0; index < width; index += 1) values[offset + index]! += bias[index]!;
  }
}

/**
 * Causal self-attention of one head: for each token, softmax(q·k / √d) over itself and the tokens
 * before it, then the weighted sum of their values added into `mixed`. Kept out of the generator
 * that drives the layers: V8 optimises a plain function's loops, not a generator's (no on-stack
 * replacement inside generators), and this is the pass's second-hottest loop.
 */
function attendOneHead(work: {
  queries: Float32Array;
  keys: Float32Array;
  values: Float32Array;
  mixed: Float32Array;
  scores: Float32Array;
  weights: Float32Array | undefined;
  tokenCount: number;
  queryOffset: number;
  queryWidth: number;
  keyValueOffset: number;
  keyValueWidth: number;
  headDimension: number;
  scale: number;
}): void {
  const { queries, keys, values, mixed, scores, weights, tokenCount, queryWidth, keyValueWidth } = work;
  const { queryOffset: headOffset, keyValueOffset, headDimension, scale } = work;
  for (let row = 0; row < tokenCount; row += 1) {
    const queryOffset = row * queryWidth + headOffset;
    let maximum = -Infinity;
    // Causal: token `row` sees itself and the tokens before it, never later ones.
    for (let column = 0; column <= row; column += 1) {
      const keyOffset = column * keyValueWidth + keyValueOffset;
      let dot = 0;
      for (let index = 0; index < headDimension; index += 1) {
        dot += queries[queryOffset + index]! * keys[keyOffset + index]!;
      }
      const score = dot * scale;
      scores[column] = score;
      if (score > maximum) maximum = score;
    }
    let total = 0;
    for (let column = 0; column <= row; column += 1) {
      const exponential = Math.exp(scores[column]! - maximum);
      scores[column] = exponential;
      total += exponential;
    }
    const outputOffset = row * queryWidth + headOffset;
    for (let column = 0; column <= row; column += 1) {
      const weight = scores[column]! / total;
      if (weights) weights[row * tokenCount + column] = weight;
      const valueOffset = column * keyValueWidth + keyValueOffset;
      for (let index = 0; index < headDimension; index += 1) {
        mixed[outputOffset + index]! += weight * values[valueOffset + index]!;
      }
    }
  }
}

/** `target += addend`, element by element (the residual connection). */
function addInPlace(target: Float32Array, addend: Float32Array): void {
  for (let index = 0; index < target.length; index += 1) target[index]! += addend[index]!;
}

/** SwiGLU's gate: `gate = silu(gate) · up`, with silu(g) = g / (1 + e^-g). */
function swiGlu(gate: Float32Array, up: Float32Array): void {
  for (let index = 0; index < gate.length; index += 1) {
    const value = gate[index]!;
    gate[index] = (value / (1 + Math.exp(-value))) * up[index]!;
  }
}

export class GgufTransformer {
  private constructor(
    readonly filePath: string,
    readonly shape: TransformerShape,
    private readonly tokenEmbedding: Matrix,
    private readonly outputNorm: Float32Array,
    private readonly output: Matrix,
    private readonly layers: LayerWeights[],
    /** llama 3's per-dimension RoPE frequency divisors (`rope_freqs.weight`), when present. */
    private readonly ropeFrequencyFactors: Float32Array | undefined,
    private readonly accelerator: Accelerator | undefined,
  ) {}

  /** Whether the matrix products run on the WebAssembly SIMD kernel (else plain JavaScript). */
  get usesSimd(): boolean {
    return this.accelerator !== undefined;
  }

  /**
   * `multiplyByTransposed` on the SIMD kernel: tokens are copied into the scratch area in chunks
   * of a multiple of four (the last padded with zeros), the kernel takes rows in pairs, and an odd
   * last row is done here.
   */
  private multiply(input: Float32Array, tokenCount: number, matrix: Matrix, output: Float32Array): void {
    const accelerator = this.accelerator;
    const { rows, columns, offset } = matrix;
    const chunk = Math.min(Math.floor(SCRATCH_FLOATS / columns), Math.floor(SCRATCH_FLOATS / rows)) & ~3;
    if (accelerator === undefined || offset === undefined || columns % 4 !== 0 || chunk < 4) {
      multiplyByTransposed(input, tokenCount, matrix, output);
      return;
    }
    const evenRows = rows & ~1;
    const scratchIn = accelerator.input.values;
    const scratchOut = accelerator.output.values;
    for (let token = 0; token < tokenCount;) {
      const real = Math.min(chunk, tokenCount - token);
      const padded = (real + 3) & ~3;
      scratchIn.set(input.subarray(token * columns, (token + real) * columns));
      scratchIn.fill(0, real * columns, padded * columns);
      accelerator.kernel(
        accelerator.input.offset,
        accelerator.output.offset,
        offset,
        padded,
        evenRows,
        columns,
      );
      if (evenRows === rows) {
        output.set(scratchOut.subarray(0, real * rows), token * rows);
      } else {
        const lastRow = (rows - 1) * columns;
        for (let index = 0; index < real; index += 1) {
          output.set(scratchOut.subarray(index * evenRows, (index + 1) * evenRows), (token + index) * rows);
          const inputOffset = (token + index) * columns;
          let sum = 0;
          for (let column = 0; column < columns; column += 1) {
            sum += matrix.values[lastRow + column]! * input[inputOffset + column]!;
          }
          output[(token + index) * rows + rows - 1] = sum;
        }
      }
      token += real;
    }
  }

  /**
   * Reads a GGUF file and decodes its weights into memory (float32: four bytes a parameter).
   * `simd: false` keeps the plain JavaScript loops (for comparing the two).
   */
  static async load(
    filePath: string,
    options: { simd?: boolean; maxParameters?: number } = {},
  ): Promise<GgufTransformer> {
    const file = await readGgufModelFile(filePath);
    const shape = transformerShapeOf(file);
    const tooLarge = tooLargeProblem(file, options.maxParameters ?? MAX_TRANSFORMER_PARAMETERS);
    if (tooLarge) throw tooLarge;
    const reader = new GgufTensorReader(file);
    try {
      // Every matrix goes into one WebAssembly memory where the SIMD kernel reads it; without
      // WebAssembly SIMD, or past wasm32's 4 GiB, the matrices stay plain arrays for the JS loops.
      const matrixNames = ['token_embd.weight', ...(shape.tiedEmbeddings ? [] : ['output.weight'])];
      for (let layer = 0; layer < shape.layerCount; layer += 1) {
        for (const name of ['attn_q', 'attn_k', 'attn_v', 'attn_output', 'ffn_gate', 'ffn_up', 'ffn_down']) {
          matrixNames.push(`blk.${layer}.${name}.weight`);
        }
      }
      const matrixFloats = matrixNames.reduce((sum, name) => sum + (reader.elementCount(name) ?? 0), 0);
      const arena =
        options.simd === false ? undefined : WasmArena.create(matrixFloats + 2 * SCRATCH_FLOATS + 64);
      const kernel = arena ? createSimdMatmul(arena.memory) : undefined;
      const accelerator: Accelerator | undefined =
        arena && kernel
          ? { kernel, input: arena.allocate(SCRATCH_FLOATS), output: arena.allocate(SCRATCH_FLOATS) }
          : undefined;

      const matrix = (name: string, rows: number, columns: number): Matrix => {
        const region = accelerator ? arena!.allocate(reader.elementCount(name) ?? 0) : undefined;
        const { values, dimensions } = reader.read(name, region?.values);
        if (dimensions[0] !== columns || dimensions[1] !== rows) {
          throw malformedModelError(
            filePath,
            `${name} has dimensions [${dimensions.join(', ')}], expected [${columns}, ${rows}]`,
          );
        }
        return region ? { values, rows, columns, offset: region.offset } : { values, rows, columns };
      };
      const vector = (name: string, length: number): Float32Array => {
        const { values } = reader.read(name);
        if (values.length !== length) {
          throw malformedModelError(filePath, `${name} has ${values.length} values, expected ${length}`);
        }
        return values;
      };
      const optionalVector = (name: string, length: number): Float32Array | undefined =>
        reader.has(name) ? vector(name, length) : undefined;

      const { embeddingLength, headCount, keyValueHeadCount, headDimension, feedForwardLength } = shape;
      const queryWidth = headCount * headDimension;
      const keyValueWidth = keyValueHeadCount * headDimension;
      const tokenEmbedding = matrix('token_embd.weight', shape.vocabularySize, embeddingLength);
      const output = shape.tiedEmbeddings
        ? tokenEmbedding
        : matrix('output.weight', shape.vocabularySize, embeddingLength);
      const layers: LayerWeights[] = [];
      for (let layer = 0; layer < shape.layerCount; layer += 1) {
        const prefix = `blk.${layer}`;
        const weights: LayerWeights = {
          attentionNorm: vector(`${prefix}.attn_norm.weight`, embeddingLength),
          query: matrix(`${prefix}.attn_q.weight`, queryWidth, embeddingLength),
          key: matrix(`${prefix}.attn_k.weight`, keyValueWidth, embeddingLength),
          value: matrix(`${prefix}.attn_v.weight`, keyValueWidth, embeddingLength),
          attentionOutput: matrix(`${prefix}.attn_output.weight`, embeddingLength, queryWidth),
          feedForwardNorm: vector(`${prefix}.ffn_norm.weight`, embeddingLength),
          gate: matrix(`${prefix}.ffn_gate.weight`, feedForwardLength, embeddingLength),
          up: matrix(`${prefix}.ffn_up.weight`, feedForwardLength, embeddingLength),
          down: matrix(`${prefix}.ffn_down.weight`, embeddingLength, feedForwardLength),
        };
        const queryBias = optionalVector(`${prefix}.attn_q.bias`, queryWidth);
        const keyBias = optionalVector(`${prefix}.attn_k.bias`, keyValueWidth);
        const valueBias = optionalVector(`${prefix}.attn_v.bias`, keyValueWidth);
        const queryNorm = optionalVector(`${prefix}.attn_q_norm.weight`, headDimension);
        const keyNorm = optionalVector(`${prefix}.attn_k_norm.weight`, headDimension);
        if (queryBias) weights.queryBias = queryBias;
        if (keyBias) weights.keyBias = keyBias;
        if (valueBias) weights.valueBias = valueBias;
        if (queryNorm) weights.queryNorm = queryNorm;
        if (keyNorm) weights.keyNorm = keyNorm;
        layers.push(weights);
        // Decoding a layer takes tens of milliseconds: let a server answer other requests between.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const ropeFrequencyFactors = optionalVector('rope_freqs.weight', shape.ropeDimensions / 2);
      return new GgufTransformer(
        filePath,
        shape,
        tokenEmbedding,
        vector('output_norm.weight', embeddingLength),
        output,
        layers,
        ropeFrequencyFactors,
        accelerator,
      );
    } finally {
      reader.close();
    }
  }

  /** Rotates each head of `values` (rows of `headCountInRow × headDimension`) by its position. */
  private applyRope(values: Float32Array, tokenCount: number, headCountInRow: number): void {
    const { headDimension, ropeDimensions, ropeFrequencyBase, architecture } = this.shape;
    const neox = architecture !== 'llama';
    const half = ropeDimensions / 2;
    const cosines = new Float32Array(half);
    const sines = new Float32Array(half);
    for (let position = 0; position < tokenCount; position += 1) {
      for (let pair = 0; pair < half; pair += 1) {
        let theta = position * Math.pow(ropeFrequencyBase, (-2 * pair) / ropeDimensions);
        if (this.ropeFrequencyFactors) theta /= this.ropeFrequencyFactors[pair]!;
        cosines[pair] = Math.cos(theta);
        sines[pair] = Math.sin(theta);
      }
      for (let head = 0; head < headCountInRow; head += 1) {
        const offset = (position * headCountInRow + head) * headDimension;
        for (let pair = 0; pair < half; pair += 1) {
          const first = offset + (neox ? pair : 2 * pair);
          const second = neox ? first + half : first + 1;
          const x0 = values[first]!;
          const x1 = values[second]!;
          values[first] = x0 * cosines[pair]! - x1 * sines[pair]!;
          values[second] = x0 * sines[pair]! + x1 * cosines[pair]!;
        }
      }
    }
  }

  /**
   * One pass over `tokenIds` (position 0 first, no cache). Returns the next-token logits and the
   * attention weights of every layer and head.
   */
  forward(tokenIds: readonly number[], options: ForwardOptions = {}): ForwardResult {
    const steps = this.forwardSteps(tokenIds, options);
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
    }
  }

  /**
   * The same pass, handing the event loop back after each layer: in a server a 135M model's pass
   * takes seconds, and other requests are answered between its layers instead of after it.
   */
  async forwardYielding(tokenIds: readonly number[], options: ForwardOptions = {}): Promise<ForwardResult> {
    const steps = this.forwardSteps(tokenIds, options);
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** The pass as a generator that pauses after every layer. */
  private *forwardSteps(
    tokenIds: readonly number[],
    userOptions: ForwardOptions,
  ): Generator<number, ForwardResult, void> {
    const options = { logitsForEveryPosition: false, keepAttention: true, ...userOptions };
    const { shape } = this;
    const tokenCount = tokenIds.length;
    if (tokenCount === 0) throw new Error('forward needs at least one token');
    if (tokenCount > shape.contextLength) {
      throw new PolettError({
        code: 'learn_input_too_long',
        status: 422,
        field: 'text',
        message: {
          sv: `Texten blir ${tokenCount} token, men modellen tar högst ${shape.contextLength}. Korta texten.`,
          en: `The text is ${tokenCount} tokens, but the model takes at most ${shape.contextLength}. Shorten the text.`,
        },
      });
    }
    const { embeddingLength: width, headCount, keyValueHeadCount, headDimension, feedForwardLength } = shape;
    const queryWidth = headCount * headDimension;
    const keyValueWidth = keyValueHeadCount * headDimension;
    const groupSize = headCount / keyValueHeadCount;
    const scale = 1 / Math.sqrt(headDimension);

    const hidden = new Float32Array(tokenCount * width);
    for (let position = 0; position < tokenCount; position += 1) {
      const id = tokenIds[position]!;
      if (!Number.isInteger(id) || id < 0 || id >= shape.vocabularySize) {
        throw new Error(`token id ${id} is outside the vocabulary (0–${shape.vocabularySize - 1})`);
      }
      hidden.set(this.tokenEmbedding.values.subarray(id * width, (id + 1) * width), position * width);
    }
    const normalised = new Float32Array(tokenCount * width);
    const queries = new Float32Array(tokenCount * queryWidth);
    const keys = new Float32Array(tokenCount * keyValueWidth);
    const values = new Float32Array(tokenCount * keyValueWidth);
    const mixed = new Float32Array(tokenCount * queryWidth);
    const projected = new Float32Array(tokenCount * width);
    const gate = new Float32Array(tokenCount * feedForwardLength);
    const up = new Float32Array(tokenCount * feedForwardLength);
    const scores = new Float32Array(tokenCount);
    const attention: Float32Array[][] = [];

    for (const layer of this.layers) {
      rmsNormalise(hidden, tokenCount, width, layer.attentionNorm, shape.rmsEpsilon, normalised);
      this.multiply(normalised, tokenCount, layer.query, queries);
      this.multiply(normalised, tokenCount, layer.key, keys);
      this.multiply(normalised, tokenCount, layer.value, values);
      if (layer.queryBias) addBias(queries, tokenCount, layer.queryBias);
      if (layer.keyBias) addBias(keys, tokenCount, layer.keyBias);
      if (layer.valueBias) addBias(values, tokenCount, layer.valueBias);
      if (layer.queryNorm) {
        rmsNormalise(
          queries,
          tokenCount * headCount,
          headDimension,
          layer.queryNorm,
          shape.rmsEpsilon,
          queries,
        );
      }
      if (layer.keyNorm) {
        rmsNormalise(
          keys,
          tokenCount * keyValueHeadCount,
          headDimension,
          layer.keyNorm,
          shape.rmsEpsilon,
          keys,
        );
      }
      this.applyRope(queries, tokenCount, headCount);
      this.applyRope(keys, tokenCount, keyValueHeadCount);

      const layerAttention: Float32Array[] = [];
      mixed.fill(0);
      for (let head = 0; head < headCount; head += 1) {
        const weights = options.keepAttention ? new Float32Array(tokenCount * tokenCount) : undefined;
        attendOneHead({
          queries,
          keys,
          values,
          mixed,
          scores,
          weights,
          tokenCount,
          queryOffset: head * headDimension,
          queryWidth,
          keyValueOffset: Math.floor(head / groupSize) * headDimension,
          keyValueWidth,
          headDimension,
          scale,
        });
        if (weights) layerAttention.push(weights);
      }
      attention.push(layerAttention);
      this.multiply(mixed, tokenCount, layer.attentionOutput, projected);
      addInPlace(hidden, projected);

      rmsNormalise(hidden, tokenCount, width, layer.feedForwardNorm, shape.rmsEpsilon, normalised);
      this.multiply(normalised, tokenCount, layer.gate, gate);
      this.multiply(normalised, tokenCount, layer.up, up);
      swiGlu(gate, up);
      this.multiply(gate, tokenCount, layer.down, projected);
      addInPlace(hidden, projected);
      yield attention.length;
    }

    const vocabularySize = shape.vocabularySize;
    if (options.logitsForEveryPosition) {
      rmsNormalise(hidden, tokenCount, width, this.outputNorm, shape.rmsEpsilon, normalised);
      const logitsPerPosition = new Float32Array(tokenCount * vocabularySize);
      this.multiply(normalised, tokenCount, this.output, logitsPerPosition);
      const logits = logitsPerPosition.slice((tokenCount - 1) * vocabularySize);
      return { tokenCount, logits, logitsPerPosition, attention };
    }
    const last = hidden.subarray((tokenCount - 1) * width);
    const lastNormalised = new Float32Array(width);
    rmsNormalise(last, 1, width, this.outputNorm, shape.rmsEpsilon, lastNormalised);
    const logits = new Float32Array(vocabularySize);
    this.multiply(lastNormalised, 1, this.output, logits);
    return { tokenCount, logits, attention };
  }
}

/** Softmax of logits into probabilities (float64 sums, so a 150k vocabulary adds up exactly enough). */
export function softmax(logits: Float32Array): Float32Array {
  let maximum = -Infinity;
  for (const logit of logits) if (logit > maximum) maximum = logit;
  const probabilities = new Float32Array(logits.length);
  let total = 0;
  for (let index = 0; index < logits.length; index += 1) {
    const exponential = Math.exp(logits[index]! - maximum);
    probabilities[index] = exponential;
    total += exponential;
  }
  for (let index = 0; index < logits.length; index += 1) probabilities[index]! /= total;
  return probabilities;
}

/** The `count` most probable next tokens, most probable first. */
export function topTokens(
  probabilities: Float32Array,
  count: number,
): Array<{ tokenId: number; probability: number }> {
  const best: Array<{ tokenId: number; probability: number }> = [];
  for (let tokenId = 0; tokenId < probabilities.length; tokenId += 1) {
    const probability = probabilities[tokenId]!;
    if (best.length < count || probability > best[best.length - 1]!.probability) {
      best.push({ tokenId, probability });
      best.sort((left, right) => right.probability - left.probability);
      if (best.length > count) best.pop();
    }
  }
  return best;
}
