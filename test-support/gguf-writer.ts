/**
 * Writes GGUF v3 files: the format llama.cpp (and so node-llama-cpp) loads. The tests need real
 * model files but cannot download any, so this module writes small transformers of real
 * architectures (`llama`, `qwen2`, `qwen3`) with deterministic random weights.
 *
 * Layout of a GGUF v3 file (all little-endian):
 *   magic "GGUF", version u32, tensor count u64, metadata count u64,
 *   metadata (key string, value type u32, value), tensor infos (name, dimension count u32,
 *   dimensions u64 each, innermost first, ggml type u32, data offset u64),
 *   padding to the alignment, then each tensor's data at an aligned offset.
 * Strings are a u64 byte length followed by UTF-8 bytes, without a terminator.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The tensor encodings this writer supports; the ids are ggml's `ggml_type` values. */
export const GGML_TYPE_IDS = { f32: 0, f16: 1, q8_0: 8 } as const;
export type GgmlTensorType = keyof typeof GGML_TYPE_IDS;

/** Elements per q8_0 block: one f16 scale followed by 32 signed bytes. */
export const Q8_0_BLOCK_SIZE = 32;
const Q8_0_BLOCK_BYTES = 2 + Q8_0_BLOCK_SIZE;

/** llama.cpp's `llama_token_type` values, stored in `tokenizer.ggml.token_type`. */
export const GGUF_TOKEN_TYPES = {
  normal: 1,
  unknown: 2,
  control: 3,
  userDefined: 4,
  unused: 5,
  byte: 6,
} as const;

const GGUF_VALUE_TYPE_IDS = {
  uint8: 0,
  int8: 1,
  uint16: 2,
  int16: 3,
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
  uint64: 10,
  int64: 11,
  float64: 12,
} as const;

type GgufNumberType =
  'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'uint64' | 'int64' | 'float64';
export type GgufScalarType = GgufNumberType | 'bool' | 'string';

/**
 * One metadata value. Numbers carry their GGUF type explicitly because llama.cpp refuses a key
 * whose stored type differs from the one it expects (a u32 stored as i32 fails to load).
 */
export type GgufMetadataValue =
  | string
  | boolean
  | { type: GgufNumberType; value: number | bigint }
  | { type: 'array'; itemType: 'string'; values: readonly string[] }
  | { type: 'array'; itemType: 'bool'; values: readonly boolean[] }
  | { type: 'array'; itemType: GgufNumberType; values: readonly (number | bigint)[] };

/** Builders for typed metadata values. */
export const ggufValue = {
  uint32: (value: number): GgufMetadataValue => ({ type: 'uint32', value }),
  int32: (value: number): GgufMetadataValue => ({ type: 'int32', value }),
  uint64: (value: number | bigint): GgufMetadataValue => ({ type: 'uint64', value }),
  float32: (value: number): GgufMetadataValue => ({ type: 'float32', value }),
  strings: (values: readonly string[]): GgufMetadataValue => ({ type: 'array', itemType: 'string', values }),
  int32s: (values: readonly number[]): GgufMetadataValue => ({ type: 'array', itemType: 'int32', values }),
  float32s: (values: readonly number[]): GgufMetadataValue => ({
    type: 'array',
    itemType: 'float32',
    values,
  }),
};

export interface GgufTensor {
  /** llama.cpp's tensor name, e.g. `blk.0.attn_q.weight`. */
  name: string;
  /** ggml dimensions, innermost (contiguous) first: a matrix mapping `in` to `out` is `[in, out]`. */
  dimensions: readonly number[];
  type: GgmlTensorType;
  /** Values in row-major order of the dimensions above (innermost fastest); encoded on write. */
  values: Float32Array;
}

export interface GgufFileContents {
  /** Insertion order is kept in the file. */
  metadata: Record<string, GgufMetadataValue>;
  tensors: readonly GgufTensor[];
  /** Data alignment in bytes; written as `general.alignment` when not the default 32. */
  alignment?: number;
}

/** An auto-growing little-endian byte buffer. */
class ByteWriter {
  private buffer = Buffer.alloc(1 << 16);
  length = 0;

