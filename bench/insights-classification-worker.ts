/**
 * A worker thread of the tier-1 classification benchmark: receives a serialised classifier and its
 * share of the texts, classifies them after the start signal, and reports how long it took.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TextClassifier, type SerialisedTextClassifier } from '../src/insights/index.js';

const { model, texts } = workerData as { model: SerialisedTextClassifier; texts: string[] };
const classifier = TextClassifier.deserialise(model);
// Warm-up on a slice, so that the timed pass measures steady-state speed as the main thread's does.
for (const text of texts.slice(0, 200)) classifier.predict(text);
parentPort!.postMessage({ type: 'ready' });
parentPort!.once('message', () => {
  const startedAt = performance.now();
  let checksum = 0;
  for (const text of texts) checksum += classifier.predict(text).label.length;
  parentPort!.postMessage({ type: 'done', milliseconds: performance.now() - startedAt, checksum });
});
