/**
 * The registry turns the configuration into models: it creates each provider once, resolves model
 * aliases (and local models registered with `polett models pull/add`), and hands each task a
 * fallback chain with retries, timeouts, concurrency limits, PII redaction for remote providers
 * and the usage ledger around it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { wrapEmbeddingModel, wrapLanguageModel } from 'ai';
import type { FetchFunction } from '@ai-sdk/provider-utils';
import {
  ONNX_DTYPES,
  type ModelConfig,
  type OnnxDtype,
  type PolettConfig,
  type ProviderConfig,
} from '../config/index.js';
import { PolettError, toPolettError, type LocalizedText } from '../errors.js';
import type { LocalModelRecord, Storage, UsageRecord } from '../storage/types.js';
import {
  deferredClassificationModel,
  deferredEmbeddingModel,
  deferredLanguageModel,
  deferredRerankingModel,
  deferredTokenCounter,
} from './deferred-models.js';
import { createPiiEmbeddingRedactionMiddleware, createPiiRedactionMiddleware } from './pii/index.js';
import { createAnthropicProvider } from './providers/anthropic-provider.js';
import { createChatClassificationModel } from './providers/chat-classification-model.js';
import { createOpenAICompatibleProvider } from './providers/openai-compatible-provider.js';
import {
  ResilientClassificationModel,
  ResilientEmbeddingModel,
  ResilientLanguageModel,
  ResilientRerankingModel,
  type CallSettings,
  type ChainContext,
  type ChainLink,
  type UsageRecorder,
} from './resilient-models.js';
import { Semaphore } from './semaphore.js';
import { taskHint } from './task-hint.js';
import type { ModelProvider, ModelTask, ProviderType, TokenCounter } from './types.js';

/** The implicit provider names used for registered local models when the configuration names none. */
export const IMPLICIT_GGUF_PROVIDER = 'local';
export const IMPLICIT_ONNX_PROVIDER = 'local-onnx';

export interface ModelRegistryOptions {
  config: PolettConfig;
  /** For API keys stored as secrets, registered local models, and the usage ledger. */
  storage?: Storage | undefined;
  env?: NodeJS.ProcessEnv;
  /** Replaces fetch for remote providers (tests). */
  fetch?: FetchFunction;
  /** Overrides the retry delays (tests use a few milliseconds). */
  retryDelays?: Partial<Pick<CallSettings, 'retryBaseDelayMs' | 'retryMaxDelayMs'>>;
}

/** One alias as the registry sees it: for listings, health and `polett models list`. */
export interface ModelDescription {
  alias: string;
  provider: string;
  providerType: ProviderType;
  model: string;
  remote: boolean;
  tasks: ModelTask[];
  /** Absolute path for local models. */
  path?: string;
  /** Why this model cannot be used now, with what to do; undefined when it looks ready. */
  problem?: LocalizedText;
}

export interface TaskStatus {
  task: ModelTask;
  ready: boolean;
  models: string[];
  /** What to pull or configure when the task has no usable model. */
  hint?: { sv: string; en: string };
}

interface ResolvedModel {
  alias: string;
  config: ModelConfig;
  record?: LocalModelRecord;
}

const NO_USAGE_RECORDER: UsageRecorder = { record: () => {} };
const LOCAL_MODELS_REREAD_MS = 2000;

export class ModelRegistry {
  private readonly providers = new Map<string, ModelProvider>();
  private readonly semaphores = new Map<string, Semaphore>();
  private readonly providerModels = new Map<string, unknown>();
  private providerConfigs: Record<string, ProviderConfig>;
  private models: Record<string, ModelConfig>;
  private readonly localRecords = new Map<string, LocalModelRecord>();
  /** When the registered local models were last read; see `syncRegisteredLocalModels`. */
  private localModelsReadAt = 0;
  readonly modelsDirectory: string;

  constructor(private options: ModelRegistryOptions) {
    const { config } = options;
    this.modelsDirectory = path.join(config.dataDir, 'models');
    this.providerConfigs = { ...config.providers };
    this.models = { ...config.models };
    this.syncRegisteredLocalModels(true);
  }

