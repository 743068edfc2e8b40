/**
 * TF-IDF over named features, learnt from the training texts: a vocabulary, smoothed inverse
 * document frequencies (scikit-learn's `smooth_idf`), sublinear term frequency where asked, and L2
 * normalisation per feature group so that a few thousand character n-grams do not drown the
 * handful of words and signals of a short text.
 */
import type { SparseVector } from './logistic-regression.js';

/**
 * The features of one text: name → count. A string name's group is what precedes its first ':';
 * a number is a hashed character n-gram, group `c` (hashing spares building a string per n-gram).
 */
export type FeatureName = string | number;
export type FeatureCounts = Map<FeatureName, number>;

/** Where a feature extractor puts what it finds. */
export interface FeatureSink {
  add(name: FeatureName, count: number): void;
  /**
   * Adds the features `produce` adds for `key`, which depend on the key alone (a word's character
   * n-grams): a sink may look them up once per key and remember the answer, since words repeat
   * from text to text. Optional: without it the extractor calls `produce` on the sink itself.
   */
  addKeyed?(key: string, produce: (sink: FeatureSink, key: string) => void): void;
}

/** A sink that counts into a map (training, and anywhere the counts themselves are wanted). */
export function countingSink(features: FeatureCounts): FeatureSink {
  return { add: (name, count) => features.set(name, (features.get(name) ?? 0) + count) };
}

export interface TfidfVectorizerOptions {
  /** Features seen in fewer training texts than this are dropped, per group (default 1). */
  minimumDocumentFrequency?: Record<string, number>;
  sublinearTermFrequency?: boolean;
}

export interface TfidfVectorizerState {
  vocabulary: Array<[name: FeatureName, index: number, inverseDocumentFrequency: number, group: number]>;
  groups: string[];
  sublinearTermFrequency: boolean;
}

/** Words whose n-gram lookups a vectorizer remembers before it starts over (a few MB at most). */
const KEYED_CACHE_LIMIT = 50_000;

function groupOf(name: FeatureName): string {
  if (typeof name === 'number') return 'c';
  const colon = name.indexOf(':');
  return colon === -1 ? '' : name.slice(0, colon);
}

export class TfidfVectorizer {
  readonly featureCount: number;
  private readonly indexByName: Map<string, number>;
  private readonly weights: Float64Array;
  private readonly groupOfIndex: Int32Array;
  private readonly groupCount: number;
  // Scratch space reused by every transform: classifying is the hot path at scale.
  private scratchIndices = new Int32Array(1024);
  private scratchValues = new Float64Array(1024);
  private readonly scratchNorms: Float64Array;
  private denseCounts: Float64Array | undefined;
  /**
   * The hashed character n-grams' indices in an open-addressing table (linear probing over one
   * typed array of [key, index] pairs, so that a probe reads one cache line): they are most of a
   * text's features, and this lookup is several times cheaper than a Map's. At most a quarter
   * full, because most n-grams of a new text are not in the vocabulary and a miss probes until an
   * empty slot. Keys are 31-bit, so -1 marks an empty slot.
   */
  private readonly numericSlots: Int32Array;
  private readonly numericShift: number;
  /** The vocabulary indices (and counts) that `addKeyed` found for a key, as [index, count, …]. */
  private readonly keyedCache = new Map<string, Float64Array>();
  private touched = 0;
  /** The sink of `transformCollected`, made once: it counts into the dense scratch array. */
  private readonly collectingSink: FeatureSink;

  private constructor(private readonly state: TfidfVectorizerState) {
    this.indexByName = new Map();
    this.featureCount = state.vocabulary.length;
    this.weights = new Float64Array(this.featureCount);
    this.groupOfIndex = new Int32Array(this.featureCount);
    for (const [name, index, weight, group] of state.vocabulary) {
      // Numbers (hashed n-grams) live in the open-addressing table below: a smaller map for the rest.
      if (typeof name === 'string') this.indexByName.set(name, index);
      this.weights[index] = weight;
      this.groupOfIndex[index] = group;
    }
    this.groupCount = state.groups.length;
    this.scratchNorms = new Float64Array(this.groupCount);
    const numeric = state.vocabulary.filter(([name]) => typeof name === 'number');
    let bits = 4;
    while (1 << bits < numeric.length * 4) bits += 1;
    this.numericSlots = new Int32Array(2 << bits).fill(-1);
    this.numericShift = 32 - bits;
    const mask = (1 << bits) - 1;
    for (const [name, index] of numeric) {
      let slot = this.numericSlotOf(name as number);
      while (this.numericSlots[slot * 2] !== -1) slot = (slot + 1) & mask;
      this.numericSlots[slot * 2] = name as number;
      this.numericSlots[slot * 2 + 1] = index;
    }
    this.collectingSink = {
      add: (name, count) => {
        const index = this.indexOf(name);
        if (index !== -1) this.countInto(index, count);
      },
      addKeyed: (key, produce) => {
        let found = this.keyedCache.get(key);
        if (found === undefined) {
          const pairs: number[] = [];
          produce(
            {
              add: (name, count) => {
                const index = this.indexOf(name);
                if (index !== -1) pairs.push(index, count);
              },
            },
            key,
          );
          found = Float64Array.from(pairs);
          if (this.keyedCache.size >= KEYED_CACHE_LIMIT) this.keyedCache.clear();
          this.keyedCache.set(key, found);
        }
        // The same indices and counts in the same order as `produce` would add them one by one.
        for (let k = 0; k < found.length; k += 2) this.countInto(found[k]!, found[k + 1]!);
      },
    };
  }

