/**
 * Multinomial logistic regression over sparse vectors, fitted to the optimum by L-BFGS (the
 * solver scikit-learn uses by default), with L2 regularisation in scikit-learn's convention: the
 * objective is C·Σ cross-entropy + ½‖W‖², here divided by C·n so its scale does not depend on the
 * number of rows. Deterministic: no random initialisation, no sampling.
 */

/** One row of features: parallel arrays of feature indices and values. */
export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
}

export interface LogisticRegressionModel {
  classCount: number;
  featureCount: number;
  /** Row-major weights: `weights[feature * classCount + class]`, so one feature's weights are adjacent. */
  weights: Float64Array;
  biases: Float64Array;
}

export interface LogisticRegressionOptions {
  /** Inverse regularisation strength (scikit-learn's C). */
  inverseRegularisation: number;
  maxIterations?: number;
  /** Stop when the gradient's largest component falls below this. */
  tolerance?: number;
}

/** Class scores (logits) of one row. */
function logits(model: LogisticRegressionModel, row: SparseVector, into: Float64Array): void {
  const { classCount, weights, biases } = model;
  for (let c = 0; c < classCount; c += 1) into[c] = biases[c]!;
  for (let k = 0; k < row.indices.length; k += 1) {
    const base = row.indices[k]! * classCount;
    const value = row.values[k]!;
    for (let c = 0; c < classCount; c += 1) into[c] = into[c]! + weights[base + c]! * value;
  }
}

function softmaxInPlace(scores: Float64Array): void {
  let max = -Infinity;
  for (const score of scores) if (score > max) max = score;
  let sum = 0;
  for (let c = 0; c < scores.length; c += 1) {
    scores[c] = Math.exp(scores[c]! - max);
    sum += scores[c]!;
  }
  for (let c = 0; c < scores.length; c += 1) scores[c]! /= sum;
}

/** Probability of each class for one row. */
export function predictProbabilities(model: LogisticRegressionModel, row: SparseVector): Float64Array {
  const scores = new Float64Array(model.classCount);
  logits(model, row, scores);
  softmaxInPlace(scores);
  return scores;
}

/**
 * Fits the model. `labels[i]` is the class index of `rows[i]`. Parameters are laid out as
 * [weights..., biases...]; the biases are not regularised.
 */
export function fitLogisticRegression(
  rows: readonly SparseVector[],
  labels: readonly number[],
  classCount: number,
  featureCount: number,
  options: LogisticRegressionOptions,
): LogisticRegressionModel {
  const { inverseRegularisation, maxIterations = 300, tolerance = 1e-5 } = options;
  const weightCount = featureCount * classCount;
  const parameterCount = weightCount + classCount;
  const rowCount = rows.length;
  const regularisation = 1 / (inverseRegularisation * rowCount);
  const scores = new Float64Array(classCount);

  const model = (parameters: Float64Array): LogisticRegressionModel => ({
    classCount,
    featureCount,
    weights: parameters.subarray(0, weightCount),
    biases: parameters.subarray(weightCount),
  });

  /** Objective and its gradient (written into `gradient`). */
  const evaluate = (parameters: Float64Array, gradient: Float64Array): number => {
    gradient.fill(0);
    const current = model(parameters);
    let loss = 0;
    for (let i = 0; i < rowCount; i += 1) {
      const row = rows[i]!;
      logits(current, row, scores);
      softmaxInPlace(scores);
      const label = labels[i]!;
      loss -= Math.log(Math.max(scores[label]!, 1e-300));
      scores[label]! -= 1;
      for (let k = 0; k < row.indices.length; k += 1) {
        const base = row.indices[k]! * classCount;
        const value = row.values[k]!;
        for (let c = 0; c < classCount; c += 1) gradient[base + c]! += scores[c]! * value;
      }
      for (let c = 0; c < classCount; c += 1) gradient[weightCount + c]! += scores[c]!;
    }
    loss /= rowCount;
    for (let p = 0; p < parameterCount; p += 1) gradient[p]! /= rowCount;
    let squaredNorm = 0;
    for (let p = 0; p < weightCount; p += 1) {
      const weight = parameters[p]!;
      squaredNorm += weight * weight;
      gradient[p]! += regularisation * weight;
    }
    return loss + 0.5 * regularisation * squaredNorm;
  };

  const parameters = minimiseLbfgs(evaluate, new Float64Array(parameterCount), maxIterations, tolerance);
  return model(parameters);
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += a[i]! * b[i]!;
  return sum;
}

