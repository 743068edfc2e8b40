/**
 * Pulling and registering local models, shared by the CLI (`polett models pull/add`) and the
 * `model.pull` job that the web app starts: both end with the same record in the same store.
 */
import { z } from 'zod';
import { ONNX_DTYPES } from '../config/index.js';
import { defineJobHandler } from '../jobs/index.js';
import type { LocalModelRecord, Storage } from '../storage/index.js';
import { inspectLocalModel, pullModel, type PullModelOptions, type PullResult } from './hub/index.js';

/** Registers a model found on disk (pulled, or added by hand) under its own name or the one asked for. */
export async function registerLocalModel(
  storage: Pick<Storage, 'localModels'>,
  options: {
    path: string;
    name?: string | undefined;
    source?: string | null;
    details?: Record<string, unknown>;
  },
): Promise<LocalModelRecord> {
  const inspected = await inspectLocalModel(options.path);
  const record: LocalModelRecord = {
    name: options.name ?? inspected.name,
    path: inspected.path,
    format: inspected.format,
    source: options.source ?? null,
    sizeBytes: inspected.sizeBytes,
    addedAt: new Date().toISOString(),
    details: { ...(inspected.details as unknown as Record<string, unknown>), ...options.details },
  };
  storage.localModels.upsert(record);
  return record;
}

/** Pulls from the hub (or HF_ENDPOINT) into the models folder and registers the result. */
export async function pullAndRegisterModel(
  storage: Pick<Storage, 'localModels'>,
  options: PullModelOptions & { name?: string | undefined },
): Promise<{ record: LocalModelRecord; result: PullResult }> {
  const { name, ...pullOptions } = options;
  const result = await pullModel(pullOptions);
  const record = await registerLocalModel(storage, {
    path: result.localPath,
    name,
    source: result.reference,
    // transformers.js needs the precision that was downloaded; the registry reads it from here.
    details: { revision: result.revision, ...(result.onnxDtype ? { onnxDtype: result.onnxDtype } : {}) },
  });
  return { record, result };
}

export const MODEL_PULL_JOB = 'model.pull';

export const modelPullJobInput = z.object({
  reference: z.string().min(3),
  name: z.string().min(1).optional(),
  quantization: z.string().min(1).optional(),
  dtype: z.enum(ONNX_DTYPES).optional(),
});

/** The durable job behind "pull this model" in the web app: progress in bytes, resumable downloads. */
export function modelPullJobHandler(dependencies: {
  storage: Pick<Storage, 'localModels'>;
  modelsDirectory: string;
  /** Called once the model is registered, so that the running server can use it at once. */
  onRegistered?: (record: LocalModelRecord) => void;
}) {
  return defineJobHandler({
    type: MODEL_PULL_JOB,
    input: modelPullJobInput,
    async run(input, context) {
      const { record, result } = await pullAndRegisterModel(dependencies.storage, {
        reference: input.reference,
        modelsDirectory: dependencies.modelsDirectory,
        signal: context.signal,
        name: input.name,
        ...(input.quantization ? { quantization: input.quantization } : {}),
        ...(input.dtype ? { onnxDtype: input.dtype } : {}),
        onProgress: (progress) =>
          context.reportProgress({
            done: progress.bytesDone,
            total: progress.bytesTotal,
            message: progress.file,
          }),
      });
      dependencies.onRegistered?.(record);
      return { name: record.name, path: record.path, format: record.format, sizeBytes: result.sizeBytes };
    },
  });
}