  /**
   * Re-reads the models registered with `polett models pull/add` (by this process's jobs or by a
   * CLI beside the server), at most every couple of seconds, so a model pulled while Polett runs is
   * usable without a restart. `force` reads now (after a pull job has registered one).
   */
  syncRegisteredLocalModels(force = false): void {
    const now = Date.now();
    if (!force && now - this.localModelsReadAt < LOCAL_MODELS_REREAD_MS) return;
    this.localModelsReadAt = now;
    this.localRecords.clear();
    this.models = { ...this.options.config.models };
    this.addRegisteredLocalModels();
  }

  /**
   * Models registered with `polett models pull/add` are usable without editing the configuration:
   * each gets an alias of its own name on an implicit local provider, unless the configuration
   * already uses that name.
   */
  private addRegisteredLocalModels(): void {
    for (const record of this.options.storage?.localModels.list() ?? []) {
      this.localRecords.set(record.name, record);
      if (record.format === 'other' || record.name in this.models) continue;
      // transformers.js takes the precision per provider, so each precision pulled gets its own implicit provider.
      const dtype: OnnxDtype = ONNX_DTYPES.includes(record.details.onnxDtype as OnnxDtype)
        ? (record.details.onnxDtype as OnnxDtype)
        : 'fp32';
      const providerName =
        record.format === 'gguf'
          ? IMPLICIT_GGUF_PROVIDER
          : dtype === 'fp32'
            ? IMPLICIT_ONNX_PROVIDER
            : `${IMPLICIT_ONNX_PROVIDER}-${dtype}`;
      if (!(providerName in this.providerConfigs)) {
        this.providerConfigs[providerName] =
          record.format === 'gguf'
            ? {
                type: 'local-gguf',
                gpu: false,
                contextSize: 4096,
                parallelSequences: 2,
                maxRetries: 0,
                timeoutMs: 300_000,
                maxConcurrency: 2,
              }
            : {
                type: 'local-onnx',
                dtype,
                maxRetries: 0,
                timeoutMs: 300_000,
                maxConcurrency: 4,
              };
      }
      if (
        this.providerConfigs[providerName]!.type !== (record.format === 'gguf' ? 'local-gguf' : 'local-onnx')
      ) {
        continue;
      }
      this.models[record.name] = { provider: providerName, model: record.name };
    }
  }

  /**
   * Takes a changed configuration while Polett runs (a provider saved from the web app). Providers
   * whose settings changed or that are gone are rebuilt on their next use; the others keep what
   * they have loaded. Calls already running finish on what they started with.
   */
  reconfigure(config: PolettConfig, options: { rebuild?: string[] } = {}): void {
    const previous = this.providerConfigs;
    this.options = { ...this.options, config };
    this.providerConfigs = { ...config.providers };
    this.syncRegisteredLocalModels(true);
    for (const [name, provider] of [...this.providers]) {
      // A new API key leaves the configuration as it was (it names the same secret): `rebuild` says so.
      const unchanged = JSON.stringify(previous[name]) === JSON.stringify(this.providerConfigs[name]);
      if (unchanged && !options.rebuild?.includes(name)) continue;
      this.providers.delete(name);
      this.semaphores.delete(name);
      for (const key of [...this.providerModels.keys()]) {
        if (key.split('\u0000')[1] === name) this.providerModels.delete(key);
      }
      // Closed in the background; a failure to free a runtime must not take the server down.
      void Promise.resolve(provider.close?.()).catch(() => {});
    }
  }

