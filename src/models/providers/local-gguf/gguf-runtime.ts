/**
 * The native side of the local GGUF provider: one llama.cpp binding per process (per GPU mode),
 * models loaded lazily once and cached by file, and per model the contexts each task needs, made
 * on first use: a chat context with N sequences, an embedding context and a ranking context.
 */
import { availableParallelism } from 'node:os';
import {
  getLlama,
  InsufficientMemoryError,
  LlamaLogLevel,
  resolveChatWrapper,
  type ChatWrapper,
  type Llama,
  type LlamaEmbeddingContext,
  type LlamaGrammar,
  type LlamaModel,
  type LlamaRankingContext,
} from 'node-llama-cpp';
import { PolettError } from '../../../errors.js';
import {
  assertModelFileExists,
  modelCapabilityMissingError,
  modelFileInvalidError,
  modelOutOfMemoryError,
  resolveModelPath,
} from './model-files.js';
import { SequencePool } from './sequence-pool.js';

export interface GgufRuntimeSettings {
  modelsDirectory: string;
  gpu: 'auto' | false;
  /** Tokens per sequence; capped at what the model was trained on. */
  contextSize: number;
  threads: number;
  parallelSequences: number;
}

const sharedLlamas = new Map<string, Promise<Llama>>();
/** llama.cpp reports why a load failed only in its log: the last error lines explain the next failure. */
const recentNativeErrors: string[] = [];

/**
 * One binding per GPU mode for the whole process: loading the native addon twice wastes memory,
 * and every provider can share it. `build: 'never'` because a server must not start compiling
 * llama.cpp (or reach the network) when a prebuilt binary is missing.
 */
function getSharedLlama(gpu: 'auto' | false): Promise<Llama> {
  const key = gpu === 'auto' ? 'auto' : 'cpu';
  let llama = sharedLlamas.get(key);
  if (llama === undefined) {
    llama = getLlama({
      gpu: gpu === 'auto' ? 'auto' : false,
      build: 'never',
      progressLogs: false,
      logLevel: LlamaLogLevel.warn,
      logger: (level, message) => {
        const text = message.trim();
        if (text.length === 0) return;
        if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) {
          recentNativeErrors.push(text);
          if (recentNativeErrors.length > 20) recentNativeErrors.shift();
        }
        // The pooling notice appears every time a ranking context is made and is expected there;
        // a failed load is reported once, in the PolettError that quotes the reason recorded above.
        if (level === LlamaLogLevel.warn && text.includes('pooling_type')) return;
        if (/llama_model_load|gguf_init_from|failed to load model/.test(text)) return;
        if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal || level === LlamaLogLevel.warn) {
          process.stderr.write(`[node-llama-cpp] ${text}\n`);
        }
      },
    }).catch((error: unknown) => {
      sharedLlamas.delete(key);
      throw new PolettError({
        code: 'local_runtime_unavailable',
        status: 503,
        retryable: false,
        cause: error,
        message: {
          sv: `Den lokala modellmotorn (node-llama-cpp) kunde inte starta på den här datorn (${error instanceof Error ? error.message : String(error)}). Kör \`polett doctor\`, eller använd en fjärrleverantör.`,
          en: `The local model runtime (node-llama-cpp) could not start on this machine (${error instanceof Error ? error.message : String(error)}). Run \`polett doctor\`, or use a remote provider.`,
        },
      });
    });
    sharedLlamas.set(key, llama);
  }
  return llama;
}

/**
 * A best default for `threads`: every core but one. llama.cpp's threads spin while they wait, so
 * a thread more than there are free cores slows generation many times over; Polett's own event
 * loop (HTTP, SQLite, tokenising) needs a core too. On 2 cores, measured under load, one thread
 * evaluated 64 tokens in 0.7 s where two took 3.9 s (bench/learn-forward.ts).
 */
export function defaultThreadCount(): number {
  return Math.max(1, availableParallelism() - 1);
}

/** One loaded GGUF model and the contexts made for it so far. */
export class LoadedGgufModel {
  readonly chatWrapper: ChatWrapper;
  readonly contextSize: number;
  private chatPool: Promise<SequencePool> | undefined;
  private embeddingContext: Promise<LlamaEmbeddingContext> | undefined;
  private rankingContext: Promise<LlamaRankingContext> | undefined;
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();

  constructor(
    readonly modelId: string,
    readonly llama: Llama,
    readonly model: LlamaModel,
    private readonly settings: GgufRuntimeSettings,
  ) {
    // Resolved once from the GGUF's own chat template (or its architecture) for every sequence.
    this.chatWrapper = resolveChatWrapper(model);
    this.contextSize = Math.min(settings.contextSize, model.trainContextSize || settings.contextSize);
  }

  /** The chat context, with `parallelSequences` sequences. */
  sequences(): Promise<SequencePool> {
    this.chatPool ??= this.createContext(
      async () => {
        const context = await this.model.createContext({
          contextSize: this.contextSize,
          sequences: this.settings.parallelSequences,
          threads: this.settings.threads,
        });
        return new SequencePool(context, this.chatWrapper);
      },
      (pool) => (this.chatPool = pool),
    );
    return this.chatPool;
  }

