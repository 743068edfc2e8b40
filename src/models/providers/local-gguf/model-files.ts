/**
 * Where a local GGUF model id points on disk, and the one clear error for each way a model file
 * can fail to load: missing, damaged, too big for memory, or unable to do what was asked.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { PolettError } from '../../../errors.js';

/**
 * The file a model id names. A relative id resolves inside `modelsDirectory` (and may not leave it,
 * so that an id taken from a request cannot read other files); an absolute path is used as is.
 * `tiny` finds `tiny.gguf` when there is no file called `tiny`.
 */
export function resolveModelPath(modelsDirectory: string, modelId: string): string {
  if (path.isAbsolute(modelId)) return withGgufExtensionIfMissing(modelId);
  const root = path.resolve(modelsDirectory);
  const resolved = path.resolve(root, modelId);
  if (resolved !== root && !resolved.startsWith(root + path.sep)) {
    throw new PolettError({
      code: 'model_id_invalid',
      status: 400,
      field: 'model',
      message: {
        sv: `Modell-id:t "${modelId}" pekar utanför modellmappen. Ange en fil inuti ${root} eller en absolut sökväg i konfigurationen.`,
        en: `The model id "${modelId}" points outside the models folder. Name a file inside ${root}, or an absolute path in the configuration.`,
      },
    });
  }
  return withGgufExtensionIfMissing(resolved);
}

function withGgufExtensionIfMissing(filePath: string): string {
  if (fileExists(filePath) || filePath.toLowerCase().endsWith('.gguf')) return filePath;
  return fileExists(`${filePath}.gguf`) ? `${filePath}.gguf` : filePath;
}

function fileExists(filePath: string): boolean {
  try {
    return statSync(filePath).isFile();
  } catch {
    return false;
  }
}

/** Throws `model_file_missing` unless `filePath` is a readable regular file. */
export function assertModelFileExists(modelId: string, filePath: string): void {
  if (fileExists(filePath)) return;
  throw new PolettError({
    code: 'model_file_missing',
    status: 503,
    // The file will not appear by itself: retrying the same request cannot help.
    retryable: false,
    field: 'model',
    message: {
      sv: `Modellfilen för "${modelId}" finns inte (${filePath}). Ladda ner modellen eller rätta sökvägen i konfigurationen.`,
      en: `The model file for "${modelId}" does not exist (${filePath}). Download the model or correct the path in the configuration.`,
    },
  });
}

/** A file that exists but llama.cpp cannot load: not GGUF, truncated, or of an unknown architecture. */
export function modelFileInvalidError(modelId: string, filePath: string, cause: unknown): PolettError {
  const detail = describeCause(cause);
  return new PolettError({
    code: 'model_file_invalid',
    status: 503,
    retryable: false,
    field: 'model',
    cause,
    message: {
      sv: `Modellfilen för "${modelId}" (${filePath}) är skadad, ofullständig eller inte en GGUF-modell som stöds (${detail}). Ladda ner den igen eller välj en annan modell.`,
      en: `The model file for "${modelId}" (${filePath}) is damaged, incomplete or not a supported GGUF model (${detail}). Download it again or choose another model.`,
    },
  });
}

/** node-llama-cpp measured the model (or its context) as larger than the free memory. */
export function modelOutOfMemoryError(modelId: string, cause: unknown): PolettError {
  return new PolettError({
    code: 'model_out_of_memory',
    status: 503,
    retryable: false,
    field: 'model',
    cause,
    message: {
      sv: `Modellen "${modelId}" får inte plats i minnet (${describeCause(cause)}). Välj en mindre modell eller kvantisering, eller minska contextSize och parallelSequences.`,
      en: `The model "${modelId}" does not fit in memory (${describeCause(cause)}). Choose a smaller model or quantisation, or lower contextSize and parallelSequences.`,
    },
  });
}

/** The model loaded, but it cannot do this task (e.g. reranking without a ranking head). */
export function modelCapabilityMissingError(
  modelId: string,
  task: 'rerank' | 'embed',
  cause?: unknown,
): PolettError {
  const what = {
    rerank: {
      sv: 'kan inte rangordna dokument (den saknar ett rankningshuvud)',
      en: 'cannot rerank documents (it has no ranking head)',
      svFix:
        'Välj en reranker i GGUF-format, till exempel bge-reranker eller Qwen3-Reranker, för uppgiften rerank.',
      enFix: 'Choose a GGUF reranker, such as bge-reranker or Qwen3-Reranker, for the rerank task.',
    },
    embed: {
      sv: 'kan inte skapa vektorer',
      en: 'cannot create embeddings',
      svFix: 'Välj en inbäddningsmodell för uppgiften embed.',
      enFix: 'Choose an embedding model for the embed task.',
    },
  }[task];
  return new PolettError({
    code: 'model_capability_missing',
    status: 422,
    field: 'model',
    cause,
    message: {
      sv: `Modellen "${modelId}" ${what.sv}. ${what.svFix}`,
      en: `The model "${modelId}" ${what.en}. ${what.enFix}`,
    },
  });
}

/** An input longer than the model's context window. */
export function inputTooLongError(modelId: string, tokenCount: number, limit: number): PolettError {
  return new PolettError({
    code: 'input_too_long',
    status: 413,
    field: 'input',
    message: {
      sv: `Texten är ${tokenCount} token lång men modellen "${modelId}" tar högst ${limit}. Dela upp texten i kortare delar eller öka contextSize.`,
      en: `The text is ${tokenCount} tokens long but the model "${modelId}" takes at most ${limit}. Split the text into shorter parts or raise contextSize.`,
    },
  });
}

function describeCause(cause: unknown): string {
  const text = cause instanceof Error ? cause.message : String(cause);
  // One line, short: the sentence must stay readable in a UI toast or a CLI error line.
  const firstLine = text.split('\n')[0]?.trim() ?? '';
  return firstLine.length > 200 ? `${firstLine.slice(0, 197)}...` : firstLine;
}
