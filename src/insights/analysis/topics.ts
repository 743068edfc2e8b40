/**
 * Topics found by clustering, with no model (tier 1): each text becomes a TF-IDF vector of its
 * Swedish stems (stop words left out), spherical k-means (cosine, k-means++ seeding with a fixed
 * seed) groups them, and each topic is named by the words that weigh most in its centre and
 * described by the texts closest to it. The number of topics grows with the square root of the
 * number of texts, between 2 and 12. Large workspaces are clustered on a sample and every text is
 * then assigned to its nearest centre.
 */
import { seededRandom } from '../stratified-split.js';
import { stemSwedish } from '../text-features.js';

export const TOPIC_MODEL = 'tfidf-kmeans';
const SAMPLE_LIMIT = 20_000;
const ITERATIONS = 25;

/** Words too common to name a topic, Swedish and English. */
const STOP_WORDS = new Set(
  (
    'och i att det som en på är av för med till den har de inte om ett var jag men så vi man kan du han hon ' +
    'från eller när sig vad hade sin här där detta dessa då nu också bara mycket mer än alla efter under vid ' +
    'över ut upp ska skulle blev bli blir varit kommer kom få fick får ni er era min mitt mina din ditt dina ' +
    'vår vårt våra deras hans hennes dem oss mig dig sitt sina inga ingen inget något någon några sen sedan ' +
    'the a an and or but of to in on for with is are was were be been it this that these those i you we they ' +
    'he she my your our their me us them not no so very at by from as have has had do does did will would can'
  ).split(' '),
);

export interface TopicInput {
  id: string;
  text: string;
}

export interface Topic {
  /** A few words: the centre's heaviest stems, each in its most common written form. */
  name: string;
  terms: string[];
  size: number;
  /** Ids of the texts closest to the centre, most typical first. */
  typicalIds: string[];
}

export interface TopicAssignment {
  id: string;
  topic: number;
  /** Cosine similarity to the topic's centre. */
  similarity: number;
}

type Vector = Map<number, number>;

function tokens(text: string): string[] {
  return (text.toLowerCase().match(/\p{L}{3,}/gu) ?? []).filter((word) => !STOP_WORDS.has(word));
}

function dot(vector: Vector, centre: Float64Array): number {
  let sum = 0;
  for (const [index, value] of vector) sum += value * centre[index]!;
  return sum;
}

