import { describe, expect, it } from 'vitest';
import { parseCsv } from './shared-data.js';

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks', () => {
    const text =
      'text,sentiment\n"Snabb, trevlig ""service""",positive\r\n"två\nrader",negative\nutan citat,positive';
    expect(parseCsv(text)).toEqual([
      ['text', 'sentiment'],
      ['Snabb, trevlig "service"', 'positive'],
      ['två\nrader', 'negative'],
      ['utan citat', 'positive'],
    ]);
  });
});