  /** The aliases that serve a task, in fallback order: configured ones, else a sensible local default. */
  aliasesFor(task: ModelTask): string[] {
    this.syncRegisteredLocalModels();
    const configured = this.options.config.tasks[task];
    if (configured && configured.length > 0) return configured;
    const wantedType: ProviderType = task === 'chat' ? 'local-gguf' : 'local-onnx';
    // Only the implicit defaults for local models: a remote model is never chosen without being named.
    return Object.entries(this.models)
      .filter(
        ([alias, model]) =>
          this.localRecords.has(alias) && this.providerConfigs[model.provider]?.type === wantedType,
      )
      .filter(([alias]) => task !== 'rerank' || this.localRecords.get(alias)?.details.task === 'rerank')
      .slice(0, 1)
      .map(([alias]) => alias);
  }

  /** The provider of that name, created on first use. */
  provider(name: string): ModelProvider {
    const existing = this.providers.get(name);
    if (existing) return existing;
    const config = this.providerConfigs[name];
    if (!config) {
      throw new PolettError({
        code: 'provider_unknown',
        status: 404,
        field: 'provider',
        message: {
          sv: `Leverantören "${name}" finns inte i konfigurationen; lägg till den under providers i polett.json.`,
          en: `The provider "${name}" is not in the configuration; add it under providers in polett.json.`,
        },
      });
    }
    const provider = this.createProvider(name, config);
    this.providers.set(name, provider);
    return provider;
  }

  private createProvider(name: string, config: ProviderConfig): ModelProvider {
    switch (config.type) {
      case 'openai-compatible':
        return createOpenAICompatibleProvider({
          name,
          baseURL: config.baseURL,
          apiKey: this.resolveApiKey(name, config),
          headers: config.headers,
          remote: config.remote,
          fetch: this.options.fetch,
        });
      case 'anthropic':
        return createAnthropicProvider({
          name,
          apiKey: this.resolveApiKey(name, config),
          baseURL: config.baseURL,
          headers: config.headers,
          remote: config.remote,
          fetch: this.options.fetch,
        });
      case 'local-gguf':
        return lazyLocalProvider(name, 'local-gguf', async () => {
          const { createLocalGgufProvider } = await import('./providers/local-gguf-provider.js');
          return createLocalGgufProvider({
            name,
            modelsDirectory: this.modelsDirectory,
            gpu: config.gpu,
            contextSize: config.contextSize,
            parallelSequences: config.parallelSequences,
            ...(config.threads === undefined ? {} : { threads: config.threads }),
          });
        });
      case 'local-onnx':
        return lazyLocalProvider(name, 'local-onnx', async () => {
          const { createLocalOnnxProvider } = await import('./providers/local-onnx-provider.js');
          return createLocalOnnxProvider({
            name,
            modelsDirectory: this.modelsDirectory,
            dtype: config.dtype,
          });
        });
    }
  }

  /** The API key of a remote provider, from the environment or the encrypted secret store. */
  resolveApiKey(name: string, config: Extract<ProviderConfig, { apiKey?: unknown }>): string | undefined {
    const source = config.apiKey;
    if (!source) return undefined;
    if ('env' in source) return (this.options.env ?? process.env)[source.env] || undefined;
    return this.options.storage?.secrets.get(source.secret);
  }

  private resolve(alias: string): ResolvedModel {
    this.syncRegisteredLocalModels();
    const config = this.models[alias];
    if (!config) {
      const known = Object.keys(this.models).join(', ') || 'none';
      throw new PolettError({
        code: 'model_unknown',
        status: 404,
        field: 'model',
        message: {
          sv: `Modellen "${alias}" finns inte (kända modeller: ${known}); se \`polett models list\`.`,
          en: `The model "${alias}" does not exist (known models: ${known}); see \`polett models list\`.`,
        },
      });
    }
    // A registered local model's name means its file only for a local provider: a remote model may
    // share the name (vLLM serving `qwen2.5-7b-instruct`) and must get the name itself.
    const providerType = this.providerConfigs[config.provider]?.type;
    const record =
      providerType !== undefined && isLocalType(providerType)
        ? this.localRecords.get(config.model)
        : undefined;
    return { alias, config, ...(record ? { record } : {}) };
  }

  /** The model id handed to the provider: a registered local model becomes its absolute path. */
  private providerModelId(resolved: ResolvedModel): string {
    return resolved.record?.path ?? resolved.config.model;
  }