/** Clusters the texts into topics; deterministic for the same texts. */
export function findTopics(
  inputs: readonly TopicInput[],
  options: { k?: number; seed?: number } = {},
): {
  topics: Topic[];
  assignments: TopicAssignment[];
} {
  if (inputs.length < 4) return { topics: [], assignments: [] };
  const random = seededRandom(options.seed ?? 1);
  const vocabulary = new Map<string, number>();
  const surface = new Map<string, Map<string, number>>();
  const documentFrequency: number[] = [];
  const stemmed = inputs.map((input) => {
    const counts = new Map<number, number>();
    for (const word of tokens(input.text)) {
      const stem = stemSwedish(word);
      let index = vocabulary.get(stem);
      if (index === undefined) {
        index = vocabulary.size;
        vocabulary.set(stem, index);
        documentFrequency.push(0);
      }
      if (!counts.has(index)) documentFrequency[index]! += 1;
      counts.set(index, (counts.get(index) ?? 0) + 1);
      const forms = surface.get(stem) ?? new Map<string, number>();
      forms.set(word, (forms.get(word) ?? 0) + 1);
      surface.set(stem, forms);
    }
    return counts;
  });
  const total = inputs.length;
  const vectors: Vector[] = stemmed.map((counts) => {
    const vector: Vector = new Map();
    let norm = 0;
    for (const [index, count] of counts) {
      // Words in nearly every text, or in a single one, say nothing about a topic.
      const frequency = documentFrequency[index]!;
      if (frequency < 2 || frequency > total * 0.5) continue;
      const value = (1 + Math.log(count)) * Math.log(total / frequency);
      vector.set(index, value);
      norm += value * value;
    }
    for (const [index, value] of vector) vector.set(index, value / Math.sqrt(norm));
    return vector;
  });
  const usable = vectors.map((vector, index) => ({ vector, index })).filter((entry) => entry.vector.size > 0);
  if (usable.length < 4) return { topics: [], assignments: [] };
  const k = Math.min(
    options.k ?? Math.max(2, Math.min(12, Math.round(Math.sqrt(usable.length / 4)))),
    usable.length,
  );
  const sample =
    usable.length > SAMPLE_LIMIT ? usable.filter(() => random() < SAMPLE_LIMIT / usable.length) : usable;
  const dimensions = vocabulary.size;

  // k-means++ seeding on the sample.
  const centres: Float64Array[] = [];
  const toCentre = (vector: Vector) => {
    const centre = new Float64Array(dimensions);
    for (const [index, value] of vector) centre[index] = value;
    return centre;
  };
  centres.push(toCentre(sample[Math.floor(random() * sample.length)]!.vector));
  const nearest = new Float64Array(sample.length).fill(Infinity);
  while (centres.length < k) {
    const latest = centres.at(-1)!;
    let sum = 0;
    sample.forEach((entry, position) => {
      const distance = 1 - dot(entry.vector, latest);
      nearest[position] = Math.min(nearest[position]!, Math.max(0, distance));
      sum += nearest[position]! ** 2;
    });
    if (sum === 0) break;
    let target = random() * sum;
    let chosen = sample.length - 1;
    for (let position = 0; position < sample.length; position += 1) {
      target -= nearest[position]! ** 2;
      if (target <= 0) {
        chosen = position;
        break;
      }
    }
    centres.push(toCentre(sample[chosen]!.vector));
  }

  const assign = (vector: Vector) => {
    let best = 0;
    let bestSimilarity = -Infinity;
    centres.forEach((centre, topic) => {
      const similarity = dot(vector, centre);
      if (similarity > bestSimilarity) {
        bestSimilarity = similarity;
        best = topic;
      }
    });
    return { topic: best, similarity: bestSimilarity };
  };

  for (let iteration = 0; iteration < ITERATIONS; iteration += 1) {
    const sums = centres.map(() => new Float64Array(dimensions));
    let changed = false;
    const labels = sample.map((entry) => assign(entry.vector).topic);
    labels.forEach((topic, position) => {
      for (const [index, value] of sample[position]!.vector) sums[topic]![index]! += value;
    });
    sums.forEach((sum, topic) => {
      let norm = 0;
      for (const value of sum) norm += value * value;
      if (norm === 0) return;
      norm = Math.sqrt(norm);
      for (let index = 0; index < dimensions; index += 1) {
        const next = sum[index]! / norm;
        if (Math.abs(next - centres[topic]![index]!) > 1e-9) changed = true;
        centres[topic]![index] = next;
      }
    });
    if (!changed) break;
  }

  const stems = [...vocabulary.keys()];
  const assignments: TopicAssignment[] = [];
  const members = centres.map(() => [] as Array<{ id: string; similarity: number }>);
  for (const { vector, index } of usable) {
    const { topic, similarity } = assign(vector);
    const id = inputs[index]!.id;
    assignments.push({ id, topic, similarity: Number(similarity.toFixed(4)) });
    members[topic]!.push({ id, similarity });
  }
  const topics = centres.map((centre, topic) => {
    const heaviest = [...centre.keys()].sort((a, b) => centre[b]! - centre[a]!).slice(0, 3);
    const terms = heaviest
      .filter((index) => centre[index]! > 0)
      .map((index) => {
        const forms = surface.get(stems[index]!)!;
        return [...forms.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0];
      });
    const sorted = members[topic]!.sort((a, b) => b.similarity - a.similarity);
    return {
      name: terms.join(', '),
      terms,
      size: sorted.length,
      typicalIds: sorted.slice(0, 3).map((member) => member.id),
    };
  });
  return { topics, assignments };
}