  embeddings(): Promise<LlamaEmbeddingContext> {
    this.embeddingContext ??= this.createContext(
      () =>
        this.model.createEmbeddingContext({
          contextSize: this.contextSize,
          // A pooled embedding needs the whole input in one batch.
          batchSize: this.contextSize,
          threads: this.settings.threads,
        }),
      (context) => (this.embeddingContext = context),
    );
    return this.embeddingContext;
  }

  ranking(): Promise<LlamaRankingContext> {
    if (!this.model.fileInsights.supportsRanking) {
      return Promise.reject(modelCapabilityMissingError(this.modelId, 'rerank'));
    }
    this.rankingContext ??= this.createContext(
      () =>
        this.model.createRankingContext({
          contextSize: this.contextSize,
          batchSize: this.contextSize,
          threads: this.settings.threads,
        }),
      (context) => (this.rankingContext = context),
    );
    return this.rankingContext;
  }

  /** A grammar per distinct JSON schema, compiled once (schemas repeat across calls). */
  grammarFor(key: string, create: () => Promise<LlamaGrammar>): Promise<LlamaGrammar> {
    let grammar = this.grammars.get(key);
    if (grammar === undefined) {
      if (this.grammars.size >= 64) {
        const oldest = this.grammars.keys().next().value;
        if (oldest !== undefined) this.grammars.delete(oldest);
      }
      grammar = create();
      grammar.catch(() => this.grammars.delete(key));
      this.grammars.set(key, grammar);
    }
    return grammar;
  }

  private createContext<T>(create: () => Promise<T>, reset: (value: undefined) => void): Promise<T> {
    const created = create().catch((error: unknown) => {
      // Forget the failure so that a later call (with more free memory) tries again.
      reset(undefined);
      throw error instanceof InsufficientMemoryError ||
        (error instanceof Error && /out of memory|insufficient memory|VRAM/i.test(error.message))
        ? modelOutOfMemoryError(this.modelId, error)
        : error;
    });
    return created;
  }

  async dispose(): Promise<void> {
    const contexts = [this.chatPool, this.embeddingContext, this.rankingContext];
    this.chatPool = this.embeddingContext = this.rankingContext = undefined;
    for (const context of contexts) {
      const resolved = await context?.catch(() => undefined);
      await resolved?.dispose();
    }
    if (!this.model.disposed) await this.model.dispose();
  }
}

/** Loads models on first use and keeps them until `close()`. */
export class GgufRuntime {
  private readonly models = new Map<string, Promise<LoadedGgufModel>>();
  private closed = false;

  constructor(readonly settings: GgufRuntimeSettings) {}

  /** The model behind an id, loading it on first use; a failed load is forgotten so it can be retried. */
  load(modelId: string): Promise<LoadedGgufModel> {
    if (this.closed) {
      return Promise.reject(
        new PolettError({
          code: 'provider_closed',
          status: 503,
          message: {
            sv: 'Den lokala modelleverantören har stängts. Starta om Polett.',
            en: 'The local model provider has been closed. Restart Polett.',
          },
        }),
      );
    }
    let filePath: string;
    try {
      filePath = resolveModelPath(this.settings.modelsDirectory, modelId);
    } catch (error) {
      return Promise.reject(error);
    }
    let loaded = this.models.get(filePath);
    if (loaded === undefined) {
      loaded = this.loadFile(modelId, filePath);
      loaded.catch(() => this.models.delete(filePath));
      this.models.set(filePath, loaded);
    }
    return loaded;
  }

  private async loadFile(modelId: string, filePath: string): Promise<LoadedGgufModel> {
    assertModelFileExists(modelId, filePath);
    const llama = await getSharedLlama(this.settings.gpu);
    const errorsBefore = recentNativeErrors.length;
    let model: LlamaModel;
    try {
      model = await llama.loadModel({
        modelPath: filePath,
        ...(this.settings.gpu === false ? { gpuLayers: 0 } : {}),
      });
    } catch (error) {
      if (error instanceof InsufficientMemoryError) throw modelOutOfMemoryError(modelId, error);
      // Prefer llama.cpp's own reason ("tensor ... data is not within the file bounds") to the
      // generic "Failed to load model".
      const nativeReason = recentNativeErrors
        .slice(Math.min(errorsBefore, recentNativeErrors.length))
        .reverse()
        .find((line) => line.includes('error loading model'));
      throw modelFileInvalidError(
        modelId,
        filePath,
        nativeReason === undefined ? error : new Error(nativeReason, { cause: error }),
      );
    }
    try {
      return new LoadedGgufModel(modelId, llama, model, this.settings);
    } catch (error) {
      await model.dispose();
      throw modelFileInvalidError(modelId, filePath, error);
    }
  }

  /** Frees every model and context. The shared binding stays: other providers may use it. */
  async close(): Promise<void> {
    this.closed = true;
    const models = [...this.models.values()];
    this.models.clear();
    for (const model of models) {
      const loaded = await model.catch(() => undefined);
      await loaded?.dispose();
    }
  }
}
