import { describe, expect, it } from 'vitest';
import { stratifiedSplit } from './stratified-split.js';

describe('stratifiedSplit', () => {
  const rows = Array.from({ length: 100 }, (_, index) => ({
    id: index,
    label: index < 70 ? 'pos' : index < 90 ? 'neu' : 'neg',
  }));

  it('keeps each label’s share in the training part and puts every row in exactly one part', () => {
    const { train, test } = stratifiedSplit(rows, (row) => row.label, 50, 1);
    expect(train).toHaveLength(50);
    expect(test).toHaveLength(50);
    const count = (part: typeof rows, label: string) => part.filter((row) => row.label === label).length;
    expect([count(train, 'pos'), count(train, 'neu'), count(train, 'neg')]).toEqual([35, 10, 5]);
    expect(new Set([...train, ...test].map((row) => row.id)).size).toBe(100);
  });

  it('is reproducible by seed and differs between seeds', () => {
    const ids = (seed: number) =>
      stratifiedSplit(rows, (row) => row.label, 30, seed).train.map((row) => row.id);
    expect(ids(1)).toEqual(ids(1));
    expect(ids(1)).not.toEqual(ids(2));
  });
});
