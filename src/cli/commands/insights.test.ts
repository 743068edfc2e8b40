/**
 * `polett insights …` as a user runs it: real processes on a data folder with one workspace —
 * import with the mapping confirmed, analyze, train, report as HTML, and eval with its baseline.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from '../../../test-support/paths.js';
import { buildInsightsWorkspace } from '../../insights/testing/insights-builders.js';
import { openStorage } from '../../storage/index.js';

const CLI = path.join(REPOSITORY_ROOT, 'test-support', 'run-cli.ts');
const dataDir = mkdtempSync(path.join(tmpdir(), 'polett-insights-cli-'));

beforeAll(() => {
  writeFileSync(path.join(dataDir, 'polett.json'), '{}');
  const storage = openStorage({ dataDir, env: {} });
  buildInsightsWorkspace(storage, 'Kaffebaren AB');
  storage.close();
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function polett(
  args: string[],
  locale = 'sv',
): Promise<{ stdout: string; stderr: string; code: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: REPOSITORY_ROOT,
    env: { ...process.env, POLETT_DATA_DIR: dataDir, POLETT_LOCALE: locale },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number>((resolve) =>
    child.on('close', (exitCode) => resolve(exitCode ?? 1)),
  );
  return { stdout, stderr, code };
}

function labelledFile(name: string, rows: number, offset: number): string {
  const positive = [
    'Mycket god kaffe',
    'Trevlig personal',
    'Snabb service',
    'Jättebra bullar 😍',
    'Mysig lokal',
  ];
  const negative = ['Inte bra alls', 'Kall kaffe', 'Otrevligt bemötande', 'Alldeles för dyrt 😡', 'Lång kö'];
  const lines = ['text,label'];
  for (let index = offset; index < offset + rows; index += 1) {
    const pool = index % 2 === 0 ? positive : negative;
    lines.push(`"${pool[index % 5]!}, besök ${index}",${index % 2 === 0 ? 'positiv' : 'negativ'}`);
  }
  const target = path.join(dataDir, name);
  writeFileSync(target, lines.join('\n'));
  return target;
}

describe('polett insights', () => {
  it('imports with the mapping confirmed, analyzes, trains and reports', async () => {
    const file = path.join(dataDir, 'omdomen.csv');
    writeFileSync(
      file,
      [
        'id;omdöme;datum;betyg',
        '1;Kaffet var jättegott och personalen trevlig!;2024-03-05 14:02;5',
        '2;;2024-03-06;3',
        '3;Inte bra, leveransen var försenad.;5 mars 2024;1',
        '1;Samma id igen;2024-03-07;4',
      ].join('\n'),
    );
    const unconfirmed = await polett(['insights', 'import', file]);
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toMatch(/text ← omdöme/);
    expect(unconfirmed.stderr).toMatch(/Bekräfta kolumnindelningen ovan med --yes/);

    const imported = await polett(['insights', 'import', file, '--yes', '--json']);
    expect(imported.stderr).toBe('');
    expect(JSON.parse(imported.stdout)).toMatchObject({
      imported: 2,
      duplicates: 1,
      skipped: 1,
      problems: [{ line: 3, kind: 'skipped' }],
    });

    const analysed = await polett(['insights', 'analyze', '--json']);
    expect(JSON.parse(analysed.stdout)).toMatchObject({ analysedNow: 2, total: 2 });

    const trained = await polett([
      'insights',
      'train',
      labelledFile('etiketter.csv', 40, 0),
      '--name',
      'nöjdhet',
    ]);
    expect(trained.code).toBe(0);
    expect(trained.stdout).toMatch(
      /Klassificeraren "nöjdhet" tränad på 40 exempel \(negativ 20, positiv 20\)/,
    );

    const reportPath = path.join(dataDir, 'rapport.html');
    const report = await polett(['insights', 'report', '--format', 'html', '--output', reportPath]);
    expect(report.code).toBe(0);
    const html = readFileSync(reportPath, 'utf8');
    expect(html).toContain('<html lang="sv">');
    expect(html).toContain('Insiktsrapport');
    expect(html).toContain('Inte bra, leveransen var försenad.');
  }, 60_000);

  it('eval prints accuracy, macro-F1 and MCC with the baseline, as one JSON object', async () => {
    const result = await polett([
      'insights',
      'eval',
      '--train',
      labelledFile('train.csv', 60, 0),
      '--test',
      labelledFile('test.csv', 20, 60),
      '--json',
    ]);
    expect(result.stderr).toBe('');
    const body = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(
      expect.arrayContaining(['accuracy', 'macroF1', 'mcc', 'n', 'baseline']),
    );
    expect(body.n).toBe(20);
    expect(body.baseline).toMatchObject({ n: 20 });
    expect(body.mcc as number).toBeGreaterThan(0.5);

    const missing = await polett(
      ['insights', 'eval', '--data', path.join(dataDir, 'train.csv'), '--label-column', 'klass'],
      'en',
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No label column found .* Name it with --label-column/);
  }, 60_000);
});
