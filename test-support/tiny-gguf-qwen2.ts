/**
 * Tiny transformers for checking the Learn page's TypeScript forward pass against llama.cpp:
 * `llama`, `qwen2` (Q/K/V biases, neox RoPE) and `qwen3` (per-head Q/K norms) files in f32, f16
 * and q8_0, with random norm
 * weights (the shared tiny models have all-ones norms, which would hide a norm applied wrongly)
 * and weights large enough that attention is far from uniform. Also the llama.cpp side of the
 * comparison: its next-token probabilities at every position, through node-llama-cpp.
 */
import path from 'node:path';
import {
  getLlama,
  LlamaLogLevel,
  type ControlledEvaluateInputItem,
  type Llama,
  type Token,
} from 'node-llama-cpp';
import {
  buildTinyTransformer,
  createSeededRandom,
  writeGgufFile,
  type GgmlTensorType,
  type TinyTransformerArchitecture,
} from './gguf-writer.js';
import { byteLevelVocabulary, r50kVocabulary } from './tiny-gguf.js';

export interface LearnTestModel {
  file: string;
  architecture: TinyTransformerArchitecture;
  weightType: GgmlTensorType;
  embeddingType: GgmlTensorType;
  tieEmbeddings: boolean;
  vocabulary: 'byte-level' | 'r50k';
}

/** Every combination the correctness test covers. */
export const LEARN_TEST_MODELS: readonly LearnTestModel[] = [
  {
    file: 'learn-llama-f32.gguf',
    architecture: 'llama',
    weightType: 'f32',
    embeddingType: 'f32',
    tieEmbeddings: false,
    vocabulary: 'byte-level',
  },
  {
    file: 'learn-llama-f16-tied.gguf',
    architecture: 'llama',
    weightType: 'f16',
    embeddingType: 'f16',
    tieEmbeddings: true,
    vocabulary: 'byte-level',
  },
  {
    file: 'learn-llama-q8_0-bpe.gguf',
    architecture: 'llama',
    weightType: 'q8_0',
    embeddingType: 'q8_0',
    tieEmbeddings: true,
    vocabulary: 'r50k',
  },
  {
    file: 'learn-qwen2-f32.gguf',
    architecture: 'qwen2',
    weightType: 'f32',
    embeddingType: 'f32',
    tieEmbeddings: false,
    vocabulary: 'byte-level',
  },
  {
    file: 'learn-qwen3-f16.gguf',
    architecture: 'qwen3',
    weightType: 'f16',
    embeddingType: 'f32',
    tieEmbeddings: false,
    vocabulary: 'byte-level',
  },
  {
    file: 'learn-qwen2-q8_0.gguf',
    architecture: 'qwen2',
    weightType: 'q8_0',
    embeddingType: 'f16',
    tieEmbeddings: true,
    vocabulary: 'byte-level',
  },
];

/** Writes one test model into `directory` and returns its path. */
export function writeLearnTestModel(directory: string, model: LearnTestModel, seed = 11): string {
  const contents = buildTinyTransformer({
    architecture: model.architecture,
    name: `Polett Learn test ${model.file}`,
    vocabulary: model.vocabulary === 'r50k' ? r50kVocabulary() : byteLevelVocabulary(),
    layerCount: 2,
    embeddingLength: 64,
    headCount: 4,
    keyValueHeadCount: 2,
    feedForwardLength: 128,
    contextLength: 512,
    seed,
    weightType: model.weightType,
    embeddingType: model.embeddingType,
    tieEmbeddings: model.tieEmbeddings,
    // 0.02 (GPT-2's initialisation) makes every attention row nearly uniform at this width.
    weightStandardDeviation: 0.15,
  });
  const random = createSeededRandom(seed + 1000);
  for (const tensor of contents.tensors) {
    if (tensor.name.endsWith('norm.weight')) {
      for (let index = 0; index < tensor.values.length; index += 1) tensor.values[index] = 0.5 + random();
    }
  }
  const filePath = path.join(directory, model.file);
  writeGgufFile(filePath, contents);
  return filePath;
}

let sharedLlama: Promise<Llama> | undefined;

/** One CPU binding of llama.cpp for the process. */
export function llamaOnCpu(): Promise<Llama> {
  sharedLlama ??= getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
  return sharedLlama;
}

/**
 * llama.cpp's next-token probabilities after each of `tokenIds` (all positions, over the whole
 * vocabulary), from one evaluation of the sequence. With temperature 0 node-llama-cpp's greedy
 * sampler keeps every candidate, so each map is the softmax of the raw logits.
 */
export async function llamaCppProbabilities(
  modelPath: string,
  tokenIds: readonly number[],
  options: { threads?: number } = {},
): Promise<Float32Array[]> {
  const llama = await llamaOnCpu();
  const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
  try {
    const context = await model.createContext({
      contextSize: Math.max(256, tokenIds.length + 16),
      batchSize: Math.max(64, tokenIds.length),
      threads: options.threads ?? 1,
    });
    try {
      const sequence = context.getSequence();
      const results = await sequence.controlledEvaluate(
        tokenIds.map((token): ControlledEvaluateInputItem => [
          token as Token,
          { generateNext: { probabilities: true } },
        ]),
      );
      const embedding = model.fileInfo.tensorInfo?.find((tensor) => tensor.name === 'token_embd.weight');
      const vocabularySize = Number(embedding?.dimensions[1] ?? 0);
      return results.map((result) => {
        const probabilities = new Float32Array(vocabularySize);
        for (const [token, probability] of result?.next.probabilities ?? new Map<number, number>()) {
          probabilities[token] = probability;
        }
        return probabilities;
      });
    } finally {
      await context.dispose();
    }
  } finally {
    await model.dispose();
  }
}
