/**
 * Writes small but real ONNX models: a protobuf `ModelProto` encoded with protobufjs from the
 * ONNX schema (the subset of `onnx.proto` that a plain inference graph needs), so that
 * onnxruntime-node and transformers.js load them exactly as they load a model from the hub.
 *
 * The main product is a tiny BERT-like encoder (embeddings, LayerNorm, self-attention layers,
 * feed-forward with GELU) with deterministic random weights, optionally with a sequence
 * classification head, plus the `config.json`, `tokenizer.json` (WordPiece) and
 * `tokenizer_config.json` that transformers.js reads from a local model folder.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';

/**
 * The part of the ONNX schema (onnx/onnx.proto, Apache-2.0, IR version 8) that an inference graph
 * uses. Field numbers are the official ones; fields left out (sparse tensors, training info,
 * functions, external data) are simply never written.
 */
const ONNX_SCHEMA = `
syntax = "proto2";
package onnx;

message AttributeProto {
  enum AttributeType {
    UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; TENSOR = 4; GRAPH = 5;
    FLOATS = 6; INTS = 7; STRINGS = 8; TENSORS = 9; GRAPHS = 10;
  }
  optional string name = 1;
  optional string doc_string = 13;
  optional AttributeType type = 20;
  optional float f = 2;
  optional int64 i = 3;
  optional bytes s = 4;
  optional TensorProto t = 5;
  optional GraphProto g = 6;
  repeated float floats = 7;
  repeated int64 ints = 8;
  repeated bytes strings = 9;
  repeated TensorProto tensors = 10;
  repeated GraphProto graphs = 11;
}

message ValueInfoProto {
  optional string name = 1;
  optional TypeProto type = 2;
  optional string doc_string = 3;
}

message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  optional string domain = 7;
  repeated AttributeProto attribute = 5;
  optional string doc_string = 6;
}

message StringStringEntryProto {
  optional string key = 1;
  optional string value = 2;
}

message ModelProto {
  optional int64 ir_version = 1;
  repeated OperatorSetIdProto opset_import = 8;
  optional string producer_name = 2;
  optional string producer_version = 3;
  optional string domain = 4;
  optional int64 model_version = 5;
  optional string doc_string = 6;
  optional GraphProto graph = 7;
  repeated StringStringEntryProto metadata_props = 14;
}

message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated TensorProto initializer = 5;
  optional string doc_string = 10;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
  repeated ValueInfoProto value_info = 13;
}

message TensorProto {
  enum DataType {
    UNDEFINED = 0; FLOAT = 1; UINT8 = 2; INT8 = 3; UINT16 = 4; INT16 = 5; INT32 = 6; INT64 = 7;
    STRING = 8; BOOL = 9; FLOAT16 = 10; DOUBLE = 11; UINT32 = 12; UINT64 = 13;
  }
  repeated int64 dims = 1;
  optional int32 data_type = 2;
  repeated float float_data = 4 [packed = true];
  repeated int32 int32_data = 5 [packed = true];
  repeated bytes string_data = 6;
  repeated int64 int64_data = 7 [packed = true];
  optional string name = 8;
  optional string doc_string = 12;
  optional bytes raw_data = 9;
  repeated double double_data = 10 [packed = true];
  repeated uint64 uint64_data = 11 [packed = true];
}

message TensorShapeProto {
  message Dimension {
    oneof value {
      int64 dim_value = 1;
      string dim_param = 2;
    }
    optional string denotation = 3;
  }
  repeated Dimension dim = 1;
}

message TypeProto {
  message Tensor {
    optional int32 elem_type = 1;
    optional TensorShapeProto shape = 2;
  }
  oneof value {
    Tensor tensor_type = 1;
  }
  optional string denotation = 6;
}

message OperatorSetIdProto {
  optional string domain = 1;
  optional int64 version = 2;
}
`;

/** ONNX element types used here (values of `TensorProto.DataType`). */
export const ONNX_ELEMENT_TYPE = { float: 1, int8: 3, int64: 7 } as const;
export type OnnxElementType = keyof typeof ONNX_ELEMENT_TYPE;

/** A dimension: a fixed size or a symbolic name such as `batch_size`. */
export type OnnxDimension = number | string;