  private semaphoreFor(providerName: string): Semaphore {
    let semaphore = this.semaphores.get(providerName);
    if (!semaphore) {
      semaphore = new Semaphore(this.providerConfigs[providerName]?.maxConcurrency ?? 8);
      this.semaphores.set(providerName, semaphore);
    }
    return semaphore;
  }

  /**
   * The links of a chain. A model that cannot be built (its provider's secret unreadable, say) is
   * left out so that the rest of the chain still serves; only when none can be built is its error
   * thrown.
   */
  private buildLinks<Link>(aliases: string[], build: (alias: string) => Link): Link[] {
    const links: Link[] = [];
    let firstError: unknown;
    for (const alias of aliases) {
      try {
        links.push(build(alias));
      } catch (error) {
        firstError ??= error;
      }
    }
    if (links.length === 0 && firstError !== undefined) throw firstError;
    return links;
  }

  private link<Model>(
    alias: string,
    pick: (provider: ModelProvider, modelId: string) => Model | undefined,
    task: ModelTask,
  ): ChainLink<Model> {
    const resolved = this.resolve(alias);
    const providerConfig = this.providerConfigs[resolved.config.provider]!;
    const provider = this.provider(resolved.config.provider);
    const modelId = this.providerModelId(resolved);
    // Building an SDK model is not free (the AI SDK compiles its response schemas in the
    // constructor), and the chain asks for one on every request: keep one per provider, model and task.
    const cacheKey = `${task}\u0000${resolved.config.provider}\u0000${modelId}`;
    let model = this.providerModels.get(cacheKey) as Model | undefined;
    if (model === undefined) {
      model = pick(provider, modelId);
      if (model !== undefined) this.providerModels.set(cacheKey, model);
    }
    if (model === undefined) {
      throw new PolettError({
        code: 'model_task_unsupported',
        status: 400,
        field: `tasks.${task}`,
        message: {
          sv: `Modellen "${alias}" (${provider.type}) kan inte användas för uppgiften "${task}"; välj en annan modell under tasks.${task}.`,
          en: `The model "${alias}" (${provider.type}) cannot serve the task "${task}"; choose another model under tasks.${task}.`,
        },
      });
    }
    return {
      alias,
      target: { provider: resolved.config.provider, model: resolved.config.model },
      model,
      semaphore: this.semaphoreFor(resolved.config.provider),
      price: resolved.config.price,
      settings: {
        maxRetries: providerConfig.maxRetries,
        timeoutMs: providerConfig.timeoutMs,
        retryBaseDelayMs: this.options.retryDelays?.retryBaseDelayMs ?? 500,
        retryMaxDelayMs: this.options.retryDelays?.retryMaxDelayMs ?? 30_000,
      },
    };
  }

  private chainContext(
    task: ModelTask,
    workspaceId: string | null,
    onUsage?: (entry: UsageRecord) => void,
  ): ChainContext {
    const ledger = this.options.storage?.usage ?? NO_USAGE_RECORDER;
    if (!onUsage) return { task, workspaceId, recorder: ledger };
    // The caller also hears of each attempt (the Assistant adds its cost to a daily spend cap).
    return {
      task,
      workspaceId,
      recorder: {
        record(entry) {
          ledger.record(entry);
          onUsage(entry);
        },
      },
    };
  }

  private redactsPii(providerName: string): boolean {
    const config = this.providerConfigs[providerName];
    const provider = this.provider(providerName);
    return provider.remote && config !== undefined && 'redactPii' in config && config.redactPii;
  }

