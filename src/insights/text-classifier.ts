/**
 * The tier-1 classifier: learns any label set (sentiment, categories, two classes or twenty) from
 * the user's labelled examples, with no model at all. Swedish-aware features (see
 * text-features.ts) weighted by TF-IDF, and multinomial logistic regression whose regularisation
 * is chosen by stratified cross-validation on the training rows alone. The plain TF-IDF + logistic
 * regression baseline is the same machinery over lower-cased word tokens, so the two differ only
 * in what they know about the language.
 */
import { scoreClassification } from './classification-metrics.js';
import {
  fitLogisticRegression,
  predictProbabilities,
  type LogisticRegressionModel,
  type SparseVector,
} from './logistic-regression.js';
import { seededRandom, shuffleInPlace } from './stratified-split.js';
import {
  collectBaselineFeatures,
  collectFeatures,
  extractBaselineFeatures,
  extractFeatures,
} from './text-features.js';
import {
  TfidfVectorizer,
  type FeatureCounts,
  type FeatureSink,
  type TfidfVectorizerOptions,
  type TfidfVectorizerState,
} from './tfidf-vectorizer.js';

export type ClassifierKind = 'swedish-tfidf-logistic' | 'baseline-tfidf-logistic';

export interface LabelledText {
  text: string;
  label: string;
}

export interface Prediction {
  label: string;
  /** Probability of the chosen label. */
  confidence: number;
  probabilities: Record<string, number>;
}

/** A trained classifier in a form that JSON can store. */
export interface SerialisedTextClassifier {
  kind: ClassifierKind;
  version: 1;
  labels: string[];
  inverseRegularisation: number;
  vectorizer: TfidfVectorizerState;
  weights: number[];
  biases: number[];
}

interface Recipe {
  extract: (text: string) => FeatureCounts;
  collect: (text: string, sink: FeatureSink) => void;
  vectorizer: TfidfVectorizerOptions;
}

const RECIPES: Record<ClassifierKind, Recipe> = {
  'swedish-tfidf-logistic': {
    extract: extractFeatures,
    collect: collectFeatures,
    // Character n-grams seen once in the training texts are mostly noise and cost memory.
    vectorizer: { sublinearTermFrequency: true, minimumDocumentFrequency: { c: 2, b: 2 } },
  },
  // scikit-learn's TfidfVectorizer defaults: raw counts, smoothed idf, L2 norm.
  'baseline-tfidf-logistic': {
    extract: extractBaselineFeatures,
    collect: collectBaselineFeatures,
    vectorizer: {},
  },
};

/** Candidates for scikit-learn's C, tried by cross-validation. */
const REGULARISATION_GRID = [0.3, 1, 3, 10, 30, 100];
const CROSS_VALIDATION_FOLDS = 3;

export interface TrainOptions {
  kind?: ClassifierKind;
  /** Skips cross-validation with a fixed C. */
  inverseRegularisation?: number;
  seed?: number;
}

export class TextClassifier {
  private constructor(
    readonly kind: ClassifierKind,
    readonly labels: readonly string[],
    readonly inverseRegularisation: number,
    private readonly vectorizer: TfidfVectorizer,
    private readonly model: LogisticRegressionModel,
  ) {}

  /** Trains on labelled texts; needs at least two distinct labels. */
  static train(examples: readonly LabelledText[], options: TrainOptions = {}): TextClassifier {
    const kind = options.kind ?? 'swedish-tfidf-logistic';
    const recipe = RECIPES[kind];
    const labels = [...new Set(examples.map((example) => example.label))].sort();
    if (labels.length < 2) throw new RangeError('at least two distinct labels are needed to train');
    const labelIndex = new Map(labels.map((label, index) => [label, index]));
    const features = examples.map((example) => recipe.extract(example.text));
    const targets = examples.map((example) => labelIndex.get(example.label)!);
    const inverseRegularisation =
      options.inverseRegularisation ??
      chooseRegularisation(features, targets, labels.length, recipe, options.seed ?? 1);
    const vectorizer = TfidfVectorizer.fit(features, recipe.vectorizer);
    const rows = features.map((counts) => vectorizer.transform(counts));
    const model = fitLogisticRegression(rows, targets, labels.length, vectorizer.featureCount, {
      inverseRegularisation,
    });
    return new TextClassifier(kind, labels, inverseRegularisation, vectorizer, model);
  }

