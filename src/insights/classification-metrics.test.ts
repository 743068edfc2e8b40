import { describe, expect, it } from 'vitest';
import { scoreClassification } from './classification-metrics.js';

describe('scoreClassification', () => {
  it('matches the hand-computed binary scores', () => {
    const scores = scoreClassification(['a', 'a', 'b', 'b'], ['a', 'b', 'b', 'b']);
    expect(scores.accuracy).toBeCloseTo(0.75);
    // a: precision 1, recall 0.5 → F1 2/3; b: precision 2/3, recall 1 → F1 0.8.
    expect(scores.macroF1).toBeCloseTo((2 / 3 + 0.8) / 2);
    // (TP·TN − FP·FN) / √((TP+FP)(TP+FN)(TN+FP)(TN+FN)) = (1·2 − 0·1) / √(1·2·2·3)
    expect(scores.mcc).toBeCloseTo(2 / Math.sqrt(12));
    expect(scores.n).toBe(4);
  });

  it('gives the multiclass Matthews correlation: 1 when perfect, 0 for a constant guess, -1 when always wrong', () => {
    const truth = ['pos', 'neu', 'neg', 'pos', 'neu', 'neg'];
    expect(scoreClassification(truth, truth).mcc).toBe(1);
    expect(
      scoreClassification(
        truth,
        truth.map(() => 'pos'),
      ).mcc,
    ).toBe(0);
    // Four right of six, two per class in both: (c·n − Σ p_k·t_k) / √((n² − Σp²)(n² − Σt²)) = (24 − 12) / 24.
    const predicted = ['pos', 'neu', 'neu', 'pos', 'neg', 'neg'];
    expect(scoreClassification(truth, predicted).mcc).toBeCloseTo(0.5);
    // Every text put in the wrong one of two classes: -1.
    expect(scoreClassification(['a', 'b', 'a', 'b'], ['b', 'a', 'b', 'a']).mcc).toBeCloseTo(-1);
  });
});