  /**
   * The language model for a task (its fallback chain) or for one alias. Remote providers get PII
   * redaction inside the chain, so that every attempt, retries included, is redacted.
   */
  languageModel(
    options: {
      task?: ModelTask;
      alias?: string;
      workspaceId?: string | null;
      /** Told of every attempt's usage and cost, as the ledger records it. */
      onUsage?: (entry: UsageRecord) => void;
    } = {},
  ): ResilientLanguageModel {
    const task = options.task ?? 'chat';
    const aliases = options.alias ? [options.alias] : this.aliasesFor(task);
    const links = this.buildLinks(aliases, (alias) => {
      const link = this.link(alias, (provider, modelId) => provider.languageModel(modelId), task);
      if (this.redactsPii(link.target.provider)) {
        link.model = wrapLanguageModel({ model: link.model, middleware: createPiiRedactionMiddleware() });
      }
      return link;
    });
    return new ResilientLanguageModel(
      links,
      this.chainContext(task, options.workspaceId ?? null, options.onUsage),
    );
  }

  embeddingModel(options: { alias?: string; workspaceId?: string | null } = {}): ResilientEmbeddingModel {
    const aliases = options.alias ? [options.alias] : this.aliasesFor('embed');
    const links = this.buildLinks(aliases, (alias) => {
      const link = this.link(alias, (provider, modelId) => provider.embeddingModel(modelId), 'embed');
      // Embeddings of remote providers get redacted text too: nothing comes back to restore.
      if (this.redactsPii(link.target.provider)) {
        link.model = wrapEmbeddingModel({
          model: link.model,
          middleware: createPiiEmbeddingRedactionMiddleware(),
        });
      }
      return link;
    });
    // embedMany splits batches by the chain's limit: the smallest any of its models states.
    const limits = links
      .map((link) => link.model.maxEmbeddingsPerCall)
      .filter((limit): limit is number => typeof limit === 'number');
    return new ResilientEmbeddingModel(
      links,
      this.chainContext('embed', options.workspaceId ?? null),
      limits.length > 0 ? Math.min(...limits) : undefined,
    );
  }

  rerankingModel(options: { alias?: string; workspaceId?: string | null } = {}): ResilientRerankingModel {
    const aliases = options.alias ? [options.alias] : this.aliasesFor('rerank');
    const links = this.buildLinks(aliases, (alias) =>
      this.link(alias, (provider, modelId) => provider.rerankingModel(modelId), 'rerank'),
    );
    return new ResilientRerankingModel(links, this.chainContext('rerank', options.workspaceId ?? null));
  }

  classificationModel(
    options: { alias?: string; workspaceId?: string | null } = {},
  ): ResilientClassificationModel {
    const aliases = options.alias ? [options.alias] : this.aliasesFor('classify');
    const links = this.buildLinks(aliases, (alias) =>
      this.link(
        alias,
        (provider, modelId) => {
          // A remote chat model classifies through the PII middleware, like every other remote call.
          if (!this.redactsPii(provider.name)) return provider.classificationModel(modelId);
          const languageModel = provider.languageModel(modelId);
          return languageModel === undefined
            ? undefined
            : createChatClassificationModel(
                wrapLanguageModel({ model: languageModel, middleware: createPiiRedactionMiddleware() }),
              );
        },
        'classify',
      ),
    );
    return new ResilientClassificationModel(
      links,
      this.chainContext('classify', options.workspaceId ?? null),
    );
  }

  /** The token counter of one alias, or of the first chat model. */
  tokenCounter(alias?: string): TokenCounter | undefined {
    const chosen = alias ?? this.aliasesFor('chat')[0];
    if (!chosen) return undefined;
    const resolved = this.resolve(chosen);
    return this.provider(resolved.config.provider).tokenCounter(this.providerModelId(resolved));
  }

  /** Every alias with its provider, tasks and, for local models, whether the file is there. */
  describe(): ModelDescription[] {
    this.syncRegisteredLocalModels();
    return Object.entries(this.models).map(([alias, model]) => {
      const providerConfig = this.providerConfigs[model.provider]!;
      const record = this.localRecords.get(model.model);
      const tasks = (Object.keys(this.options.config.tasks) as ModelTask[]).filter((task) =>
        this.aliasesFor(task).includes(alias),
      );
      for (const task of ['chat', 'embed', 'rerank', 'classify'] as const) {
        if (!tasks.includes(task) && this.aliasesFor(task).includes(alias)) tasks.push(task);
      }
      const description: ModelDescription = {
        alias,
        provider: model.provider,
        providerType: providerConfig.type,
        model: model.model,
        remote: this.isRemote(model.provider),
        tasks,
      };
      const localPath =
        record?.path ?? (isLocalType(providerConfig.type) ? this.localPath(model.model) : undefined);
      if (localPath) description.path = localPath;
      const problem = this.problemOf(model.provider, providerConfig, localPath);
      if (problem) description.problem = problem;
      return description;
    });
  }

