/**
 * Scores of a classifier against true labels: accuracy, macro-averaged F1 and the multiclass
 * Matthews correlation coefficient (Gorodkin's R_K, the one scikit-learn's `matthews_corrcoef`
 * computes), which stays honest on unbalanced label sets where accuracy flatters.
 */

export interface ClassificationScores {
  accuracy: number;
  macroF1: number;
  mcc: number;
  n: number;
}

export function scoreClassification(
  truth: readonly string[],
  predicted: readonly string[],
): ClassificationScores {
  if (truth.length !== predicted.length) throw new Error('truth and predictions differ in length');
  const n = truth.length;
  const labels = [...new Set([...truth, ...predicted])].sort();
  const index = new Map(labels.map((label, position) => [label, position]));
  const size = labels.length;
  const confusion = Array.from({ length: size }, () => new Float64Array(size));
  for (let i = 0; i < n; i += 1) confusion[index.get(truth[i]!)!]![index.get(predicted[i]!)!]! += 1;

  let correct = 0;
  const trueCounts = new Float64Array(size);
  const predictedCounts = new Float64Array(size);
  for (let t = 0; t < size; t += 1)
    for (let p = 0; p < size; p += 1) {
      const count = confusion[t]![p]!;
      trueCounts[t]! += count;
      predictedCounts[p]! += count;
      if (t === p) correct += count;
    }

  // Macro-F1 over the classes present in the truth (as scikit-learn does with its labels).
  const truthLabels = new Set(truth);
  let f1Sum = 0;
  for (let k = 0; k < size; k += 1) {
    if (!truthLabels.has(labels[k]!)) continue;
    const truePositives = confusion[k]![k]!;
    const denominator = trueCounts[k]! + predictedCounts[k]!;
    f1Sum += denominator === 0 ? 0 : (2 * truePositives) / denominator;
  }

  let covarianceTP = correct * n;
  let squaredPredicted = 0;
  let squaredTrue = 0;
  for (let k = 0; k < size; k += 1) {
    covarianceTP -= predictedCounts[k]! * trueCounts[k]!;
    squaredPredicted += predictedCounts[k]! * predictedCounts[k]!;
    squaredTrue += trueCounts[k]! * trueCounts[k]!;
  }
  const denominator = Math.sqrt((n * n - squaredPredicted) * (n * n - squaredTrue));
  return {
    accuracy: n === 0 ? 0 : correct / n,
    macroF1: truthLabels.size === 0 ? 0 : f1Sum / truthLabels.size,
    mcc: denominator === 0 ? 0 : covarianceTP / denominator,
    n,
  };
}
