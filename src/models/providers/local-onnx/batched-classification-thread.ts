/**
 * One thread of `ClassifierThreads`: loads a sequence classifier's ONNX session through
 * transformers.js (the file, inputs and session defaults its pipelines use) and runs the padded
 * batches it is sent, one at a time, posting back the logits. onnxruntime-node runs a session on
 * the calling thread, so a session here keeps the main thread free, and two threads run two batches
 * at once.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AutoModelForSequenceClassification, env, Tensor } from '@huggingface/transformers';

/** What the parent gives the thread when it starts it. */
export interface ClassifierThreadSetup {
  folder: string;
  dtype: string;
  intraOpThreads: number;
}

/** One padded batch: row-major [rows, width] token ids, mask and (for BERT-like models) token types. */
export interface ClassifierThreadRequest {
  id: number;
  dims: [number, number];
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  tokenTypeIds?: BigInt64Array | undefined;
}

export type ClassifierThreadReply =
  { id: number; logits: Float32Array; labelCount: number } | { id: number; error: string };

const setup = workerData as ClassifierThreadSetup;
// The parent checked the files; a model must never be fetched from the hub here either.
env.allowRemoteModels = false;

try {
  const model = await AutoModelForSequenceClassification.from_pretrained(setup.folder, {
    local_files_only: true,
    device: 'cpu',
    dtype: setup.dtype as 'fp32',
    // The provider splits a model's CPU threads between its sessions (one each on two cores):
    // threads of one session wait for each other at every operator, and a busy machine makes one
    // of them late; separate sessions never wait for each other.
    session_options: { intraOpNumThreads: setup.intraOpThreads, interOpNumThreads: 1 },
  });
  parentPort?.on('message', (request: ClassifierThreadRequest | 'close') => {
    if (request === 'close') {
      // The session's native memory is freed here, before the thread ends, not left to a finaliser.
      void model.dispose().finally(() => parentPort?.close());
      return;
    }
    const { id, dims } = request;
    void (async () => {
      try {
        const output = (await model({
          input_ids: new Tensor('int64', request.inputIds, dims),
          attention_mask: new Tensor('int64', request.attentionMask, dims),
          ...(request.tokenTypeIds
            ? { token_type_ids: new Tensor('int64', request.tokenTypeIds, dims) }
            : {}),
        })) as { logits: Tensor };
        const logits = Float32Array.from(output.logits.data as Float32Array);
        const reply: ClassifierThreadReply = { id, logits, labelCount: output.logits.dims.at(-1) ?? 1 };
        parentPort?.postMessage(reply, [logits.buffer]);
      } catch (error) {
        parentPort?.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
      }
    })();
  });
  parentPort?.postMessage('ready');
} catch (error) {
  parentPort?.postMessage({ loadError: error instanceof Error ? error.message : String(error) });
}