  private reserve(byteCount: number): void {
    if (this.length + byteCount <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + byteCount) size *= 2;
    const grown = Buffer.alloc(size);
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }

  bytes(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  number(type: GgufNumberType, value: number | bigint): void {
    const sizes: Record<GgufNumberType, number> = {
      uint8: 1,
      int8: 1,
      uint16: 2,
      int16: 2,
      uint32: 4,
      int32: 4,
      float32: 4,
      uint64: 8,
      int64: 8,
      float64: 8,
    };
    const size = sizes[type];
    this.reserve(size);
    const offset = this.length;
    const numeric = Number(value);
    switch (type) {
      case 'uint8':
        this.buffer.writeUInt8(numeric, offset);
        break;
      case 'int8':
        this.buffer.writeInt8(numeric, offset);
        break;
      case 'uint16':
        this.buffer.writeUInt16LE(numeric, offset);
        break;
      case 'int16':
        this.buffer.writeInt16LE(numeric, offset);
        break;
      case 'uint32':
        this.buffer.writeUInt32LE(numeric, offset);
        break;
      case 'int32':
        this.buffer.writeInt32LE(numeric, offset);
        break;
      case 'float32':
        this.buffer.writeFloatLE(numeric, offset);
        break;
      case 'uint64':
        this.buffer.writeBigUInt64LE(BigInt(value), offset);
        break;
      case 'int64':
        this.buffer.writeBigInt64LE(BigInt(value), offset);
        break;
      case 'float64':
        this.buffer.writeDoubleLE(numeric, offset);
        break;
    }
    this.length += size;
  }

  string(value: string): void {
    const bytes = Buffer.from(value, 'utf8');
    this.number('uint64', bytes.length);
    this.bytes(bytes);
  }

  padTo(alignment: number): void {
    const padding = (alignment - (this.length % alignment)) % alignment;
    this.reserve(padding);
    this.buffer.fill(0, this.length, this.length + padding);
    this.length += padding;
  }

  result(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}

function writeMetadataValue(writer: ByteWriter, value: GgufMetadataValue): void {
  if (typeof value === 'string') {
    writer.number('uint32', GGUF_VALUE_TYPE_IDS.string);
    writer.string(value);
  } else if (typeof value === 'boolean') {
    writer.number('uint32', GGUF_VALUE_TYPE_IDS.bool);
    writer.number('uint8', value ? 1 : 0);
  } else if (value.type === 'array') {
    writer.number('uint32', GGUF_VALUE_TYPE_IDS.array);
    writer.number('uint32', GGUF_VALUE_TYPE_IDS[value.itemType]);
    writer.number('uint64', value.values.length);
    for (const item of value.values) {
      if (typeof item === 'string') writer.string(item);
      else if (typeof item === 'boolean') writer.number('uint8', item ? 1 : 0);
      else writer.number(value.itemType as GgufNumberType, item);
    }
  } else {
    writer.number('uint32', GGUF_VALUE_TYPE_IDS[value.type]);
    writer.number(value.type, value.value);
  }
}

const float32View = new Float32Array(1);
const uint32View = new Uint32Array(float32View.buffer);

/** IEEE half-precision bits of a number, rounded to nearest even as ggml's converter does. */
export function float32ToFloat16Bits(value: number): number {
  float32View[0] = value;
  const bits = uint32View[0] ?? 0;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa === 0 ? 0 : 0x200);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    // Subnormal half: shift the mantissa (with its implicit leading one) into place.
    if (halfExponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - halfExponent;
    let half = mantissa >>> shift;
    const remainder = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (remainder > halfway || (remainder === halfway && (half & 1) === 1)) half += 1;
    return sign | half;
  }
  let half = (halfExponent << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  if (remainder > 0x1000 || (remainder === 0x1000 && (half & 1) === 1)) half += 1;
  return sign | half;
}

/** The number an IEEE half-precision bit pattern stands for. */
export function float16BitsToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : Number.NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** Bytes a tensor of `elementCount` values takes in a given encoding. */
export function tensorByteLength(type: GgmlTensorType, elementCount: number): number {
  switch (type) {
    case 'f32':
      return elementCount * 4;
    case 'f16':
      return elementCount * 2;
    case 'q8_0':
      return (elementCount / Q8_0_BLOCK_SIZE) * Q8_0_BLOCK_BYTES;
  }
}

/**
 * Encodes values as ggml stores them. q8_0 follows `quantize_row_q8_0_ref`: per block of 32 the
 * scale is max|x| / 127 (stored as f16) and each value is round(x / scale), rounding half away
 * from zero like C's `roundf`.
 */
export function encodeTensorValues(type: GgmlTensorType, values: Float32Array): Buffer {
  const output = Buffer.alloc(tensorByteLength(type, values.length));
  if (type === 'f32') {
    for (let index = 0; index < values.length; index += 1) output.writeFloatLE(values[index] ?? 0, index * 4);
  } else if (type === 'f16') {
    for (let index = 0; index < values.length; index += 1) {
      output.writeUInt16LE(float32ToFloat16Bits(values[index] ?? 0), index * 2);
    }
  } else {
    if (values.length % Q8_0_BLOCK_SIZE !== 0) {
      throw new Error(`q8_0 needs a multiple of ${Q8_0_BLOCK_SIZE} values, got ${values.length}`);
    }
    for (let block = 0; block < values.length / Q8_0_BLOCK_SIZE; block += 1) {
      const start = block * Q8_0_BLOCK_SIZE;
      let absoluteMaximum = 0;
      for (let index = 0; index < Q8_0_BLOCK_SIZE; index += 1) {
        absoluteMaximum = Math.max(absoluteMaximum, Math.abs(values[start + index] ?? 0));
      }
      const scale = Math.fround(absoluteMaximum / 127);
      const inverseScale = scale === 0 ? 0 : Math.fround(1 / scale);
      const blockOffset = block * Q8_0_BLOCK_BYTES;
      output.writeUInt16LE(float32ToFloat16Bits(scale), blockOffset);
      for (let index = 0; index < Q8_0_BLOCK_SIZE; index += 1) {
        const scaled = Math.fround((values[start + index] ?? 0) * inverseScale);
        const quantized = Math.sign(scaled) * Math.round(Math.abs(scaled));
        output.writeInt8(Math.max(-128, Math.min(127, quantized)), blockOffset + 2 + index);
      }
    }
  }
  return output;
}

/** Serialises a whole GGUF v3 file. Throws on a malformed tensor (shape, size or block mismatch). */
export function encodeGguf(contents: GgufFileContents): Buffer {
  const alignment = contents.alignment ?? 32;
  const metadata: Record<string, GgufMetadataValue> = { ...contents.metadata };
  if (alignment !== 32) metadata['general.alignment'] = ggufValue.uint32(alignment);

  const names = new Set<string>();
  const encodedTensors = contents.tensors.map((tensor) => {
    if (names.has(tensor.name)) throw new Error(`duplicate tensor name ${tensor.name}`);
    names.add(tensor.name);
    const elementCount = tensor.dimensions.reduce((product, dimension) => product * dimension, 1);
    if (elementCount !== tensor.values.length) {
      throw new Error(
        `tensor ${tensor.name}: dimensions hold ${elementCount} values, got ${tensor.values.length}`,
      );
    }
    if (tensor.type === 'q8_0' && (tensor.dimensions[0] ?? 0) % Q8_0_BLOCK_SIZE !== 0) {
      throw new Error(
        `tensor ${tensor.name}: q8_0 needs the first dimension to be a multiple of ${Q8_0_BLOCK_SIZE}`,
      );
    }
    return { tensor, data: encodeTensorValues(tensor.type, tensor.values) };
  });

  const writer = new ByteWriter();
  writer.bytes(Buffer.from('GGUF', 'ascii'));
  writer.number('uint32', 3);
  writer.number('uint64', encodedTensors.length);
  writer.number('uint64', Object.keys(metadata).length);
  for (const [key, value] of Object.entries(metadata)) {
    writer.string(key);
    writeMetadataValue(writer, value);
  }

  let dataOffset = 0;
  for (const { tensor, data } of encodedTensors) {
    writer.string(tensor.name);
    writer.number('uint32', tensor.dimensions.length);
    for (const dimension of tensor.dimensions) writer.number('uint64', dimension);
    writer.number('uint32', GGML_TYPE_IDS[tensor.type]);
    writer.number('uint64', dataOffset);
    dataOffset += data.length + ((alignment - (data.length % alignment)) % alignment);
  }

  writer.padTo(alignment);
  for (const { data } of encodedTensors) {
    writer.bytes(data);
    writer.padTo(alignment);
  }
  return writer.result();
}

/**
 * Writes a GGUF file atomically (a temporary file, then a rename) so that a test reading the file
 * while another process regenerates it never sees half a model.
 */
export function writeGgufFile(filePath: string, contents: GgufFileContents): void {
  mkdirSync(path.dirname(filePath), { recursive: true });
  const temporaryPath = `${filePath}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temporaryPath, encodeGguf(contents));
  renameSync(temporaryPath, filePath);
}

/** A small, fast, seeded generator (SplitMix32): the same seed always gives the same weights. */
export function createSeededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 16), 0x85ebca6b);
    mixed = Math.imul(mixed ^ (mixed >>> 13), 0xc2b2ae35);
    mixed ^= mixed >>> 16;
    return (mixed >>> 0) / 4294967296;
  };
}

/** `count` normally distributed values (Box–Muller) with the given standard deviation. */
export function randomNormalValues(
  random: () => number,
  count: number,
  standardDeviation: number,
): Float32Array {
  const values = new Float32Array(count);
  for (let index = 0; index < count; index += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - random())) * standardDeviation;
    const angle = 2 * Math.PI * random();
    values[index] = radius * Math.cos(angle);
    if (index + 1 < count) values[index + 1] = radius * Math.sin(angle);
  }
  return values;
}

/** A byte-pair-encoding (`gpt2`-style) vocabulary as GGUF stores it. */
export interface GgufBpeVocabulary {
  /** `tokenizer.ggml.pre`: which pre-tokenizer regex llama.cpp uses (`gpt-2`, `default`, `qwen2`...). */
  preTokenizer: string;
  /** Token strings in id order, in GPT-2's byte-to-unicode alphabet. */
  tokens: readonly string[];
  /** `GGUF_TOKEN_TYPES` per token. */
  tokenTypes: readonly number[];
  /** `"left right"` pairs, highest priority first; may be empty (then every byte is a token). */
  merges: readonly string[];
  beginningOfSequenceTokenId: number;
  endOfSequenceTokenId: number;
  paddingTokenId?: number;
  /** Whether llama.cpp prepends the beginning-of-sequence token when tokenizing. */
  addBeginningOfSequenceToken: boolean;
  /** Jinja chat template (`tokenizer.chat_template`). */
  chatTemplate?: string;
}

export const TINY_TRANSFORMER_ARCHITECTURES = ['llama', 'qwen2', 'qwen3'] as const;
export type TinyTransformerArchitecture = (typeof TINY_TRANSFORMER_ARCHITECTURES)[number];

export interface TinyTransformerOptions {
  /**
   * `llama`: the plain decoder. `qwen2`: llama plus q/k/v biases. `qwen3`: llama plus per-head
   * q/k norms, and the only one of the three whose loader accepts a ranking head (`cls.output`).
   */
  architecture: TinyTransformerArchitecture;
  /** `general.name`. */
  name: string;
  vocabulary: GgufBpeVocabulary;
  layerCount: number;
  embeddingLength: number;
  headCount: number;
  /** Grouped-query attention: fewer key/value heads than query heads. Defaults to `headCount`. */
  keyValueHeadCount?: number;
  feedForwardLength: number;
  contextLength: number;
  seed: number;
  /** Encoding of the attention and feed-forward matrices. Defaults to f32. */
  weightType?: GgmlTensorType;
  /** Encoding of the token embedding (and output) matrix. Defaults to `weightType`. */
  embeddingType?: GgmlTensorType;
  /** Share the token embedding as the output projection (no `output.weight`), as many small models do. */
  tieEmbeddings?: boolean;
  /** Standard deviation of the random weights. Defaults to 0.02 (GPT-2's initialisation). */
  weightStandardDeviation?: number;
  /**
   * Adds a ranking/classification head `cls.output.weight` with one output per label and
   * `<arch>.classifier.output_labels` (qwen3 only; the other loaders reject the extra tensor).
   */
  classifierLabels?: readonly string[];
  /** Extra metadata, written last (and overriding generated keys). */
  extraMetadata?: Record<string, GgufMetadataValue>;
}

/**
 * A complete tiny transformer: metadata, tokenizer and random weights in llama.cpp's tensor names
 * and shapes (see `llama_model_<arch>::load_arch_tensors` in llama.cpp). Norm weights are ones and
 * always f32, as converted models have them.
 */
export function buildTinyTransformer(options: TinyTransformerOptions): GgufFileContents {
  const { architecture, vocabulary, layerCount, embeddingLength, headCount, feedForwardLength, seed } =
    options;
  const keyValueHeadCount = options.keyValueHeadCount ?? headCount;
  const weightType = options.weightType ?? 'f32';
  const embeddingType = options.embeddingType ?? weightType;
  const standardDeviation = options.weightStandardDeviation ?? 0.02;
  const vocabularySize = vocabulary.tokens.length;
  if (embeddingLength % headCount !== 0) throw new Error('embeddingLength must be a multiple of headCount');
  if (headCount % keyValueHeadCount !== 0)
    throw new Error('headCount must be a multiple of keyValueHeadCount');
  if (vocabulary.tokenTypes.length !== vocabularySize) throw new Error('one token type per token is needed');
  if (options.classifierLabels !== undefined && architecture !== 'qwen3') {
    throw new Error('a classifier head needs the qwen3 architecture (llama.cpp loads cls.output only there)');
  }
  const headDimension = embeddingLength / headCount;
  const keyValueWidth = headDimension * keyValueHeadCount;
  const random = createSeededRandom(seed);
  const randomMatrix = (inputs: number, outputs: number) =>
    randomNormalValues(random, inputs * outputs, standardDeviation);
  const ones = (count: number) => new Float32Array(count).fill(1);

  const tensors: GgufTensor[] = [
    {
      name: 'token_embd.weight',
      dimensions: [embeddingLength, vocabularySize],
      type: embeddingType,
      values: randomMatrix(embeddingLength, vocabularySize),
    },
    { name: 'output_norm.weight', dimensions: [embeddingLength], type: 'f32', values: ones(embeddingLength) },
  ];
  if (!(options.tieEmbeddings ?? false)) {
    tensors.push({
      name: 'output.weight',
      dimensions: [embeddingLength, vocabularySize],
      type: embeddingType,
      values: randomMatrix(embeddingLength, vocabularySize),
    });
  }
  if (options.classifierLabels !== undefined) {
    tensors.push({
      name: 'cls.output.weight',
      dimensions: [embeddingLength, options.classifierLabels.length],
      type: 'f32',
      // Larger than the other weights so that scores visibly differ between documents.
      values: randomNormalValues(random, embeddingLength * options.classifierLabels.length, 1),
    });
  }

  for (let layer = 0; layer < layerCount; layer += 1) {
    const prefix = `blk.${layer}`;
    const matrix = (name: string, inputs: number, outputs: number): GgufTensor => ({
      name: `${prefix}.${name}.weight`,
      dimensions: [inputs, outputs],
      type: weightType,
      values: randomMatrix(inputs, outputs),
    });
    tensors.push(
      {
        name: `${prefix}.attn_norm.weight`,
        dimensions: [embeddingLength],
        type: 'f32',
        values: ones(embeddingLength),
      },
      matrix('attn_q', embeddingLength, embeddingLength),
      matrix('attn_k', embeddingLength, keyValueWidth),
      matrix('attn_v', embeddingLength, keyValueWidth),
      matrix('attn_output', embeddingLength, embeddingLength),
    );
    if (architecture === 'qwen2') {
      const bias = (name: string, count: number): GgufTensor => ({
        name: `${prefix}.${name}.bias`,
        dimensions: [count],
        type: 'f32',
        values: randomNormalValues(random, count, standardDeviation),
      });
      tensors.push(
        bias('attn_q', embeddingLength),
        bias('attn_k', keyValueWidth),
        bias('attn_v', keyValueWidth),
      );
    }
    if (architecture === 'qwen3') {
      tensors.push(
        {
          name: `${prefix}.attn_q_norm.weight`,
          dimensions: [headDimension],
          type: 'f32',
          values: ones(headDimension),
        },
        {
          name: `${prefix}.attn_k_norm.weight`,
          dimensions: [headDimension],
          type: 'f32',
          values: ones(headDimension),
        },
      );
    }
    tensors.push(
      {
        name: `${prefix}.ffn_norm.weight`,
        dimensions: [embeddingLength],
        type: 'f32',
        values: ones(embeddingLength),
      },
      matrix('ffn_gate', embeddingLength, feedForwardLength),
      matrix('ffn_up', embeddingLength, feedForwardLength),
      matrix('ffn_down', feedForwardLength, embeddingLength),
    );
  }

  const fileType = { f32: 0, f16: 1, q8_0: 7 }[weightType]; // llama_ftype: ALL_F32, MOSTLY_F16, MOSTLY_Q8_0
  const metadata: Record<string, GgufMetadataValue> = {
    'general.architecture': architecture,
    'general.name': options.name,
    'general.file_type': ggufValue.uint32(fileType),
    'general.quantization_version': ggufValue.uint32(2),
    [`${architecture}.context_length`]: ggufValue.uint32(options.contextLength),
    [`${architecture}.embedding_length`]: ggufValue.uint32(embeddingLength),
    [`${architecture}.block_count`]: ggufValue.uint32(layerCount),
    [`${architecture}.feed_forward_length`]: ggufValue.uint32(feedForwardLength),
    [`${architecture}.attention.head_count`]: ggufValue.uint32(headCount),
    [`${architecture}.attention.head_count_kv`]: ggufValue.uint32(keyValueHeadCount),
    [`${architecture}.attention.layer_norm_rms_epsilon`]: ggufValue.float32(1e-6),
    [`${architecture}.rope.dimension_count`]: ggufValue.uint32(headDimension),
    [`${architecture}.rope.freq_base`]: ggufValue.float32(10_000),
    [`${architecture}.vocab_size`]: ggufValue.uint32(vocabularySize),
    'tokenizer.ggml.model': 'gpt2',
    'tokenizer.ggml.pre': vocabulary.preTokenizer,
    'tokenizer.ggml.tokens': ggufValue.strings(vocabulary.tokens),
    'tokenizer.ggml.token_type': ggufValue.int32s(vocabulary.tokenTypes),
    'tokenizer.ggml.merges': ggufValue.strings(vocabulary.merges),
    'tokenizer.ggml.bos_token_id': ggufValue.uint32(vocabulary.beginningOfSequenceTokenId),
    'tokenizer.ggml.eos_token_id': ggufValue.uint32(vocabulary.endOfSequenceTokenId),
    'tokenizer.ggml.add_bos_token': vocabulary.addBeginningOfSequenceToken,
  };
  if (vocabulary.paddingTokenId !== undefined) {
    metadata['tokenizer.ggml.padding_token_id'] = ggufValue.uint32(vocabulary.paddingTokenId);
  }
  if (vocabulary.chatTemplate !== undefined) metadata['tokenizer.chat_template'] = vocabulary.chatTemplate;
  if (options.classifierLabels !== undefined) {
    metadata[`${architecture}.classifier.output_labels`] = ggufValue.strings(options.classifierLabels);
  }
  Object.assign(metadata, options.extraMetadata);
  return { metadata, tensors };
}
