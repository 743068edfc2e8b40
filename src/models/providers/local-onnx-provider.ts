/**
 * ONNX encoders in-process through transformers.js (onnxruntime-node on the CPU): embeddings,
 * classification (a fine-tuned head, or zero-shot with an NLI model), reranking with a
 * cross-encoder, and token counting with the model's own tokenizer. Models are read from local
 * folders only; Polett downloads them itself, so transformers.js never reaches the network.
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type {
  AllTasks,
  FeatureExtractionPipeline,
  PreTrainedTokenizer,
  TextClassificationPipeline,
} from '@huggingface/transformers';
import { PolettError } from '../../errors.js';
import type {
  ClassificationBatchCallOptions,
  ClassificationCallOptions,
  ClassificationModel,
  ClassificationScore,
  EmbeddingModelV3,
  ModelProvider,
  RerankingModelV3,
  TokenCounter,
} from '../types.js';
import {
  assertModelFiles,
  describeModelFolder,
  type EmbeddingPooling,
  type LocalOnnxDtype,
  type ModelFolderDescription,
  modelFileInvalidError,
  onnxFileFor,
  readEmbeddingPooling,
  resolveModelFolder,
} from './local-onnx/model-folder.js';
import {
  type BatchLimits,
  type ClassifierConfig,
  ClassifierLoadError,
  ClassifierThreads,
  classifyWithOwnLabels,
  classifyZeroShot,
  type SequenceClassifier,
} from './local-onnx/batched-classification.js';

export { LOCAL_ONNX_DTYPES, type LocalOnnxDtype } from './local-onnx/model-folder.js';

/** The Swedish zero-shot hypothesis; `{}` is where the label goes. */
export const DEFAULT_HYPOTHESIS_TEMPLATE = 'Den här texten handlar om {}.';

/** Settings of one local ONNX provider; only `name` and `modelsDirectory` are required. */
export interface LocalOnnxProviderOptions {
  /** The provider's name in the configuration. */
  name: string;
  /** Where relative model ids resolve (`<modelsDirectory>/<modelId>`); absolute folder paths are used as they are. */
  modelsDirectory: string;
  /** Which weight file to load: fp32 is `onnx/model.onnx`, q8 `onnx/model_quantized.onnx`... Default fp32. */
  dtype?: LocalOnnxDtype | undefined;
  /**
   * CPU threads a model may use; default: the core count. Classification runs them as separate
   * sessions of one thread each (at most {@link MAX_CLASSIFICATION_SESSIONS}, the rest as operator
   * threads inside them); embedding and reranking as operator threads of one session.
   */
  threads?: number | undefined;
  /** Zero-shot hypothesis when a call gives none. Default {@link DEFAULT_HYPOTHESIS_TEMPLATE}. */
  hypothesisTemplate?: string | undefined;
  /** Texts per forward pass when embedding, classifying or reranking; bounds memory. Default 32. */
  batchSize?: number | undefined;
  /** Scale embeddings to length 1, so that a dot product is the cosine similarity. Default true. */
  normalizeEmbeddings?: boolean | undefined;
}

/** A local ONNX provider: every model has a tokenizer, and `close()` frees the loaded sessions. */
export interface LocalOnnxProvider extends ModelProvider {
  tokenCounter(modelId: string): TokenCounter;
  close(): Promise<void>;
}

type TransformersModule = typeof import('@huggingface/transformers');
type PipelineTask = 'feature-extraction' | 'text-classification' | 'zero-shot-classification';

let transformersModule: Promise<TransformersModule> | undefined;

/**
 * transformers.js is imported on first use: it brings onnxruntime with it, which nothing else in
 * Polett should pay for at start-up.
 */
function loadTransformers(): Promise<TransformersModule> {
  transformersModule ??= import('@huggingface/transformers').then((module) => {
    // Polett fetches models itself (and air-gapped sites have none to fetch): a missing local file
    // must be an error here, never a silent download from the hub.
    module.env.allowRemoteModels = false;
    return module;
  });
  return transformersModule;
}

interface EmbeddingPipeline {
  extractor: FeatureExtractionPipeline;
  pooling: EmbeddingPooling;
}

interface RerankingPipeline {
  classifier: TextClassificationPipeline;
  sigmoid: boolean;
}

/** A lazily loaded, cached value; a failed load is forgotten so that the next call tries again. */
class LoadCache<Value> {
  private readonly entries = new Map<string, Promise<Value>>();

