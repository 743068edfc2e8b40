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

function groupOf(name: FeatureName): string {
  if (typeof name === 'number') return 'c';
  const colon = name.indexOf(':');
  return colon === -1 ? '' : name.slice(0, colon);
}

export class TfidfVectorizer {
  readonly featureCount: number;
  private readonly indexByName: Map<FeatureName, number>;
  private readonly weights: Float64Array;
  private readonly groupOfIndex: Int32Array;
  private readonly groupCount: number;
  // Scratch space reused by every transform: classifying is the hot path at scale.
  private scratchIndices = new Int32Array(1024);
  private scratchValues = new Float64Array(1024);
  private readonly scratchNorms: Float64Array;
  private denseCounts: Float64Array | undefined;
  /**
   * The hashed character n-grams' indices in an open-addressing table (linear probing over
   * typed arrays): they are most of a text's features, and this lookup is several times cheaper
   * than a Map's. Keys are 31-bit, so -1 marks an empty slot.
   */
  private readonly numericKeys: Int32Array;
  private readonly numericIndices: Int32Array;
  private readonly numericMask: number;

  private constructor(private readonly state: TfidfVectorizerState) {
    this.indexByName = new Map();
    this.featureCount = state.vocabulary.length;
    this.weights = new Float64Array(this.featureCount);
    this.groupOfIndex = new Int32Array(this.featureCount);
    for (const [name, index, weight, group] of state.vocabulary) {
      this.indexByName.set(name, index);
      this.weights[index] = weight;
      this.groupOfIndex[index] = group;
    }
    this.groupCount = state.groups.length;
    this.scratchNorms = new Float64Array(this.groupCount);
    const numeric = state.vocabulary.filter(([name]) => typeof name === 'number');
    let capacity = 16;
    while (capacity < numeric.length * 2) capacity *= 2;
    this.numericKeys = new Int32Array(capacity).fill(-1);
    this.numericIndices = new Int32Array(capacity);
    this.numericMask = capacity - 1;
    for (const [name, index] of numeric) {
      let slot = Math.imul(name as number, 0x9e3779b1) & this.numericMask;
      while (this.numericKeys[slot] !== -1) slot = (slot + 1) & this.numericMask;
      this.numericKeys[slot] = name as number;
      this.numericIndices[slot] = index;
    }
  }

  private indexOf(name: FeatureName): number | undefined {
    if (typeof name !== 'number') return this.indexByName.get(name);
    let slot = Math.imul(name, 0x9e3779b1) & this.numericMask;
    for (;;) {
      const key = this.numericKeys[slot]!;
      if (key === name) return this.numericIndices[slot];
      if (key === -1) return undefined;
      slot = (slot + 1) & this.numericMask;
    }
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
    let touched = 0;
    collect({
      add: (name, count) => {
        const index = this.indexOf(name);
        if (index === undefined) return;
        if (counts[index] === 0) {
          if (touched === this.scratchIndices.length) {
            const grown = new Int32Array(touched * 2);
            grown.set(this.scratchIndices);
            this.scratchIndices = grown;
            this.scratchValues = new Float64Array(touched * 2);
          }
          this.scratchIndices[touched] = index;
          touched += 1;
        }
        counts[index]! += count;
      },
    });
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
      const index = this.indexByName.get(name);
      if (index === undefined) continue;
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
