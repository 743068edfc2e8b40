/**
 * `polett insights eval`: trains the tier-1 classifier and the plain TF-IDF + logistic regression
 * baseline on the same rows, scores both on the same test rows, and reports accuracy, macro-F1 and
 * Matthews correlation. The split is either two files, or one file split stratified by a seed, so
 * that every figure can be reproduced.
 */
import { PolettError } from '../errors.js';
import { scoreClassification, type ClassificationScores } from './classification-metrics.js';
import { detectColumns } from './import/column-detection.js';
import { findLabelTypos, type LabelTypo } from './import/label-typos.js';
import { previewRecords, readRecords } from './import/record-reader.js';
import { stratifiedSplit } from './stratified-split.js';
import { TextClassifier, type LabelledText } from './text-classifier.js';

export interface LabelledFileOptions {
  textColumn?: string;
  labelColumn?: string;
}

export interface LabelledFile {
  examples: LabelledText[];
  /** Rows left out: no text, no label, or a label that looks like a typo. */
  skipped: Array<{ line: number; reason: string }>;
  labelTypos: LabelTypo[];
}

function columnError(file: string, role: string, columns: string[], option: string): PolettError {
  return new PolettError({
    code: 'insights_column_missing',
    status: 400,
    field: option,
    message: {
      sv: `Hittar ingen ${role === 'text' ? 'textkolumn' : 'etikettkolumn'} i ${file} (kolumner: ${columns.join(', ')}). Ange den med ${option}.`,
      en: `No ${role} column found in ${file} (columns: ${columns.join(', ')}). Name it with ${option}.`,
    },
  });
}

/** Reads a labelled file (any supported format), streamed. */
export async function readLabelledFile(
  path: string,
  options: LabelledFileOptions = {},
): Promise<LabelledFile> {
  const preview = await previewRecords(path);
  const detected = detectColumns(preview.columns, preview.records);
  const textColumn = options.textColumn ?? detected.text;
  const labelColumn = options.labelColumn ?? detected.label;
  if (!textColumn || !preview.columns.includes(textColumn))
    throw columnError(path, 'text', preview.columns, '--text-column');
  if (!labelColumn || !preview.columns.includes(labelColumn))
    throw columnError(path, 'label', preview.columns, '--label-column');
  const rows: Array<{ line: number; text: string; label: string }> = [];
  const skipped: LabelledFile['skipped'] = [];
  const counts = new Map<string, number>();
  for await (const record of readRecords(path, preview.sniff)) {
    const text = (record.fields[textColumn] ?? '').trim();
    const label = (record.fields[labelColumn] ?? '').trim();
    if (text === '') skipped.push({ line: record.line, reason: 'no text' });
    else if (label === '') skipped.push({ line: record.line, reason: 'no label' });
    else {
      rows.push({ line: record.line, text, label });
      counts.set(label, (counts.get(label) ?? 0) + 1);
    }
  }
  const labelTypos = findLabelTypos(counts);
  const typoOf = new Map(labelTypos.map((typo) => [typo.label, typo.likely]));
  const examples: LabelledText[] = [];
  for (const row of rows) {
    const likely = typoOf.get(row.label);
    if (likely !== undefined)
      skipped.push({ line: row.line, reason: `label "${row.label}" looks like a typo of "${likely}"` });
    else examples.push({ text: row.text, label: row.label });
  }
  return { examples, skipped, labelTypos };
}

export interface EvaluationReport extends ClassificationScores {
  baseline: ClassificationScores;
  labels: string[];
  trainSize: number;
  /** Texts a second of the tier-1 classifier in this run (one thread), for orientation only. */
  textsPerSecond: number;
  skipped: number;
  labelTypos: LabelTypo[];
}

export type EvaluationInput =
  | { train: string; test: string; options?: LabelledFileOptions }
  | { data: string; trainSize: number; seed: number; options?: LabelledFileOptions };

/** Trains and scores both classifiers on the same split. */
export async function evaluateClassifier(input: EvaluationInput): Promise<EvaluationReport> {
  let train: LabelledText[];
  let test: LabelledText[];
  let skipped = 0;
  let labelTypos: LabelTypo[];
  if ('data' in input) {
    const file = await readLabelledFile(input.data, input.options);
    skipped = file.skipped.length;
    labelTypos = file.labelTypos;
    ({ train, test } = stratifiedSplit(
      file.examples,
      (example) => example.label,
      input.trainSize,
      input.seed,
    ));
  } else {
    const trainFile = await readLabelledFile(input.train, input.options);
    const testFile = await readLabelledFile(input.test, input.options);
    train = trainFile.examples;
    test = testFile.examples;
    skipped = trainFile.skipped.length + testFile.skipped.length;
    labelTypos = [...trainFile.labelTypos, ...testFile.labelTypos];
  }
  if (new Set(train.map((example) => example.label)).size < 2)
    throw new PolettError({
      code: 'insights_too_few_labels',
      status: 400,
      message: {
        sv: 'Träningsfilen behöver minst två olika etiketter. Lägg till exempel för fler klasser.',
        en: 'The training file needs at least two different labels. Add examples of more classes.',
      },
    });
  if (test.length === 0)
    throw new PolettError({
      code: 'insights_no_test_rows',
      status: 400,
      message: {
        sv: 'Testfilen har inga rader med både text och etikett.',
        en: 'The test file has no rows with both a text and a label.',
      },
    });
  const truth = test.map((example) => example.label);
  const texts = test.map((example) => example.text);
  const classifier = TextClassifier.train(train);
  const started = performance.now();
  const predicted = classifier.predictLabels(texts);
  const seconds = (performance.now() - started) / 1000;
  const baseline = TextClassifier.train(train, { kind: 'baseline-tfidf-logistic' });
  return {
    ...scoreClassification(truth, predicted),
    baseline: scoreClassification(truth, baseline.predictLabels(texts)),
    labels: [...classifier.labels],
    trainSize: train.length,
    textsPerSecond: Math.round(texts.length / Math.max(seconds, 1e-9)),
    skipped,
    labelTypos,
  };
}
