/**
 * Generates the tiny GGUF models the tests run node-llama-cpp on. They are real llama.cpp models
 * (random weights, real tokenizers), a few MB at most, written once into the test models folder
 * and rewritten only when their generator changes (see the stamp below).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import r50kRanks from 'gpt-tokenizer/bpeRanks/r50k_base';
import {
  buildTinyTransformer,
  GGUF_TOKEN_TYPES,
  writeGgufFile,
  type GgufBpeVocabulary,
} from './gguf-writer.js';

/** Byte-level `llama` model (one token per byte, no merges): the fast default for tests. */
export const TINY_GGUF_MODEL = 'tiny-llama.gguf';
/** `llama` model with GPT-2's real r50k vocabulary and merges: realistic token counts. */
export const TINY_GGUF_BPE_MODEL = 'tiny-llama-bpe.gguf';
/** `qwen3` model with a two-label (`yes`/`no`) ranking head: node-llama-cpp's ranking works on it. */
export const TINY_GGUF_RERANKER_MODEL = 'tiny-qwen3-reranker.gguf';

/** Bump to force regeneration when something outside the two source files changes the output. */
export const TINY_GGUF_GENERATOR_VERSION = 1;
const STAMP_FILE = 'tiny-gguf.stamp.json';

/**
 * The generator's identity: the version and a hash of this file and the writer, so that any change
 * to how the models are made regenerates them.
 */
function generatorHash(): string {
  const hash = createHash('sha256');
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const file of ['tiny-gguf.ts', 'gguf-writer.ts']) {
    const source = path.join(here, file);
    hash.update(existsSync(source) ? readFileSync(source) : file);
  }
  return hash.digest('hex').slice(0, 16);
}

/** ChatML, the format of Qwen and many others; node-llama-cpp recognises it from the template. */
export const CHATML_TEMPLATE =
  '{%- for message in messages -%}' +
  "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' -}}" +
  '{%- endfor -%}' +
  "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}";

/** Qwen3-Reranker's prompt shape, shortened; `{query}` and `{document}` are filled by node-llama-cpp. */
const RERANK_TEMPLATE =
  '<|im_start|>system\nJudge whether the Document meets the requirements based on the Query. ' +
  'Answer only "yes" or "no".<|im_end|>\n<|im_start|>user\n<Query>: {query}\n<Document>: {document}<|im_end|>\n' +
  '<|im_start|>assistant\n';

const SPECIAL_TOKENS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'] as const;

/**
 * GPT-2's reversible map from bytes to printable characters: byte-level BPE vocabularies (and so
 * GGUF's `gpt2` tokenizer) store every token in this alphabet, a space being `Ġ`.
 */
export function gpt2ByteToUnicode(): string[] {
  const printable: number[] = [];
  for (let byte = 0x21; byte <= 0x7e; byte += 1) printable.push(byte);
  for (let byte = 0xa1; byte <= 0xac; byte += 1) printable.push(byte);
  for (let byte = 0xae; byte <= 0xff; byte += 1) printable.push(byte);
  const table: string[] = new Array<string>(256);
  for (const byte of printable) table[byte] = String.fromCodePoint(byte);
  let next = 0;
  for (let byte = 0; byte < 256; byte += 1) {
    if (table[byte] === undefined) {
      table[byte] = String.fromCodePoint(256 + next);
      next += 1;
    }
  }
  return table;
}

function withSpecialTokens(tokens: string[], tokenTypes: number[], chatTemplate: string): GgufBpeVocabulary {
  const firstSpecial = tokens.length;
  for (const special of SPECIAL_TOKENS) {
    tokens.push(special);
    tokenTypes.push(GGUF_TOKEN_TYPES.control);
  }
  return {
    preTokenizer: 'gpt-2',
    tokens,
    tokenTypes,
    merges: [],
    beginningOfSequenceTokenId: firstSpecial, // <|endoftext|>
    endOfSequenceTokenId: firstSpecial + 2, // <|im_end|>: a chat turn ends the generation
    paddingTokenId: firstSpecial,
    addBeginningOfSequenceToken: false,
    chatTemplate,
  };
}

/** The 256 byte tokens (in byte order) plus the ChatML special tokens, no merges. */
export function byteLevelVocabulary(): GgufBpeVocabulary {
  const table = gpt2ByteToUnicode();
  return withSpecialTokens([...table], new Array<number>(256).fill(GGUF_TOKEN_TYPES.normal), CHATML_TEMPLATE);
}

function rankEntryToBytes(entry: string | number[]): Uint8Array {
  return typeof entry === 'string' ? Buffer.from(entry, 'utf8') : Uint8Array.from(entry);
}

/**
 * GPT-2's r50k vocabulary as GGUF needs it: tokens in rank order and the merges recovered from
 * the ranks. tiktoken-style files only list ranks; a token's merge is found by running BPE on
 * its bytes with the lower-ranked tokens only, which always ends in exactly two parts (the way
 * llama.cpp's convert script recovers merges for tiktoken models).
 */