  get(key: string, load: () => Promise<Value>): Promise<Value> {
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = load();
      this.entries.set(key, entry);
      const loading = entry;
      // Only this load's own entry: after a drain the key may already hold a newer one.
      loading.catch(() => {
        if (this.entries.get(key) === loading) this.entries.delete(key);
      });
    }
    return entry;
  }

  /** Forgets a key's value, if it is still `entry`, so that the next `get` loads it anew. */
  forget(key: string, entry: Promise<Value>): void {
    if (this.entries.get(key) === entry) this.entries.delete(key);
  }

  /** Empties the cache and returns what had loaded. */
  async drain(): Promise<Value[]> {
    const pending = [...this.entries.values()];
    this.entries.clear();
    const settled = await Promise.allSettled(pending);
    return settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  }
}

function chunk<Item>(items: readonly Item[], size: number): Item[][] {
  const chunks: Item[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

/**
 * Padded tokens per classification batch at most: 32 texts of 256 tokens. Longer texts go in
 * smaller batches, so that attention's memory (batch × heads × length²) stays bounded.
 */
const MAX_CLASSIFICATION_BATCH_TOKENS = 8192;
/**
 * Texts are batched with others of nearly their length: at most a tenth of a batch is padding.
 * On a CPU a batch of a few texts already fills the matrix units (a text of 60 tokens is a 60-row
 * product), so a bigger batch gains little and its padding costs in full.
 */
const MAX_CLASSIFICATION_PADDING_SHARE = 0.1;

/**
 * Classification sessions of one model at most. Each holds its own copy of the weights (a base
 * encoder: some 110 to 250 MB in int8, by the size of its vocabulary, 4 times that in fp32), so the
 * count stays small; two already keep two cores busy without the wait at every operator that two
 * threads of one session have.
 */
export const MAX_CLASSIFICATION_SESSIONS = 2;

/** A sequence classifier loaded for batched calls: sessions on threads, tokenizer, config. */
interface LoadedClassifier {
  threads: ClassifierThreads;
  tokenizer: PreTrainedTokenizer;
  config: ClassifierConfig;
}

/**
 * Whether the asked labels are the model's own (in any case): a fine-tuned sentiment model asked
 * for positive, neutral and negative answers with its head instead of failing as a zero-shot model.
 */
function ownLabelsAsked(modelLabels: readonly string[], asked: readonly string[]): boolean {
  const own = new Set(modelLabels.map((label) => label.toLowerCase()));
  const wanted = new Set(asked.map((label) => label.toLowerCase()));
  return own.size === wanted.size && [...wanted].every((label) => own.has(label));
}

function sigmoid(value: number): number {
  return 1 / (1 + Math.exp(-value));
}

function cannotDo(
  modelId: string,
  what: { sv: string; en: string },
  advice: { sv: string; en: string },
): PolettError {
  return new PolettError({
    code: 'model_task_unsupported',
    status: 400,
    field: 'model',
    message: {
      sv: `Modellen ${modelId} ${what.sv}; ${advice.sv}.`,
      en: `The model ${modelId} ${what.en}; ${advice.en}.`,
    },
  });
}

/** Creates the provider. Nothing is loaded until a model is first used. */
export function createLocalOnnxProvider(userOptions: LocalOnnxProviderOptions): LocalOnnxProvider {
  const options = {
    name: userOptions.name,
    modelsDirectory: userOptions.modelsDirectory,
    dtype: userOptions.dtype ?? 'fp32',
    threads: userOptions.threads,
    hypothesisTemplate: userOptions.hypothesisTemplate ?? DEFAULT_HYPOTHESIS_TEMPLATE,
    batchSize: userOptions.batchSize ?? 32,
    normalizeEmbeddings: userOptions.normalizeEmbeddings ?? true,
  };
  const onnxFile = onnxFileFor(options.dtype);
  const embeddingPipelines = new LoadCache<EmbeddingPipeline>();
  const classifiers = new LoadCache<LoadedClassifier>();
  const rerankingPipelines = new LoadCache<RerankingPipeline>();
  const tokenizers = new LoadCache<PreTrainedTokenizer>();

  /** The config of a model, or undefined when it cannot be read yet (the first call will say why). */
  function inspect(modelId: string): ModelFolderDescription | undefined {
    try {
      return describeModelFolder(modelId, resolveModelFolder(options.modelsDirectory, modelId));
    } catch {
      return undefined;
    }
  }

  /** Resolves, checks and describes a model folder before anything heavy is loaded. */
  function prepare(
    modelId: string,
    withWeights: boolean,
  ): { folder: string; description: ModelFolderDescription } {
    const folder = resolveModelFolder(options.modelsDirectory, modelId);
    assertModelFiles(modelId, folder, withWeights ? onnxFile : undefined);
    const description = describeModelFolder(modelId, folder);
    if (description === undefined)
      throw modelFileInvalidError(modelId, folder, new Error('config.json unreadable'));
    return { folder, description };
  }

  async function loadPipeline<Task extends PipelineTask>(
    task: Task,
    modelId: string,
    folder: string,
  ): Promise<AllTasks[Task]> {
    const transformers = await loadTransformers();
    try {
      return await transformers.pipeline(task, folder, {
        local_files_only: true,
        device: 'cpu',
        dtype: options.dtype,
        ...(options.threads === undefined ? {} : { session_options: { intraOpNumThreads: options.threads } }),
      });
    } catch (error) {
      if (error instanceof PolettError) throw error;
      // The files were there (checked above), so a failure here is a file that does not parse:
      // almost always a truncated download of the ONNX weights.
      throw modelFileInvalidError(modelId, path.join(folder, onnxFile), error);
    }
  }

  function embeddingPipeline(modelId: string): Promise<EmbeddingPipeline> {
    return embeddingPipelines.get(modelId, async () => {
      const { folder, description } = prepare(modelId, true);
      if (description.isSequenceClassifier) {
        throw cannotDo(
          modelId,
          {
            sv: 'är en klassificerare och ger inga inbäddningar',
            en: 'is a classifier and gives no embeddings',
          },
          { sv: 'välj en inbäddningsmodell för uppgiften', en: 'choose an embedding model for the task' },
        );
      }
      const pooling = readEmbeddingPooling(modelId, folder);
      return { extractor: await loadPipeline('feature-extraction', modelId, folder), pooling };
    });
  }

  /**
   * The classifier's sessions on worker threads (shared by its own-label and zero-shot calls), with
   * its tokenizer and config: no transformers.js pipeline, whose session would be one more copy of
   * the weights.
   */
  function loadedClassifier(modelId: string): Promise<LoadedClassifier> {
    return classifiers.get(modelId, async () => {
      const { folder } = prepare(modelId, true);
      const transformers = await loadTransformers();
      const [loadedTokenizer, config] = await Promise.all([
        tokenizer(modelId),
        transformers.AutoConfig.from_pretrained(folder, { local_files_only: true }).catch(
          (error: unknown) => {
            throw modelFileInvalidError(modelId, path.join(folder, 'config.json'), error);
          },
        ),
      ]);
      const threadBudget = Math.max(1, options.threads ?? availableParallelism());
      const sessions = Math.min(MAX_CLASSIFICATION_SESSIONS, threadBudget);
      try {
        const threads = await ClassifierThreads.start({
          folder,
          dtype: options.dtype,
          sessions,
          intraOpThreads: Math.max(1, Math.floor(threadBudget / sessions)),
        });
        return { threads, tokenizer: loadedTokenizer, config: config as ClassifierConfig };
      } catch (error) {
        // The files were there (checked above): a session that does not load is a file that does
        // not parse, almost always a truncated download of the ONNX weights.
        if (error instanceof ClassifierLoadError)
          throw modelFileInvalidError(modelId, path.join(folder, onnxFile), error);
        throw error;
      }
    });
  }

  /** transformers.js would otherwise guess label 2 as entailment and return confident nonsense. */
  function assertZeroShotCapable(modelId: string): void {
    const { description } = prepare(modelId, true);
    if (!Object.keys(description.label2id).some((label) => label.toLowerCase() === 'entailment')) {
      throw cannotDo(
        modelId,
        {
          sv: 'har ingen etikett entailment och kan inte klassificera mot egna etiketter (zero-shot)',
          en: 'has no entailment label and cannot classify against given labels (zero-shot)',
        },
        {
          sv: 'välj en NLI-modell för zero-shot, eller klassificera utan etiketter med modellens egna',
          en: "choose an NLI model for zero-shot, or classify without labels using the model's own",
        },
      );
    }
  }

  function rerankingPipeline(modelId: string): Promise<RerankingPipeline> {
    return rerankingPipelines.get(modelId, async () => {
      const { folder, description } = prepare(modelId, true);
      if (!description.isCrossEncoder) {
        throw cannotDo(
          modelId,
          {
            sv: 'är ingen cross-encoder och kan inte rangordna',
            en: 'is not a cross-encoder and cannot rerank',
          },
          {
            sv: 'välj en cross-encoder (en klassificerare med en enda utdata) för omrangordning',
            en: 'choose a cross-encoder (a classifier with a single output) for reranking',
          },
        );
      }
      const classifier = await loadPipeline('text-classification', modelId, folder);
      return { classifier, sigmoid: description.crossEncoderSigmoid };
    });
  }

  function tokenizer(modelId: string): Promise<PreTrainedTokenizer> {
    return tokenizers.get(modelId, async () => {
      const folder = resolveModelFolder(options.modelsDirectory, modelId);
      assertModelFiles(modelId, folder);
      const transformers = await loadTransformers();
      try {
        return await transformers.AutoTokenizer.from_pretrained(folder, { local_files_only: true });
      } catch (error) {
        throw modelFileInvalidError(modelId, path.join(folder, 'tokenizer.json'), error);
      }
    });
  }

  function embeddingModel(modelId: string): EmbeddingModelV3 | undefined {
    if (inspect(modelId)?.isSequenceClassifier) return undefined;
    return {
      specificationVersion: 'v3',
      provider: options.name,
      modelId,
      maxEmbeddingsPerCall: options.batchSize,
      // One CPU runtime: parallel calls would only compete for the same cores.
      supportsParallelCalls: false,
      async doEmbed({ values, abortSignal }) {
        abortSignal?.throwIfAborted();
        if (values.length === 0) return { embeddings: [], usage: { tokens: 0 }, warnings: [] };
        const { extractor, pooling } = await embeddingPipeline(modelId);
        const embeddings: number[][] = [];
        let tokens = 0;
        // Batches bound memory: each is padded to its longest text.
        for (const batch of chunk(values, options.batchSize)) {
          abortSignal?.throwIfAborted();
          const output = await extractor(batch, { pooling, normalize: options.normalizeEmbeddings });
          embeddings.push(...(output.tolist() as number[][]));
          const { attention_mask: mask } = extractor.tokenizer(batch, { padding: true, truncation: true });
          for (const value of mask.data as BigInt64Array) tokens += Number(value);
        }
        return { embeddings, usage: { tokens }, warnings: [] };
      },
    };
  }

  function classificationModel(modelId: string): ClassificationModel | undefined {
    const description = inspect(modelId);
    if (
      description &&
      (description.isCrossEncoder ||
        (description.architectures.length > 0 && !description.isSequenceClassifier))
    ) {
      return undefined;
    }
    const limits: BatchLimits = {
      batchSize: options.batchSize,
      maxBatchTokens: MAX_CLASSIFICATION_BATCH_TOKENS,
      maxPaddingShare: MAX_CLASSIFICATION_PADDING_SHARE,
    };
    const sequenceClassifier = async (): Promise<SequenceClassifier> => {
      const entry = loadedClassifier(modelId);
      let loaded = await entry;
      if (loaded.threads.failed) {
        // A thread died (out of memory, say): its sessions are replaced by fresh ones.
        classifiers.forget(modelId, entry);
        await loaded.threads.close();
        loaded = await loadedClassifier(modelId);
      }
      const { threads, tokenizer: loadedTokenizer, config } = loaded;
      return {
        tokenizer: loadedTokenizer,
        config,
        forward: (batch) => threads.forward(batch),
        parallelism: threads.parallelism,
      };
    };
    /** Every text's scores, best first; the texts run in length-sorted batches, one forward pass each. */
    async function classifyBatch(call: ClassificationBatchCallOptions): Promise<ClassificationScore[][]> {
      call.abortSignal?.throwIfAborted();
      if (call.texts.length === 0) return [];
      const modelLabels = inspect(modelId)?.labels ?? [];
      let results: ClassificationScore[][];
      if (call.labels.length > 0 && !ownLabelsAsked(modelLabels, call.labels)) {
        const template = call.hypothesisTemplate ?? options.hypothesisTemplate;
        if (!template.includes('{}')) {
          throw new PolettError({
            code: 'hypothesis_template_invalid',
            status: 400,
            field: 'hypothesisTemplate',
            message: {
              sv: `Hypotesmallen "${template}" saknar {} där etiketten ska stå; skriv till exempel "${DEFAULT_HYPOTHESIS_TEMPLATE}".`,
              en: `The hypothesis template "${template}" lacks the {} where the label goes; write for example "This text is about {}.".`,
            },
          });
        }
        assertZeroShotCapable(modelId);
        results = await classifyZeroShot(
          await sequenceClassifier(),
          call.texts,
          { labels: call.labels, hypothesisTemplate: template, multiLabel: call.multiLabel ?? false },
          limits,
          { signal: call.abortSignal, onProgress: call.onProgress },
        );
      } else {
        // The model's own head decides between softmax and sigmoid (its config's problem_type).
        results = await classifyWithOwnLabels(await sequenceClassifier(), call.texts, limits, {
          signal: call.abortSignal,
          onProgress: call.onProgress,
        });
        if (call.labels.length > 0) {
          // Answer in the spelling asked for: "NEGATIVE" from the model is "negative" to the caller.
          const asked = new Map(call.labels.map((label) => [label.toLowerCase(), label]));
          results = results.map((scores) =>
            scores.map(({ label, score }) => ({ label: asked.get(label.toLowerCase()) ?? label, score })),
          );
        }
      }
      call.abortSignal?.throwIfAborted();
      return results;
    }
    return {
      provider: options.name,
      modelId,
      async doClassify({ text, ...call }: ClassificationCallOptions) {
        const [scores] = await classifyBatch({ ...call, texts: [text] });
        return { scores: scores ?? [] };
      },
      async doClassifyBatch(call: ClassificationBatchCallOptions) {
        return { results: await classifyBatch(call) };
      },
    };
  }

  function rerankingModel(modelId: string): RerankingModelV3 | undefined {
    const description = inspect(modelId);
    if (description && !description.isCrossEncoder) return undefined;
    return {
      specificationVersion: 'v3',
      provider: options.name,
      modelId,
      async doRerank({ documents, query, topN, abortSignal }) {
        abortSignal?.throwIfAborted();
        const texts =
          documents.type === 'text'
            ? documents.values
            : documents.values.map((value) => JSON.stringify(value));
        if (texts.length === 0) return { ranking: [] };
        const { classifier, sigmoid: useSigmoid } = await rerankingPipeline(modelId);
        const relevance: number[] = [];
        for (const batch of chunk(texts, options.batchSize)) {
          abortSignal?.throwIfAborted();
          const inputs = classifier.tokenizer(
            batch.map(() => query),
            { text_pair: batch, padding: true, truncation: true },
          );
          const { logits } = (await classifier.model(inputs)) as {
            logits: { data: Float32Array; dims: number[] };
          };
          const width = logits.dims.at(-1) ?? 1;
          for (let row = 0; row < batch.length; row += 1) {
            const logit = logits.data[row * width] ?? 0;
            relevance.push(useSigmoid ? sigmoid(logit) : logit);
          }
        }
        const ranking = relevance
          .map((relevanceScore, index) => ({ index, relevanceScore }))
          .sort((first, second) => second.relevanceScore - first.relevanceScore);
        return { ranking: topN === undefined ? ranking : ranking.slice(0, topN) };
      },
    };
  }

  function tokenCounter(modelId: string): TokenCounter {
    // Without [CLS] and [SEP]: the count is of the text itself, comparable to other tokenizers.
    const encode = async (text: string): Promise<number[]> =>
      (await tokenizer(modelId)).encode(text, { add_special_tokens: false });
    return {
      provider: options.name,
      modelId,
      tokenizerName: `onnx:${modelId}`,
      countTokens: async (text) => (await encode(text)).length,
      encode,
    };
  }

  return {
    name: options.name,
    type: 'local-onnx',
    remote: false,
    // Encoders do not generate text.
    languageModel: () => undefined,
    embeddingModel,
    rerankingModel,
    classificationModel,
    tokenCounter,
    async close() {
      const loaded = [
        ...(await embeddingPipelines.drain()).map(({ extractor }) => extractor),
        ...(await rerankingPipelines.drain()).map(({ classifier }) => classifier),
      ];
      await Promise.allSettled((await classifiers.drain()).map(({ threads }) => threads.close()));
      await tokenizers.drain();
      await Promise.allSettled(loaded.map((pipeline) => pipeline.dispose()));
    },
  };
}
