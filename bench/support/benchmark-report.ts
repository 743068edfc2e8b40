import { availableParallelism, loadavg } from 'node:os';

/**
 * The one shape every benchmark returns, so that `bench/run.ts` prints them alike and the lead can
 * import a benchmark and paste its table: rows measured in one run, and a verdict per target.
 */

/** One cell: numbers are formatted by the table, strings are printed as they are. */
export type Cell = string | number;

export interface Verdict {
  /** What was promised, in words: "p50 added ≤ 2 ms". */
  target: string;
  /** What this run measured, in words: "0.84 ms". */
  measured: string;
  passed: boolean;
}

export interface BenchmarkReport {
  /** Short name used on the command line (`npm run bench -- proxy`). */
  name: string;
  title: string;
  /** How the numbers were obtained: sizes, machine facts, anything needed to read the table. */
  setup: string[];
  columns: string[];
  rows: Cell[][];
  verdicts: Verdict[];
  /** Diagnoses and remarks printed under the verdicts (a profile breakdown, a skipped part). */
  notes: string[];
  /** Extra tables (a profile breakdown), printed after the main one. */
  extraTables?: { title: string; columns: string[]; rows: Cell[][] }[];
}

function formatCell(cell: Cell): string {
  if (typeof cell === 'string') return cell;
  if (!Number.isFinite(cell)) return String(cell);
  if (Number.isInteger(cell)) return cell.toLocaleString('en-US');
  const magnitude = Math.abs(cell);
  const digits = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3;
  return cell.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A Markdown table; numbers right-aligned because that is how they compare at a glance. */
export function markdownTable(columns: string[], rows: Cell[][]): string {
  // A column is numeric when every cell that is not left empty holds a number.
  const numericColumn = columns.map(
    (_, index) =>
      rows.some((row) => typeof row[index] === 'number') &&
      rows.every((row) => typeof row[index] === 'number' || row[index] === '' || row[index] === undefined),
  );
  const header = `| ${columns.join(' | ')} |`;
  const rule = `|${numericColumn.map((numeric) => (numeric ? '---:' : '---')).join('|')}|`;
  const body = rows.map((row) => `| ${row.map(formatCell).join(' | ')} |`);
  return [header, rule, ...body].join('\n');
}

/** The whole report as Markdown, ready to paste into a note. */
export function renderReport(report: BenchmarkReport): string {
  const lines = [`### ${report.title}`, ''];
  for (const line of report.setup) lines.push(`- ${line}`);
  if (report.setup.length > 0) lines.push('');
  lines.push(markdownTable(report.columns, report.rows), '');
  for (const table of report.extraTables ?? []) {
    lines.push(`**${table.title}**`, '', markdownTable(table.columns, table.rows), '');
  }
  for (const verdict of report.verdicts) {
    lines.push(
      `**${verdict.passed ? 'PASS' : 'MISS'}** — target ${verdict.target}: measured ${verdict.measured}`,
    );
    lines.push('');
  }
  for (const note of report.notes) lines.push(`> ${note}`, '');
  return lines.join('\n');
}

/**
 * The machine in one line, with its one-minute load average: on a shared 2-core machine a load
 * far above 2 means other processes took turns with the benchmark, which shows in the tails.
 */
export function describeMachine(): string {
  return `Node ${process.version}, ${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(1)} at the start`;
}