/**
 * An attribute value of a node. Whole numbers become INT and other numbers FLOAT (arrays likewise
 * INTS or FLOATS); `{ float }` marks a FLOAT that happens to be whole, such as 1.0.
 */
export type OnnxAttributeValue = number | string | number[] | { float: number };

interface EncodedAttribute {
  name: string;
  type: string;
  i?: number;
  f?: number;
  s?: Uint8Array;
  ints?: number[];
  floats?: number[];
}

interface EncodedNode {
  input: string[];
  output: string[];
  name: string;
  op_type: string;
  attribute: EncodedAttribute[];
}

interface EncodedTensor {
  name: string;
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
}

interface EncodedValueInfo {
  name: string;
  type: {
    tensor_type: { elem_type: number; shape: { dim: Array<{ dim_value: number } | { dim_param: string }> } };
  };
}

let modelProtoType: protobuf.Type | undefined;

/** The `onnx.ModelProto` message type, parsed once from the schema above. */
function getModelProtoType(): protobuf.Type {
  // keepCase keeps the schema's snake_case field names, so objects below read like onnx.proto.
  modelProtoType ??= protobuf.parse(ONNX_SCHEMA, { keepCase: true }).root.lookupType('onnx.ModelProto');
  return modelProtoType;
}

function encodeAttribute(name: string, value: OnnxAttributeValue): EncodedAttribute {
  if (typeof value === 'string') return { name, type: 'STRING', s: new TextEncoder().encode(value) };
  if (typeof value === 'number') {
    return Number.isInteger(value) ? { name, type: 'INT', i: value } : { name, type: 'FLOAT', f: value };
  }
  if (Array.isArray(value)) {
    return value.every(Number.isInteger)
      ? { name, type: 'INTS', ints: value }
      : { name, type: 'FLOATS', floats: value };
  }
  return { name, type: 'FLOAT', f: value.float };
}

function encodeValueInfo(
  name: string,
  elementType: OnnxElementType,
  shape: OnnxDimension[],
): EncodedValueInfo {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: ONNX_ELEMENT_TYPE[elementType],
        shape: {
          dim: shape.map((dimension) =>
            typeof dimension === 'number' ? { dim_value: dimension } : { dim_param: dimension },
          ),
        },
      },
    },
  };
}

/** Little-endian bytes of a typed array (ONNX raw_data is always little-endian). */
function littleEndianBytes(values: Float32Array | BigInt64Array): Uint8Array {
  const bytes = new Uint8Array(values.byteLength);
  const view = new DataView(bytes.buffer);
  if (values instanceof Float32Array)
    values.forEach((value, index) => view.setFloat32(index * 4, value, true));
  else values.forEach((value, index) => view.setBigInt64(index * 8, value, true));
  return bytes;
}

/**
 * Builds one ONNX graph node by node. Every `node` call returns its (first) output name, so a
 * graph reads as nested expressions; names are made unique with a counter.
 */
export class OnnxGraphBuilder {
  private readonly nodes: EncodedNode[] = [];
  private readonly initializers: EncodedTensor[] = [];
  private readonly inputs: EncodedValueInfo[] = [];
  private readonly outputs: EncodedValueInfo[] = [];
  private nextNameNumber = 0;

  /** Declares a graph input. */
  input(name: string, elementType: OnnxElementType, shape: OnnxDimension[]): string {
    this.inputs.push(encodeValueInfo(name, elementType, shape));
    return name;
  }

  /** Declares a graph output; `value` is renamed to `name` through an Identity node. */
  output(name: string, value: string, elementType: OnnxElementType, shape: OnnxDimension[]): void {
    this.node('Identity', [value], {}, name);
    this.outputs.push(encodeValueInfo(name, elementType, shape));
  }

  /** Adds a float32 weight. */
  floatTensor(name: string, dims: number[], values: Float32Array | number[]): string {
    const data = values instanceof Float32Array ? values : Float32Array.from(values);
    if (data.length !== dims.reduce((product, size) => product * size, 1)) {
      throw new Error(`Tensor ${name}: ${data.length} values do not fill the shape [${dims.join(', ')}].`);
    }
    this.initializers.push({
      name,
      dims,
      data_type: ONNX_ELEMENT_TYPE.float,
      raw_data: littleEndianBytes(data),
    });
    return name;
  }

