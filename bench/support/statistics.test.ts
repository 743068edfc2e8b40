import { describe, expect, it } from 'vitest';
import { median, percentile } from './statistics.js';

describe('percentile', () => {
  it('uses the nearest rank, never interpolating between samples', () => {
    const samples = [5, 1, 4, 2, 3];
    expect(percentile(samples, 0.5)).toBe(3);
    expect(percentile(samples, 0.99)).toBe(5);
    expect(percentile(samples, 0)).toBe(1);
    expect(median([1, 2, 3, 4])).toBe(2);
  });

  it('gives NaN for no samples rather than a made-up number', () => {
    expect(percentile([], 0.5)).toBeNaN();
  });
});