export function r50kVocabulary(): GgufBpeVocabulary {
  const ranks = r50kRanks as (string | number[])[];
  const byteToUnicode = gpt2ByteToUnicode();
  const rankByKey = new Map<string, number>();
  const tokenBytes = ranks.map((entry, rank) => {
    const bytes = rankEntryToBytes(entry);
    rankByKey.set(Buffer.from(bytes).toString('latin1'), rank);
    return bytes;
  });
  const toUnicode = (bytes: Uint8Array) => Array.from(bytes, (byte) => byteToUnicode[byte]).join('');

  const merges: string[] = [];
  for (let rank = 0; rank < tokenBytes.length; rank += 1) {
    const bytes = tokenBytes[rank] ?? new Uint8Array();
    if (bytes.length < 2) continue;
    let parts = Array.from(bytes, (byte) => String.fromCharCode(byte));
    while (parts.length > 2) {
      let bestIndex = -1;
      let bestRank = rank;
      for (let index = 0; index + 1 < parts.length; index += 1) {
        const pairRank = rankByKey.get((parts[index] ?? '') + (parts[index + 1] ?? ''));
        if (pairRank !== undefined && pairRank < bestRank) {
          bestRank = pairRank;
          bestIndex = index;
        }
      }
      if (bestIndex < 0) break;
      parts = [
        ...parts.slice(0, bestIndex),
        (parts[bestIndex] ?? '') + (parts[bestIndex + 1] ?? ''),
        ...parts.slice(bestIndex + 2),
      ];
    }
    if (parts.length !== 2) throw new Error(`r50k token ${rank} does not split into one merge`);
    const [left, right] = parts.map((part) => toUnicode(Buffer.from(part, 'latin1')));
    merges.push(`${left} ${right}`);
  }

  const tokens = tokenBytes.map(toUnicode);
  const vocabulary = withSpecialTokens(
    tokens,
    new Array<number>(tokens.length).fill(GGUF_TOKEN_TYPES.normal),
    CHATML_TEMPLATE,
  );
  return { ...vocabulary, merges };
}

/** Shapes shared by the tiny models: 2 layers, 64 wide, grouped-query attention (4 heads, 2 for keys/values). */
const TINY_SHAPE = {
  layerCount: 2,
  embeddingLength: 64,
  headCount: 4,
  keyValueHeadCount: 2,
  feedForwardLength: 128,
  // node-llama-cpp's function-calling instructions alone are ~1,000 tokens at one token per byte.
  contextLength: 4096,
} as const;

interface TinyModelDefinition {
  file: string;
  write(filePath: string): void;
}

const TINY_MODELS: readonly TinyModelDefinition[] = [
  {
    file: TINY_GGUF_MODEL,
    write: (filePath) =>
      writeGgufFile(
        filePath,
        buildTinyTransformer({
          architecture: 'llama',
          name: 'Polett tiny llama (byte-level)',
          vocabulary: byteLevelVocabulary(),
          ...TINY_SHAPE,
          seed: 1,
          weightType: 'f32',
        }),
      ),
  },
  {
    file: TINY_GGUF_BPE_MODEL,
    // A 50k vocabulary at f32 would be 13 MB per matrix: q8_0 embeddings tied to the output and
    // f16 layers keep the file near 3.5 MB, and put all three encodings through llama.cpp.
    write: (filePath) =>
      writeGgufFile(
        filePath,
        buildTinyTransformer({
          architecture: 'llama',
          name: 'Polett tiny llama (GPT-2 r50k BPE)',
          vocabulary: r50kVocabulary(),
          ...TINY_SHAPE,
          seed: 2,
          weightType: 'f16',
          embeddingType: 'q8_0',
          tieEmbeddings: true,
        }),
      ),
  },
  {
    file: TINY_GGUF_RERANKER_MODEL,
    write: (filePath) =>
      writeGgufFile(
        filePath,
        buildTinyTransformer({
          architecture: 'qwen3',
          name: 'Polett tiny qwen3 reranker (byte-level)',
          vocabulary: byteLevelVocabulary(),
          ...TINY_SHAPE,
          seed: 3,
          classifierLabels: ['yes', 'no'],
          extraMetadata: { 'tokenizer.chat_template.rerank': RERANK_TEMPLATE },
        }),
      ),
  },
];

interface Stamp {
  version: number;
  generator: string;
  files: string[];
}

function readStamp(directory: string): Stamp | undefined {
  try {
    return JSON.parse(readFileSync(path.join(directory, STAMP_FILE), 'utf8')) as Stamp;
  } catch {
    return undefined;
  }
}

/**
 * Writes the tiny GGUF models into `directory` unless they are already there from the same
 * generator version.
 */
export async function ensureTinyGgufModels(directory: string): Promise<void> {
  const stamp = readStamp(directory);
  const generator = generatorHash();
  const upToDate =
    stamp?.version === TINY_GGUF_GENERATOR_VERSION &&
    stamp.generator === generator &&
    TINY_MODELS.every(
      (model) => stamp.files.includes(model.file) && existsSync(path.join(directory, model.file)),
    );
  if (upToDate) return;
  for (const model of TINY_MODELS) model.write(path.join(directory, model.file));
  const newStamp: Stamp = {
    version: TINY_GGUF_GENERATOR_VERSION,
    generator,
    files: TINY_MODELS.map((model) => model.file),
  };
  writeFileSync(path.join(directory, STAMP_FILE), `${JSON.stringify(newStamp, null, 2)}\n`);
}