  /** Adds an int64 constant (shapes, axes, indices). An empty `dims` makes a scalar. */
  int64Tensor(name: string, dims: number[], values: number[]): string {
    const data = BigInt64Array.from(values.map((value) => BigInt(value)));
    this.initializers.push({
      name,
      dims,
      data_type: ONNX_ELEMENT_TYPE.int64,
      raw_data: littleEndianBytes(data),
    });
    return name;
  }

  /** Adds an int8 weight (a quantised model's). */
  int8Tensor(name: string, dims: number[], values: Int8Array): string {
    this.initializers.push({
      name,
      dims,
      data_type: ONNX_ELEMENT_TYPE.int8,
      raw_data: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
    });
    return name;
  }

  /** A unique name with a readable prefix. */
  uniqueName(prefix: string): string {
    this.nextNameNumber += 1;
    return `${prefix}_${this.nextNameNumber}`;
  }

  /** Adds a node of the default ONNX domain and returns its output name. */
  node(
    operatorType: string,
    inputs: string[],
    attributes: Record<string, OnnxAttributeValue> = {},
    outputName: string = this.uniqueName(operatorType),
  ): string {
    this.nodes.push({
      input: inputs,
      output: [outputName],
      name: `${operatorType}_node_${this.nodes.length}`,
      op_type: operatorType,
      attribute: Object.entries(attributes).map(([name, value]) => encodeAttribute(name, value)),
    });
    return outputName;
  }

  /** Adds a node with several outputs (DynamicQuantizeLinear's three, say), named `name`. */
  nodeWithOutputs(operatorType: string, inputs: string[], outputs: string[], name: string): void {
    this.nodes.push({ input: inputs, output: outputs, name, op_type: operatorType, attribute: [] });
  }

