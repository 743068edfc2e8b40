/**
 * A local ONNX model folder as transformers.js reads it (`config.json`, `tokenizer.json`,
 * `onnx/model.onnx`...): where a model id points, what its config says the model can do, and one
 * clear error when a file is missing or unreadable.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { PolettError } from '../../../errors.js';

/** The weight files transformers.js picks by `dtype` (`onnx/model<suffix>.onnx`). */
export const LOCAL_ONNX_DTYPES = ['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4'] as const;
/** The precision of the weights to load (transformers.js's `dtype`). */
export type LocalOnnxDtype = (typeof LOCAL_ONNX_DTYPES)[number];

const DTYPE_FILE_SUFFIX: Record<LocalOnnxDtype, string> = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
};

/** The ONNX file of a dtype, relative to the model folder. */
export function onnxFileFor(dtype: LocalOnnxDtype): string {
  return path.join('onnx', `model${DTYPE_FILE_SUFFIX[dtype]}.onnx`);
}

/** Pooling that transformers.js's feature-extraction pipeline can apply. */
export type EmbeddingPooling = 'mean' | 'cls' | 'last_token';

/** What a model folder's files say about the model, read without loading it. */
export interface ModelFolderDescription {
  architectures: string[];
  /** Label names by id, from `id2label` (empty when the config has none). */
  labels: string[];
  label2id: Record<string, number>;
  /** True for a sequence classifier (a fine-tuned head, an NLI model or a cross-encoder). */
  isSequenceClassifier: boolean;
  /** True for a cross-encoder: a sequence classifier with one relevance logit. */
  isCrossEncoder: boolean;
  /** sentence-transformers' CrossEncoder activation: true unless it says Identity. */
  crossEncoderSigmoid: boolean;
}

/**
 * Where a model id points: relative ids inside `modelsDirectory`, absolute paths as they are. A
 * relative id that climbs out of the models folder is refused.
 */
export function resolveModelFolder(modelsDirectory: string, modelId: string): string {
  if (path.isAbsolute(modelId)) return path.normalize(modelId);
  const root = path.resolve(modelsDirectory);
  const folder = path.resolve(root, modelId);
  if (folder !== root && !folder.startsWith(`${root}${path.sep}`)) {
    throw new PolettError({
      code: 'model_id_invalid',
      status: 400,
      field: 'model',
      message: {
        sv: `Modell-id:t "${modelId}" pekar utanför modellmappen ${root}; ange en mapp inuti den eller en absolut sökväg i konfigurationen.`,
        en: `The model id "${modelId}" points outside the models folder ${root}; give a folder inside it or an absolute path in the configuration.`,
      },
    });
  }
  return folder;
}

/** The error for a model folder or file that is not there. */
export function modelFileMissingError(modelId: string, filePath: string, isFolder = false): PolettError {
  const what = isFolder
    ? {
        sv: `Modellmappen ${filePath} för ${modelId} finns inte`,
        en: `The model folder ${filePath} of ${modelId} does not exist`,
      }
    : {
        sv: `Modellen ${modelId} saknar filen ${filePath}`,
        en: `The model ${modelId} lacks the file ${filePath}`,
      };
  return new PolettError({
    code: 'model_not_found',
    status: 404,
    retryable: false,
    field: 'model',
    message: {
      sv: `${what.sv}; ladda ner modellen till mappen eller rätta sökvägen i konfigurationen.`,
      en: `${what.en}; download the model into the folder or correct the path in the configuration.`,
    },
  });
}

/** The error for a model file that is there but cannot be read or loaded. */
export function modelFileInvalidError(modelId: string, filePath: string, cause: unknown): PolettError {
  const detail = (cause instanceof Error ? cause.message : String(cause)).split('\n')[0]?.slice(0, 200) ?? '';
  return new PolettError({
    code: 'model_file_invalid',
    status: 500,
    retryable: false,
    field: 'model',
    message: {
      sv: `Modellfilen ${filePath} för ${modelId} är skadad eller ofullständig (${detail}); ladda ner modellen igen.`,
      en: `The model file ${filePath} of ${modelId} is corrupt or incomplete (${detail}); download the model again.`,
    },
    cause,
  });
}

function readJsonFile(modelId: string, filePath: string): unknown {
  let text: string;
  try {
    text = readFileSync(filePath, 'utf8');
  } catch {
    throw modelFileMissingError(modelId, filePath);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw modelFileInvalidError(modelId, filePath, error);
  }
}

