import { describe, expect, it } from 'vitest';
import { scoreClassification } from './classification-metrics.js';
import { stratifiedSplit } from './stratified-split.js';
import { TextClassifier, type LabelledText } from './text-classifier.js';

/** Short made-up feedback in three classes, with the variation real texts have. */
function buildExamples(): LabelledText[] {
  const praise = [
    'Mycket bra service',
    'Jättebra leverans',
    'Trevlig personal',
    'Snabbt och smidigt',
    'Toppen 😍',
    'Rekommenderas varmt!',
    'Grym kvalitet',
    'Tack för hjälpen',
  ];
  const complaints = [
    'Inte bra alls',
    'Dålig service',
    'Leveransen var försenad',
    'Otrevlig personal 😡',
    'Aldrig mer',
    'Inget vidare',
    'Trasig vara',
    'Besviken på kvaliteten',
  ];
  const questions = [
    'När öppnar ni?',
    'Hur lång är leveranstiden?',
    'Har ni öppet på söndag?',
    'Vad kostar frakten?',
    'Kan jag byta storlek?',
    'Var ligger butiken?',
    'Finns den i blått?',
    'Hur gör jag en retur?',
  ];
  const examples: LabelledText[] = [];
  const endings = ['', '.', '!', ' i går', ' idag'];
  for (const [label, texts] of [
    ['beröm', praise],
    ['klagomål', complaints],
    ['fråga', questions],
  ] as const)
    for (const text of texts)
      for (const ending of endings) examples.push({ text: `${text}${ending}`, label });
  return examples;
}

describe('TextClassifier', () => {
  it('learns any label set from examples and scores held-out texts well above chance', () => {
    const { train, test } = stratifiedSplit(buildExamples(), (example) => example.label, 60, 7);
    const classifier = TextClassifier.train(train);
    expect(classifier.labels).toEqual(['beröm', 'fråga', 'klagomål']);
    const predicted = classifier.predictLabels(test.map((example) => example.text));
    const scores = scoreClassification(
      test.map((example) => example.label),
      predicted,
    );
    expect(scores.mcc).toBeGreaterThan(0.6);
    const prediction = classifier.predict('Inte bra, leveransen var försenad');
    expect(prediction.label).toBe('klagomål');
    expect(Object.values(prediction.probabilities).reduce((sum, value) => sum + value, 0)).toBeCloseTo(1);
  });

  it('gives the same predictions after being stored as JSON and read back', () => {
    const classifier = TextClassifier.train(buildExamples(), { inverseRegularisation: 10 });
    const restored = TextClassifier.deserialise(JSON.parse(JSON.stringify(classifier.serialise())));
    for (const text of ['Tack, jättebra!', 'Hur länge har ni öppet?', 'Dålig kvalitet 😡'])
      expect(restored.predict(text).label).toBe(classifier.predict(text).label);
  });

  it('trains the word-token baseline with the same machinery', () => {
    const baseline = TextClassifier.train(buildExamples(), {
      kind: 'baseline-tfidf-logistic',
      inverseRegularisation: 10,
    });
    expect(baseline.kind).toBe('baseline-tfidf-logistic');
    expect(baseline.predict('Dålig service').label).toBe('klagomål');
  });

  it('refuses a single label', () => {
    expect(() =>
      TextClassifier.train([
        { text: 'bra', label: 'pos' },
        { text: 'toppen', label: 'pos' },
      ]),
    ).toThrow(RangeError);
  });
});
