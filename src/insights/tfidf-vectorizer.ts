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
    return new TfidfVectorizer({ vocabulary, groups, sublinearTermFrequency: options.sublinearTermFrequency ?? false });
  }

  static fromState(state: TfidfVectorizerState): TfidfVectorizer {
    return new TfidfVectorizer(state);
  }

  toState(): TfidfVectorizerState {
    return this.state;
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