/**
 * Checks that the files a pipeline needs are there and that its JSON files parse, so that a
 * broken model gives one sentence naming the file instead of a chain of loader warnings.
 * `onnxFile` is omitted for a tokenizer alone.
 */
export function assertModelFiles(modelId: string, folder: string, onnxFile?: string): void {
  if (!existsSync(folder) || !statSync(folder).isDirectory())
    throw modelFileMissingError(modelId, folder, true);
  const required = ['config.json', 'tokenizer.json', ...(onnxFile === undefined ? [] : [onnxFile])];
  for (const file of required) {
    const filePath = path.join(folder, file);
    if (!existsSync(filePath)) throw modelFileMissingError(modelId, filePath);
  }
  for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) {
    const filePath = path.join(folder, file);
    if (existsSync(filePath)) readJsonFile(modelId, filePath);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads `config.json`. Returns undefined when the folder or file is not there (yet), so that the
 * caller can still hand out a model whose first call explains what is missing.
 */
export function describeModelFolder(modelId: string, folder: string): ModelFolderDescription | undefined {
  const configPath = path.join(folder, 'config.json');
  if (!existsSync(configPath)) return undefined;
  const config = readJsonFile(modelId, configPath);
  if (!isRecord(config)) throw modelFileInvalidError(modelId, configPath, new Error('not a JSON object'));
  const architectures = Array.isArray(config.architectures)
    ? config.architectures.filter((name): name is string => typeof name === 'string')
    : [];
  const id2label = isRecord(config.id2label) ? config.id2label : {};
  const labels = Object.entries(id2label)
    .sort(([first], [second]) => Number(first) - Number(second))
    .map(([, label]) => String(label));
  const label2id = isRecord(config.label2id)
    ? Object.fromEntries(Object.entries(config.label2id).map(([label, id]) => [label, Number(id)]))
    : Object.fromEntries(labels.map((label, index) => [label, index]));
  const isSequenceClassifier = architectures.some((name) => name.endsWith('ForSequenceClassification'));
  const labelCount = typeof config.num_labels === 'number' ? config.num_labels : labels.length;
  const sentenceTransformers = isRecord(config.sentence_transformers) ? config.sentence_transformers : {};
  const activation =
    typeof sentenceTransformers.activation_fn === 'string' ? sentenceTransformers.activation_fn : '';
  return {
    architectures,
    labels,
    label2id,
    isSequenceClassifier,
    isCrossEncoder: isSequenceClassifier && labelCount === 1,
    crossEncoderSigmoid: !activation.endsWith('Identity'),
  };
}

/**
 * The pooling of a sentence-transformers model, from `modules.json` and its Pooling module's
 * `config.json` (usually `1_Pooling/config.json`). Mean pooling when the folder says nothing.
 */
export function readEmbeddingPooling(modelId: string, folder: string): EmbeddingPooling {
  let poolingFolder = '1_Pooling';
  const modulesPath = path.join(folder, 'modules.json');
  if (existsSync(modulesPath)) {
    const modules = readJsonFile(modelId, modulesPath);
    const pooling = Array.isArray(modules)
      ? modules.find(
          (module): module is Record<string, unknown> =>
            isRecord(module) && module.type === 'sentence_transformers.models.Pooling',
        )
      : undefined;
    if (pooling && typeof pooling.path === 'string') poolingFolder = pooling.path;
  }
  const configPath = path.join(folder, poolingFolder, 'config.json');
  if (!existsSync(configPath)) return 'mean';
  const config = readJsonFile(modelId, configPath);
  if (!isRecord(config)) return 'mean';
  if (config.pooling_mode_cls_token === true) return 'cls';
  if (config.pooling_mode_lasttoken === true) return 'last_token';
  if (config.pooling_mode_mean_tokens === true) return 'mean';
  const mode = Object.entries(config).find(
    ([key, value]) => key.startsWith('pooling_mode_') && value === true,
  )?.[0];
  if (mode === undefined) return 'mean';
  throw new PolettError({
    code: 'model_task_unsupported',
    status: 400,
    field: 'model',
    message: {
      sv: `Modellen ${modelId} använder poolningen ${mode.replace('pooling_mode_', '')}, som Polett inte kan köra; välj en inbäddningsmodell med medelvärdes-, CLS- eller sista-token-poolning.`,
      en: `The model ${modelId} uses ${mode.replace('pooling_mode_', '')} pooling, which Polett cannot run; choose an embedding model with mean, CLS or last-token pooling.`,
    },
  });
}
