/**
 * A worker thread of the tier-1 classification benchmark: receives a serialised classifier and its
 * share of the texts, classifies them after the start signal, and reports how long it took.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TextClassifier, type SerialisedTextClassifier } from '../src/insights/index.js';

const { model, texts } = workerData as { model: SerialisedTextClassifier; texts: string[] };
const classifier = TextClassifier.deserialise(model);
// A warm-up pass over the whole share, so that the timed pass measures the steady state as the main
// thread's median does: the classifier remembers what it learnt of each word (its stem, lexicon
// lean and n-gram features), which a long analysis has seen after its first few thousand texts.
for (const text of texts) classifier.predict(text);
parentPort!.postMessage({ type: 'ready' });
parentPort!.once('message', () => {
  const startedAt = performance.now();
  let checksum = 0;
  for (const text of texts) checksum += classifier.predict(text).label.length;
  parentPort!.postMessage({ type: 'done', milliseconds: performance.now() - startedAt, checksum });
});
