/**
 * The GGUF writer against the real readers: node-llama-cpp's GGUF parser for the layout, and
 * llama.cpp itself for the tensor encodings (the same weights in f32, f16 and q8_0 must give
 * nearly the same embeddings) and for the tokenizer (r50k merges must tokenize like tiktoken).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encode as encodeR50k } from 'gpt-tokenizer/encoding/r50k_base';
import { getLlama, GgmlType, readGgufFileInfo, type Llama, type LlamaModel } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildTinyTransformer,
  createSeededRandom,
  encodeGguf,
  float16BitsToFloat32,
  float32ToFloat16Bits,
  ggufValue,
  Q8_0_BLOCK_SIZE,
  randomNormalValues,
  writeGgufFile,
  type GgmlTensorType,
  type TinyTransformerOptions,
} from './gguf-writer.js';
import { TEST_MODELS_DIR } from './paths.js';
import {
  byteLevelVocabulary,
  TINY_GGUF_BPE_MODEL,
  TINY_GGUF_MODEL,
  TINY_GGUF_RERANKER_MODEL,
} from './tiny-gguf.js';

let directory: string;

beforeAll(() => {
  directory = mkdtempSync(path.join(tmpdir(), 'polett-gguf-writer-'));
});

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

/** Decodes one tensor's bytes back to numbers, as ggml reads them. */
function decodeTensor(bytes: Buffer, type: GgmlType, count: number): Float32Array {
  const values = new Float32Array(count);
  if (type === GgmlType.F32) {
    for (let index = 0; index < count; index += 1) values[index] = bytes.readFloatLE(index * 4);
  } else if (type === GgmlType.F16) {
    for (let index = 0; index < count; index += 1)
      values[index] = float16BitsToFloat32(bytes.readUInt16LE(index * 2));
  } else if (type === GgmlType.Q8_0) {
    for (let block = 0; block < count / Q8_0_BLOCK_SIZE; block += 1) {
      const offset = block * (2 + Q8_0_BLOCK_SIZE);
      const scale = float16BitsToFloat32(bytes.readUInt16LE(offset));
      for (let index = 0; index < Q8_0_BLOCK_SIZE; index += 1) {
        values[block * Q8_0_BLOCK_SIZE + index] = scale * bytes.readInt8(offset + 2 + index);
      }
    }
  } else {
    throw new Error(`unexpected type ${type}`);
  }
  return values;
}

describe('half precision', () => {
  it.each([
    [1, 0x3c00],
    [-2, 0xc000],
    [0.1, 0x2e66],
    [65504, 0x7bff],
    [1e6, 0x7c00],
    [Infinity, 0x7c00],
    [2 ** -24, 0x0001],
    [1e-9, 0x0000],
    [0.333251953125, 0x3555],
  ])('encodes %d as %i', (value, bits) => {
    expect(float32ToFloat16Bits(value)).toBe(bits);
  });

  it('rounds to nearest even and round-trips every finite half', () => {
    // 1 + 2^-11 is halfway between 1 and the next half: ties go to the even mantissa (1).
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00);
    expect(float32ToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    for (let bits = 0; bits < 0x7c00; bits += 1) {
      expect(float32ToFloat16Bits(float16BitsToFloat32(bits))).toBe(bits);
    }
  });
});

describe('encodeGguf', () => {
  const random = createSeededRandom(11);
  const tensors = (['f32', 'f16', 'q8_0'] as GgmlTensorType[]).map((type) => ({
    name: `test.${type}`,
    dimensions: [64, 3],
    type,
    values: randomNormalValues(random, 64 * 3, 0.5),
  }));

  it('writes a file node-llama-cpp reads back, metadata, tensors and data', async () => {
    const filePath = path.join(directory, 'plain.gguf');
    writeGgufFile(filePath, {
      metadata: {
        'general.architecture': 'llama',
        'general.name': 'writer test',
        'test.unsigned': ggufValue.uint32(7),
        'test.signed': ggufValue.int32(-7),
        'test.float': ggufValue.float32(0.5),
        'test.flag': true,
        'test.words': ggufValue.strings(['å', 'ä', 'ö']),
        'test.numbers': ggufValue.int32s([1, -2, 3]),
      },
      tensors,
    });
    const info = await readGgufFileInfo(filePath, { logWarnings: false });
    expect(info.version).toBe(3);
    expect(Number(info.tensorCount)).toBe(3);
    const metadata = info.metadata as unknown as Record<string, Record<string, unknown>>;
    expect(metadata.general?.name).toBe('writer test');
    expect(metadata.test).toMatchObject({
      unsigned: 7,
      signed: -7,
      float: 0.5,
      flag: true,
      words: ['å', 'ä', 'ö'],
      numbers: [1, -2, 3],
    });

    const bytes = readFileSync(filePath);
    for (const [index, tensor] of tensors.entries()) {
      const tensorInfo = info.tensorInfo?.[index];
      expect(tensorInfo?.name).toBe(tensor.name);
      expect(tensorInfo?.dimensions.map(Number)).toEqual([64, 3]);
      const start = Number(tensorInfo?.fileOffset);
      expect(start % 32).toBe(0);
      const decoded = decodeTensor(bytes.subarray(start), tensorInfo!.ggmlType, tensor.values.length);
      // f32 is exact; f16 keeps 11 significant bits; q8_0 is within half a step of its block scale.
      const tolerance = { f32: 0, f16: 2e-3, q8_0: (2 / 127) * 0.5 + 1e-3 }[tensor.type];
      for (let element = 0; element < decoded.length; element += 1) {
        expect(Math.abs((decoded[element] ?? 0) - (tensor.values[element] ?? 0))).toBeLessThanOrEqual(
          tolerance,
        );
      }
    }
  });

  it('is deterministic for a seed and different across seeds', () => {
    const options: TinyTransformerOptions = {
      architecture: 'llama',
      name: 'determinism',
      vocabulary: byteLevelVocabulary(),
      layerCount: 1,
      embeddingLength: 32,
      headCount: 2,
      feedForwardLength: 64,
      contextLength: 256,
      seed: 5,
    };
    const first = encodeGguf(buildTinyTransformer(options));
    expect(encodeGguf(buildTinyTransformer(options)).equals(first)).toBe(true);
    expect(encodeGguf(buildTinyTransformer({ ...options, seed: 6 })).equals(first)).toBe(false);
  });

  it('refuses malformed tensors', () => {
    const values = new Float32Array(10);
    expect(() =>
      encodeGguf({ metadata: {}, tensors: [{ name: 'a', dimensions: [5, 3], type: 'f32', values }] }),
    ).toThrow(/dimensions/);
    expect(() =>
      encodeGguf({ metadata: {}, tensors: [{ name: 'a', dimensions: [10], type: 'q8_0', values }] }),
    ).toThrow(/q8_0/);
  });
});