  private isRemote(providerName: string): boolean {
    try {
      return this.provider(providerName).remote;
    } catch {
      return false;
    }
  }

  private localPath(model: string): string {
    return path.isAbsolute(model) ? model : path.join(this.modelsDirectory, model);
  }

  private problemOf(
    providerName: string,
    config: ProviderConfig,
    localPath: string | undefined,
  ): LocalizedText | undefined {
    if (localPath !== undefined) {
      return existsSync(localPath)
        ? undefined
        : {
            sv: `filen saknas: ${localPath} (hämta den med \`polett models pull\`)`,
            en: `file not found: ${localPath} (pull it with \`polett models pull\`)`,
          };
    }
    if ((config.type === 'openai-compatible' || config.type === 'anthropic') && config.apiKey) {
      let apiKey: string | undefined;
      try {
        apiKey = this.resolveApiKey(providerName, config);
      } catch (error) {
        // An unreadable secret is this model's problem; it must not take /health down with it.
        return toPolettError(error).localized;
      }
      if (apiKey === undefined) {
        return 'env' in config.apiKey
          ? {
              sv: `API-nyckel saknas: sätt miljövariabeln ${config.apiKey.env}`,
              en: `API key missing: set the environment variable ${config.apiKey.env}`,
            }
          : {
              sv: `API-nyckel saknas: spara hemligheten ${config.apiKey.secret} med \`polett secrets set\``,
              en: `API key missing: store the secret ${config.apiKey.secret} with \`polett secrets set\``,
            };
      }
    }
    return undefined;
  }

  /** Per task: is a model ready, and if not, what to do. */
  taskStatus(): TaskStatus[] {
    const descriptions = new Map(this.describe().map((description) => [description.alias, description]));
    return (['chat', 'embed', 'rerank', 'classify'] as const).map((task) => {
      const models = this.aliasesFor(task);
      const ready = models.some((alias) => descriptions.get(alias)?.problem === undefined);
      if (ready) return { task, ready, models };
      return { task, ready, models, hint: taskHint(task) };
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.providers.values()].map((provider) => provider.close?.()));
    this.providers.clear();
    this.providerModels.clear();
  }
}

function isLocalType(type: ProviderType): boolean {
  return type === 'local-gguf' || type === 'local-onnx';
}

/**
 * Local runtimes are heavy native modules: a provider of that kind is loaded on its first use, so
 * that starting Polett, or using only remote models, never loads node-llama-cpp or onnxruntime.
 */
function lazyLocalProvider(
  name: string,
  type: 'local-gguf' | 'local-onnx',
  load: () => Promise<ModelProvider>,
): ModelProvider {
  let loading: Promise<ModelProvider> | undefined;
  // A failed load is forgotten, so that the next call tries again once the cause is fixed.
  const provider = () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
  return {
    name,
    type,
    remote: false,
    languageModel: (modelId) =>
      type === 'local-gguf' ? deferredLanguageModel(provider, name, modelId) : undefined,
    embeddingModel: (modelId) => deferredEmbeddingModel(provider, name, modelId),
    rerankingModel: (modelId) => deferredRerankingModel(provider, name, modelId),
    classificationModel: (modelId) => deferredClassificationModel(provider, name, modelId),
    tokenCounter: (modelId) => deferredTokenCounter(provider, name, modelId),
    close: async () => {
      const loaded = await loading?.catch(() => undefined);
      await loaded?.close?.();
    },
  };
}