  /** Fibonacci hashing: the top bits of the key times 2³²/φ spread any keys evenly. */
  private numericSlotOf(key: number): number {
    return Math.imul(key, 0x9e3779b1) >>> this.numericShift;
  }

  /** A feature's index in the vocabulary, or -1 for a feature the training texts did not have. */
  private indexOf(name: FeatureName): number {
    if (typeof name !== 'number') return this.indexByName.get(name) ?? -1;
    const slots = this.numericSlots;
    const mask = (slots.length >> 1) - 1;
    let slot = this.numericSlotOf(name);
    for (;;) {
      const key = slots[slot * 2]!;
      if (key === name) return slots[slot * 2 + 1]!;
      if (key === -1) return -1;
      slot = (slot + 1) & mask;
    }
  }

  /** Adds a count to the dense scratch array, noting the index the first time it is touched. */
  private countInto(index: number, count: number): void {
    const counts = this.denseCounts!;
    if (counts[index] === 0) {
      if (this.touched === this.scratchIndices.length) {
        const grown = new Int32Array(this.touched * 2);
        grown.set(this.scratchIndices);
        this.scratchIndices = grown;
        this.scratchValues = new Float64Array(this.touched * 2);
      }
      this.scratchIndices[this.touched] = index;
      this.touched += 1;
    }
    counts[index]! += count;
  }

  /** Learns the vocabulary and document frequencies from training texts' features. */
  static fit(documents: readonly FeatureCounts[], options: TfidfVectorizerOptions = {}): TfidfVectorizer {
    const documentFrequency = new Map<FeatureName, number>();
    for (const features of documents)
      for (const name of features.keys()) documentFrequency.set(name, (documentFrequency.get(name) ?? 0) + 1);
    const groups: string[] = [];
    const groupIndex = new Map<string, number>();
    const vocabulary: TfidfVectorizerState['vocabulary'] = [];
    // A stable order (strings, then hashed n-grams by number) so the same data gives the same model.
    const names = [...documentFrequency.keys()].sort((a, b) =>
      typeof a === typeof b ? (a < b ? -1 : a > b ? 1 : 0) : typeof a === 'string' ? -1 : 1,
    );
    for (const name of names) {
      const frequency = documentFrequency.get(name)!;
      const group = groupOf(name);
      if (frequency < (options.minimumDocumentFrequency?.[group] ?? 1)) continue;
      let index = groupIndex.get(group);
      if (index === undefined) {
        index = groups.length;
        groups.push(group);
        groupIndex.set(group, index);
      }
      const inverseDocumentFrequency = Math.log((1 + documents.length) / (1 + frequency)) + 1;
      vocabulary.push([name, vocabulary.length, inverseDocumentFrequency, index]);
    }
    return new TfidfVectorizer({
      vocabulary,
      groups,
      sublinearTermFrequency: options.sublinearTermFrequency ?? false,
    });
  }

  static fromState(state: TfidfVectorizerState): TfidfVectorizer {
    return new TfidfVectorizer(state);
  }

  toState(): TfidfVectorizerState {
    return this.state;
  }

  /**
   * Like `transform`, but the extractor's features are looked up as they come and counted in a
   * dense scratch array: no map of counts is built, which is most of the cost of classifying.
   */
  transformCollected(collect: (sink: FeatureSink) => void): SparseVector {
    this.denseCounts ??= new Float64Array(this.featureCount);
    const counts = this.denseCounts;
    this.touched = 0;
    collect(this.collectingSink);
    const touched = this.touched;
    const indices = this.scratchIndices;
    const values = this.scratchValues;
    const norms = this.scratchNorms;
    norms.fill(0);
    const sublinear = this.state.sublinearTermFrequency;
    for (let k = 0; k < touched; k += 1) {
      const index = indices[k]!;
      const count = counts[index]!;
      counts[index] = 0;
      const value = (sublinear && count > 1 ? 1 + Math.log(count) : count) * this.weights[index]!;
      values[k] = value;
      norms[this.groupOfIndex[index]!]! += value * value;
    }
    for (let group = 0; group < norms.length; group += 1) norms[group] = Math.sqrt(norms[group]!);
    const result: SparseVector = { indices: indices.slice(0, touched), values: new Float32Array(touched) };
    for (let k = 0; k < touched; k += 1)
      result.values[k] = values[k]! / norms[this.groupOfIndex[indices[k]!]!]!;
    return result;
  }

  /** One text's features as a weighted, normalised sparse vector; unknown features are ignored. */
  transform(features: FeatureCounts): SparseVector {
    if (this.scratchIndices.length < features.size) {
      this.scratchIndices = new Int32Array(features.size * 2);
      this.scratchValues = new Float64Array(features.size * 2);
    }
    const indices = this.scratchIndices;
    const values = this.scratchValues;
    const norms = this.scratchNorms;
    norms.fill(0);
    const sublinear = this.state.sublinearTermFrequency;
    let size = 0;
    for (const [name, count] of features) {
      const index = this.indexOf(name);
      if (index === -1) continue;
      const termFrequency = sublinear && count > 1 ? 1 + Math.log(count) : count;
      const value = termFrequency * this.weights[index]!;
      indices[size] = index;
      values[size] = value;
      size += 1;
      norms[this.groupOfIndex[index]!]! += value * value;
    }
    for (let group = 0; group < norms.length; group += 1) norms[group] = Math.sqrt(norms[group]!);
    const result: SparseVector = { indices: indices.slice(0, size), values: new Float32Array(size) };
    for (let k = 0; k < size; k += 1) result.values[k] = values[k]! / norms[this.groupOfIndex[indices[k]!]!]!;
    return result;
  }
}
