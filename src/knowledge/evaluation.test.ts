/**
 * `polett kb eval` on a small file of its own (the shape of SweFAQ): the scores, the baseline beside
 * them, the exact JSON of `--json`, and one sentence for a broken file.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from '../../test-support/paths.js';
import { runEval } from './evaluation.js';

const folder = mkdtempSync(path.join(tmpdir(), 'polett-eval-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const answers = [
  'Kundtjänsten har öppet vardagar 8–17 och svarar på e-post inom ett dygn.',
  'Returpolicyn ger dig 30 dagars öppet köp på alla varor.',
  'Leveranstiden inom Sverige är två till tre arbetsdagar med Postnord.',
  'Fakturan betalas inom 14 dagar till vårt bankgiro.',
];
const questions: Array<[string, number]> = [
  ['När har kundtjänst öppet?', 0],
  ['Hur länge kan jag returnera en vara?', 1],
  ['Hur lång är leveranstiden?', 2],
  ['När ska fakturor betalas?', 3],
  ['Vilken returrätt har jag?', 1],
];
const file = path.join(folder, 'faq.jsonl');
writeFileSync(
  file,
  questions
    .map(([question, label]) =>
      JSON.stringify({ category_id: 1, question, candidate_answers: answers, label, meta: {} }),
    )
    .join('\n'),
);

describe('polett kb eval', () => {
  it('loads the answers into a temporary knowledge base and scores recall@1, recall@5 and MRR', async () => {
    const report = await runEval(file);
    expect(report).toMatchObject({ n: 5, documents: 4, mode: 'lexical', recall5: 1 });
    expect(report.recall1).toBeGreaterThanOrEqual(0.8);
    expect(report.mrr).toBeGreaterThanOrEqual(report.recall1);
    // Plain BM25 over words cannot find "returrätt" in "Returpolicyn": compound parts can.
    expect(report.recall1).toBeGreaterThan(report.baseline.recall1);
  });

  it('prints one JSON object with the keys recall1, recall5, mrr and n, and one sentence for a bad file', () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'test-support/run-cli.ts', 'kb', 'eval', ...args], {
        cwd: REPOSITORY_ROOT,
        encoding: 'utf8',
        env: { ...process.env, POLETT_DATA_DIR: folder, POLETT_LOCALE: 'sv' },
      });
    const ok = run(file, '--json');
    expect(ok.status).toBe(0);
    const printed = JSON.parse(ok.stdout) as Record<string, number>;
    expect(Object.keys(printed)).toEqual(['recall1', 'recall5', 'mrr', 'n']);
    expect(printed.n).toBe(5);

    const broken = path.join(folder, 'trasig.jsonl');
    writeFileSync(broken, '{"question": "Hej?", "candidate_answers": ["Hej"], "label": 0}\n{inte json\n');
    const failed = run(broken);
    expect(failed.status).toBe(1);
    expect(failed.stderr.trim()).toBe(
      `Utvärderingsfilen ${broken} går inte att läsa (rad 2 är inte JSON); varje rad ska vara ett JSON-objekt med question, candidate_answers och label.`,
    );
  });
});
