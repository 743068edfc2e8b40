import { describe, expect, it } from 'vitest';
import { markdownTable, renderReport } from './benchmark-report.js';

describe('markdownTable', () => {
  it('right-aligns columns of numbers, empty cells allowed, and formats them for reading', () => {
    const table = markdownTable(
      ['side', 'p50 ms', 'added ms'],
      [
        ['direct', 0.5234, ''],
        ['Polett', 2.1, 1.5766],
      ],
    );
    expect(table.split('\n')).toEqual([
      '| side | p50 ms | added ms |',
      '|---|---:|---:|',
      '| direct | 0.523 |  |',
      '| Polett | 2.10 | 1.58 |',
    ]);
  });
});

describe('renderReport', () => {
  it('prints a verdict line per target', () => {
    const text = renderReport({
      name: 'example',
      title: 'Example',
      setup: [],
      columns: ['a'],
      rows: [[1]],
      verdicts: [{ target: 'a ≤ 2', measured: '1', passed: true }],
      notes: [],
    });
    expect(text).toContain('**PASS** — target a ≤ 2: measured 1');
  });
});