  /** Encodes the whole model as ONNX protobuf bytes. */
  encode(options: {
    graphName: string;
    opsetVersion: number;
    irVersion?: number;
    docString?: string;
  }): Uint8Array {
    const modelType = getModelProtoType();
    const model = modelType.fromObject({
      ir_version: options.irVersion ?? 8,
      opset_import: [{ domain: '', version: options.opsetVersion }],
      producer_name: 'polett-onnx-writer',
      producer_version: '1',
      doc_string: options.docString ?? '',
      graph: {
        name: options.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return modelType.encode(model).finish();
  }
}

/** Reads an encoded model back into a plain object (for tests of the writer itself). */
export function decodeOnnxModel(bytes: Uint8Array): Record<string, unknown> {
  const modelType = getModelProtoType();
  return modelType.toObject(modelType.decode(bytes), {
    longs: Number,
    enums: String,
    bytes: Array,
    defaults: false,
  });
}

/**
 * A small deterministic pseudo-random generator (mulberry32), so that the same seed always gives
 * the same weights and therefore the same embeddings in every test run.
 */
export function createSeededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** Shape and seed of a tiny BERT-like encoder. */
export interface TinyBertShape {
  vocabularySize: number;
  hiddenSize: number;
  layerCount: number;
  headCount: number;
  intermediateSize: number;
  maxPositions: number;
  typeVocabularySize: number;
  /** Standard deviation of the random weights. */
  weightScale: number;
  seed: number;
  /** With labels, the model ends in a sequence classification head that outputs `logits`. */
  labels?: string[];
}

/** The ONNX opset the encoder uses: 17 is the first with LayerNormalization as one operator. */
export const TINY_BERT_OPSET = 17;

/**
 * Encodes a BERT-like encoder as an ONNX model. Inputs `input_ids`, `attention_mask` and
 * `token_type_ids` (int64, [batch, sequence]); output `last_hidden_state` ([batch, sequence,
 * hidden]), or `logits` ([batch, labels]) when `shape.labels` is given.
 */
/**
 * Builds one of an encoder layer's dense projections (input × weight + bias) into `graph`, drawing
 * its weight and then its bias from `randomValues`: a quantised variant of the model keeps the
 * float model's weights that way.
 */
export type EncoderDense = (
  graph: OnnxGraphBuilder,
  randomValues: (dims: number[]) => Float32Array,
  input: string,
  prefix: string,
  inputSize: number,
  outputSize: number,
) => string;

export interface TinyBertBuildOptions {
  /** The encoder layers' projections (the pooler and classifier stay plain float). */
  encoderDense?: EncoderDense;
  graphName?: string;
  docString?: string;
}

export function buildTinyBertOnnx(shape: TinyBertShape, options: TinyBertBuildOptions = {}): Uint8Array {
  const { hiddenSize, headCount } = shape;
  if (hiddenSize % headCount !== 0) throw new Error('hiddenSize must be a multiple of headCount.');
  const headSize = hiddenSize / headCount;
  const random = createSeededRandom(shape.seed);
  const gaussian = (): number => {
    // Box–Muller: two uniform numbers give one normally distributed one.
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
  const layerDense = (input: string, prefix: string, inputSize: number, outputSize: number): string =>
    options.encoderDense
      ? options.encoderDense(graph, randomValues, input, prefix, inputSize, outputSize)
      : dense(input, prefix, inputSize, outputSize);

  const inputIds = graph.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
  const attentionMask = graph.input('attention_mask', 'int64', ['batch_size', 'sequence_length']);
  const tokenTypeIds = graph.input('token_type_ids', 'int64', ['batch_size', 'sequence_length']);

  // Embeddings: word + position + token type, then LayerNorm.
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

  // Padding positions get a large negative score before the softmax: [batch, 1, 1, sequence].
  const one = graph.floatTensor('constant.one', [], [1]);
  const maskAsFloat = graph.node('Cast', [attentionMask], { to: ONNX_ELEMENT_TYPE.float });
  const inverted = graph.node('Sub', [one, maskAsFloat]);
  const additiveMask = graph.node('Unsqueeze', [
    graph.node('Mul', [inverted, graph.floatTensor('constant.mask_value', [], [-10000])]),
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
      layerDense(hidden, `${prefix}.attention.self.query`, hiddenSize, hiddenSize),
      [0, 2, 1, 3],
    );
    const key = splitHeads(
      layerDense(hidden, `${prefix}.attention.self.key`, hiddenSize, hiddenSize),
      [0, 2, 3, 1],
    );
    const value = splitHeads(
      layerDense(hidden, `${prefix}.attention.self.value`, hiddenSize, hiddenSize),
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
    const attentionOutput = layerDense(context, `${prefix}.attention.output.dense`, hiddenSize, hiddenSize);
    hidden = layerNorm(graph.node('Add', [hidden, attentionOutput]), `${prefix}.attention.output.LayerNorm`);

    // GELU written with Erf (the exact form BERT uses); a GELU operator exists only from opset 20.
    const intermediate = layerDense(
      hidden,
      `${prefix}.intermediate.dense`,
      hiddenSize,
      shape.intermediateSize,
    );
    const erf = graph.node('Erf', [graph.node('Div', [intermediate, squareRootTwo])]);
    const gelu = graph.node('Mul', [graph.node('Mul', [intermediate, half]), graph.node('Add', [erf, one])]);
    const feedForward = layerDense(gelu, `${prefix}.output.dense`, shape.intermediateSize, hiddenSize);
    hidden = layerNorm(graph.node('Add', [hidden, feedForward]), `${prefix}.output.LayerNorm`);
  }

  if (shape.labels === undefined) {
    graph.output('last_hidden_state', hidden, 'float', ['batch_size', 'sequence_length', hiddenSize]);
  } else {
    // BERT's pooler (first token, dense, tanh) and a linear classifier, as in BertForSequenceClassification.
    const firstToken = graph.node('Gather', [hidden, graph.int64Tensor('constant.first_index', [], [0])], {
      axis: 1,
    });
    const pooled = graph.node('Tanh', [dense(firstToken, 'pooler.dense', hiddenSize, hiddenSize)]);
    const logits = dense(pooled, 'classifier', hiddenSize, shape.labels.length);
    graph.output('logits', logits, 'float', ['batch_size', shape.labels.length]);
  }
  return graph.encode({
    graphName: options.graphName ?? 'tiny_bert',
    opsetVersion: TINY_BERT_OPSET,
    docString: options.docString ?? `seed ${shape.seed}`,
  });
}

/** Special tokens of a BERT WordPiece vocabulary, in the order they get the first ids. */
export const BERT_SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

/**
 * A `tokenizer.json` (Hugging Face tokenizers format) for a cased BERT WordPiece tokenizer over
 * `vocabulary`, which must start with the special tokens. Accents are kept, so å, ä and ö stay
 * themselves.
 */
export function buildWordPieceTokenizerJson(vocabulary: readonly string[]): Record<string, unknown> {
  const vocabularyIds = new Map<string, number>();
  for (const token of vocabulary) {
    if (vocabularyIds.has(token)) throw new Error(`The vocabulary has "${token}" twice.`);
    vocabularyIds.set(token, vocabularyIds.size);
  }
  const idOf = (token: string): number => {
    const id = vocabularyIds.get(token);
    if (id === undefined) throw new Error(`The vocabulary lacks the special token ${token}.`);
    return id;
  };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: BERT_SPECIAL_TOKENS.map((content) => ({
      id: idOf(content),
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: false,
      lowercase: false,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: Object.fromEntries(
        ['[CLS]', '[SEP]'].map((token) => [token, { id: token, ids: [idOf(token)], tokens: [token] }]),
      ),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocabularyIds),
    },
  };
}

/** What goes into one local model folder. */
export interface TinyBertFolder {
  shape: TinyBertShape;
  vocabulary: readonly string[];
  /** Extra fields merged into config.json (for example a sentence-transformers marker). */
  extraConfig?: Record<string, unknown>;
  /** Files beside config.json, relative path → JSON content (for example `1_Pooling/config.json`). */
  extraFiles?: Record<string, unknown>;
}

/**
 * Writes a model folder in the layout transformers.js reads for a local model:
 * `config.json`, `tokenizer.json`, `tokenizer_config.json`, `special_tokens_map.json` and
 * `onnx/model.onnx` (the fp32 file; other dtypes would be `model_fp16.onnx`, `model_quantized.onnx`...).
 */
export function writeTinyBertFolder(directory: string, folder: TinyBertFolder): void {
  const { shape, vocabulary } = folder;
  if (vocabulary.length !== shape.vocabularySize) {
    throw new Error(
      `vocabularySize is ${shape.vocabularySize} but the vocabulary has ${vocabulary.length} tokens.`,
    );
  }
  mkdirSync(path.join(directory, 'onnx'), { recursive: true });
  const writeJson = (relativePath: string, content: unknown): void => {
    mkdirSync(path.dirname(path.join(directory, relativePath)), { recursive: true });
    writeFileSync(path.join(directory, relativePath), `${JSON.stringify(content, null, 2)}\n`);
  };
  const labels = shape.labels;
  writeJson('config.json', {
    architectures: [labels === undefined ? 'BertModel' : 'BertForSequenceClassification'],
    model_type: 'bert',
    vocab_size: shape.vocabularySize,
    hidden_size: shape.hiddenSize,
    num_hidden_layers: shape.layerCount,
    num_attention_heads: shape.headCount,
    intermediate_size: shape.intermediateSize,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.1,
    attention_probs_dropout_prob: 0.1,
    max_position_embeddings: shape.maxPositions,
    type_vocab_size: shape.typeVocabularySize,
    initializer_range: shape.weightScale,
    layer_norm_eps: 1e-12,
    pad_token_id: 0,
    position_embedding_type: 'absolute',
    torch_dtype: 'float32',
    ...(labels === undefined
      ? {}
      : {
          id2label: Object.fromEntries(labels.map((label, index) => [String(index), label])),
          label2id: Object.fromEntries(labels.map((label, index) => [label, index])),
        }),
    ...folder.extraConfig,
  });
  writeJson('tokenizer.json', buildWordPieceTokenizerJson(vocabulary));
  writeJson('tokenizer_config.json', {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: false,
    strip_accents: false,
    tokenize_chinese_chars: true,
    model_max_length: shape.maxPositions,
    unk_token: '[UNK]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    cls_token: '[CLS]',
    mask_token: '[MASK]',
    clean_up_tokenization_spaces: true,
  });
  writeJson('special_tokens_map.json', {
    unk_token: '[UNK]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    cls_token: '[CLS]',
    mask_token: '[MASK]',
  });
  for (const [relativePath, content] of Object.entries(folder.extraFiles ?? {}))
    writeJson(relativePath, content);
  writeFileSync(path.join(directory, 'onnx', 'model.onnx'), buildTinyBertOnnx(shape));
}