describe('with llama.cpp', () => {
  let llama: Llama;
  const loaded: LlamaModel[] = [];

  beforeAll(async () => {
    llama = await getLlama({ gpu: false, build: 'never', progressLogs: false });
  });

  afterAll(async () => {
    for (const model of loaded) await model.dispose();
  });

  async function load(filePath: string): Promise<LlamaModel> {
    const model = await llama.loadModel({ modelPath: filePath, gpuLayers: 0 });
    loaded.push(model);
    return model;
  }

  async function embed(model: LlamaModel, text: string): Promise<number[]> {
    const context = await model.createEmbeddingContext({ contextSize: 256, threads: 1 });
    try {
      return [...(await context.getEmbeddingFor(text)).vector];
    } finally {
      await context.dispose();
    }
  }

  function cosine(left: number[], right: number[]): number {
    let dot = 0;
    for (let index = 0; index < left.length; index += 1) dot += (left[index] ?? 0) * (right[index] ?? 0);
    return dot / (Math.hypot(...left) * Math.hypot(...right));
  }

  it('encodes f16 and q8_0 as llama.cpp decodes them', async () => {
    const base: TinyTransformerOptions = {
      architecture: 'llama',
      name: 'encodings',
      vocabulary: byteLevelVocabulary(),
      layerCount: 2,
      embeddingLength: 64,
      headCount: 4,
      keyValueHeadCount: 2,
      feedForwardLength: 128,
      contextLength: 512,
      seed: 9,
      // Larger weights than the default so that the layers change the result visibly.
      weightStandardDeviation: 0.2,
    };
    const embeddings: Record<string, number[]> = {};
    for (const type of ['f32', 'f16', 'q8_0'] as const) {
      const filePath = path.join(directory, `encodings-${type}.gguf`);
      writeGgufFile(filePath, buildTinyTransformer({ ...base, weightType: type }));
      embeddings[type] = await embed(await load(filePath), 'Hej! Var är mitt paket?');
    }
    expect(cosine(embeddings.f32!, embeddings.f16!)).toBeGreaterThan(0.999);
    expect(cosine(embeddings.f32!, embeddings.q8_0!)).toBeGreaterThan(0.98);
    // A different seed is a different model: the check above is not trivially true.
    writeGgufFile(path.join(directory, 'other-seed.gguf'), buildTinyTransformer({ ...base, seed: 10 }));
    const other = await embed(await load(path.join(directory, 'other-seed.gguf')), 'Hej! Var är mitt paket?');
    expect(cosine(embeddings.f32!, other)).toBeLessThan(0.9);
  });

  it('writes qwen2 and qwen3 models llama.cpp loads', async () => {
    for (const architecture of ['qwen2', 'qwen3'] as const) {
      const filePath = path.join(directory, `${architecture}.gguf`);
      writeGgufFile(
        filePath,
        buildTinyTransformer({
          architecture,
          name: architecture,
          vocabulary: byteLevelVocabulary(),
          layerCount: 1,
          embeddingLength: 64,
          headCount: 2,
          feedForwardLength: 64,
          contextLength: 512,
          seed: 3,
          tieEmbeddings: true,
        }),
      );
      const model = await load(filePath);
      expect(model.fileInfo.metadata.general.architecture).toBe(architecture);
      expect((await embed(model, 'abc')).length).toBe(64);
    }
  });

  it('gives the tiny models their tokenizers: bytes, and r50k exactly as tiktoken', async () => {
    const byteLevel = await load(path.join(TEST_MODELS_DIR, TINY_GGUF_MODEL));
    const bpe = await load(path.join(TEST_MODELS_DIR, TINY_GGUF_BPE_MODEL));
    const reranker = await load(path.join(TEST_MODELS_DIR, TINY_GGUF_RERANKER_MODEL));
    const texts = [
      'Hej! Jag undrar när min beställning kommer fram?',
      'The quick brown fox jumps over the lazy dog.',
      "Leveranstiden är 3–5 arbetsdagar; returer inom 30 dagar. It's    spaced\n\nout 😀",
    ];
    for (const text of texts) {
      expect(byteLevel.tokenize(text)).toHaveLength(Buffer.byteLength(text));
      expect(bpe.tokenize(text)).toEqual(encodeR50k(text));
      expect(bpe.detokenize(bpe.tokenize(text))).toBe(text);
    }
    expect(byteLevel.fileInfo.metadata.tokenizer.chat_template).toContain('<|im_start|>');
    expect(byteLevel.trainContextSize).toBeGreaterThanOrEqual(2048);
    expect(reranker.fileInsights.supportsRanking).toBe(true);
    expect(byteLevel.fileInsights.supportsRanking).toBe(false);
  });
});