/**
 * Limited-memory BFGS with a backtracking (Armijo) line search. Small and dependable for the
 * smooth, convex objective above.
 */
function minimiseLbfgs(
  evaluate: (point: Float64Array, gradient: Float64Array) => number,
  start: Float64Array,
  maxIterations: number,
  tolerance: number,
  memory = 10,
): Float64Array {
  const size = start.length;
  let point = start;
  let gradient = new Float64Array(size);
  let value = evaluate(point, gradient);
  const steps: Float64Array[] = [];
  const gradientChanges: Float64Array[] = [];
  const curvatures: number[] = [];
  const direction = new Float64Array(size);
  const alphas = new Float64Array(memory);

  for (let iteration = 0; iteration < maxIterations; iteration += 1) {
    let largest = 0;
    for (const component of gradient) largest = Math.max(largest, Math.abs(component));
    if (largest < tolerance) break;

    // Two-loop recursion: direction = -H·gradient.
    direction.set(gradient);
    for (let m = steps.length - 1; m >= 0; m -= 1) {
      const alpha = curvatures[m]! * dot(steps[m]!, direction);
      alphas[m] = alpha;
      const change = gradientChanges[m]!;
      for (let i = 0; i < size; i += 1) direction[i]! -= alpha * change[i]!;
    }
    if (steps.length > 0) {
      const last = steps.length - 1;
      const scale =
        dot(steps[last]!, gradientChanges[last]!) / dot(gradientChanges[last]!, gradientChanges[last]!);
      for (let i = 0; i < size; i += 1) direction[i]! *= scale;
    }
    for (let m = 0; m < steps.length; m += 1) {
      const beta = curvatures[m]! * dot(gradientChanges[m]!, direction);
      const step = steps[m]!;
      for (let i = 0; i < size; i += 1) direction[i]! += step[i]! * (alphas[m]! - beta);
    }
    for (let i = 0; i < size; i += 1) direction[i] = -direction[i]!;

    let slope = dot(direction, gradient);
    if (slope >= 0) {
      // Not a descent direction (can happen after numerical noise): fall back to steepest descent.
      for (let i = 0; i < size; i += 1) direction[i] = -gradient[i]!;
      slope = dot(direction, gradient);
      steps.length = 0;
      gradientChanges.length = 0;
      curvatures.length = 0;
    }

    let stepLength = iteration === 0 && steps.length === 0 ? 1 / Math.max(1, Math.sqrt(-slope)) : 1;
    const candidate = new Float64Array(size);
    const candidateGradient = new Float64Array(size);
    let candidateValue = Infinity;
    for (let attempt = 0; attempt < 40; attempt += 1) {
      for (let i = 0; i < size; i += 1) candidate[i] = point[i]! + stepLength * direction[i]!;
      candidateValue = evaluate(candidate, candidateGradient);
      if (candidateValue <= value + 1e-4 * stepLength * slope) break;
      stepLength *= 0.5;
    }
    if (!(candidateValue < value)) break;

    const step = new Float64Array(size);
    const change = new Float64Array(size);
    for (let i = 0; i < size; i += 1) {
      step[i] = candidate[i]! - point[i]!;
      change[i] = candidateGradient[i]! - gradient[i]!;
    }
    const curvature = dot(step, change);
    if (curvature > 1e-12) {
      if (steps.length === memory) {
        steps.shift();
        gradientChanges.shift();
        curvatures.shift();
      }
      steps.push(step);
      gradientChanges.push(change);
      curvatures.push(1 / curvature);
    }
    const improvement = value - candidateValue;
    point = candidate;
    gradient = candidateGradient;
    value = candidateValue;
    if (improvement < 1e-10 * Math.max(1, Math.abs(value))) break;
  }
  return point;
}