  static deserialise(serialised: SerialisedTextClassifier): TextClassifier {
    const vectorizer = TfidfVectorizer.fromState(serialised.vectorizer);
    const model: LogisticRegressionModel = {
      classCount: serialised.labels.length,
      featureCount: vectorizer.featureCount,
      weights: Float64Array.from(serialised.weights),
      biases: Float64Array.from(serialised.biases),
    };
    return new TextClassifier(
      serialised.kind,
      serialised.labels,
      serialised.inverseRegularisation,
      vectorizer,
      model,
    );
  }

  serialise(): SerialisedTextClassifier {
    return {
      kind: this.kind,
      version: 1,
      labels: [...this.labels],
      inverseRegularisation: this.inverseRegularisation,
      vectorizer: this.vectorizer.toState(),
      // Rounded: six significant digits change no prediction and halve the stored size.
      weights: Array.from(this.model.weights, (weight) => Number(weight.toPrecision(6))),
      biases: Array.from(this.model.biases),
    };
  }

  predict(text: string): Prediction {
    // Features are looked up as the extractor finds them: no map of counts is built per text.
    const { collect } = RECIPES[this.kind];
    const probabilities = predictProbabilities(
      this.model,
      this.vectorizer.transformCollected((sink) => collect(text, sink)),
    );
    let best = 0;
    for (let c = 1; c < probabilities.length; c += 1) if (probabilities[c]! > probabilities[best]!) best = c;
    return {
      label: this.labels[best]!,
      confidence: probabilities[best]!,
      probabilities: Object.fromEntries(this.labels.map((label, index) => [label, probabilities[index]!])),
    };
  }

  /** Only the labels, for scoring many texts quickly. */
  predictLabels(texts: readonly string[]): string[] {
    return texts.map((text) => this.predict(text).label);
  }
}

/** C with the best mean Matthews correlation over stratified folds of the training rows. */
function chooseRegularisation(
  features: readonly FeatureCounts[],
  targets: readonly number[],
  classCount: number,
  recipe: Recipe,
  seed: number,
): number {
  const folds = stratifiedFolds(targets, CROSS_VALIDATION_FOLDS, seed);
  if (folds.some((fold) => fold.length === 0)) return 1;
  const prepared = folds.map((testIndices) => {
    const inTest = new Set(testIndices);
    const trainIndices = targets.map((_, index) => index).filter((index) => !inTest.has(index));
    const vectorizer = TfidfVectorizer.fit(
      trainIndices.map((index) => features[index]!),
      recipe.vectorizer,
    );
    const transform = (index: number): SparseVector => vectorizer.transform(features[index]!);
    return {
      trainRows: trainIndices.map(transform),
      trainTargets: trainIndices.map((index) => targets[index]!),
      testRows: testIndices.map(transform),
      testTargets: testIndices.map((index) => String(targets[index]!)),
      featureCount: vectorizer.featureCount,
    };
  });
  let bestScore = -Infinity;
  let best = 1;
  for (const candidate of REGULARISATION_GRID) {
    let total = 0;
    for (const fold of prepared) {
      const model = fitLogisticRegression(fold.trainRows, fold.trainTargets, classCount, fold.featureCount, {
        inverseRegularisation: candidate,
      });
      const predicted = fold.testRows.map((row) => {
        const probabilities = predictProbabilities(model, row);
        let top = 0;
        for (let c = 1; c < probabilities.length; c += 1)
          if (probabilities[c]! > probabilities[top]!) top = c;
        return String(top);
      });
      total += scoreClassification(fold.testTargets, predicted).mcc;
    }
    if (total > bestScore + 1e-9) {
      bestScore = total;
      best = candidate;
    }
  }
  return best;
}

function stratifiedFolds(targets: readonly number[], foldCount: number, seed: number): number[][] {
  const random = seededRandom(seed);
  const folds: number[][] = Array.from({ length: foldCount }, () => []);
  const byTarget = new Map<number, number[]>();
  targets.forEach((target, index) => {
    let group = byTarget.get(target);
    if (!group) byTarget.set(target, (group = []));
    group.push(index);
  });
  let next = 0;
  for (const target of [...byTarget.keys()].sort((a, b) => a - b))
    for (const index of shuffleInPlace(byTarget.get(target)!, random)) {
      folds[next % foldCount]!.push(index);
      next += 1;
    }
  return folds;
}
