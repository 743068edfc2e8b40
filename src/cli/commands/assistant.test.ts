/**
 * `polett assistant ask | list | eval` over a real data folder with a real knowledge base (tier 1:
 * no model), so that the answer cites a passage that Knowledge found.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildDataDir } from '../../../test-support/builders.js';
import { createOwner } from './accounts.js';
import { runAssistantAsk, runAssistantEvalCommand, runAssistantList } from './assistant.js';
import { runKbAdd } from './kb.js';

const documents = mkdtempSync(path.join(tmpdir(), 'polett-assistant-cli-'));
let data: ReturnType<typeof buildDataDir>;

async function printed(run: () => Promise<void>): Promise<string> {
  let output = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    output += String(chunk);
    return true;
  });
  const quiet = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await run();
  } finally {
    spy.mockRestore();
    quiet.mockRestore();
  }
  return output;
}

beforeAll(async () => {
  data = buildDataDir();
  await createOwner(
    { email: 'agare@exempel.se', name: 'Åsa Ägare', workspace: 'Lindqvists Cykel AB', locale: 'sv' },
    'ett långt lösenord',
    data.dataDir,
  );
  writeFileSync(
    path.join(documents, 'villkor.md'),
    [
      '# Köpvillkor',
      '',
      '## Retur',
      '',
      'Du har 30 dagars öppet köp. Returen är kostnadsfri med returetiketten som ligger i paketet.',
      '',
      '## Leverans',
      '',
      'Leveranstiden är 2–4 arbetsdagar inom Sverige. Vi skickar med PostNord till ditt närmaste ombud.',
    ].join('\n'),
  );
  await printed(() => runKbAdd(documents, { dataDir: data.dataDir, json: true }));
});

afterAll(() => {
  data.remove();
  rmSync(documents, { recursive: true, force: true });
});

describe('polett assistant', () => {
  it('answers a Swedish question from the knowledge base and cites the passage', async () => {
    const answer = JSON.parse(
      await printed(() =>
        runAssistantAsk('Hur många dagars öppet köp har jag?', { dataDir: data.dataDir, json: true }),
      ),
    ) as {
      kind: string;
      answer: string;
      citations: Array<{ title: string; headingPath: string[] }>;
      assistant: string;
    };
    expect(answer.assistant).toBe('Assistent');
    expect(answer.kind).toBe('faq');
    expect(answer.answer).toContain('30 dagars öppet köp');
    expect(answer.citations[0]!.headingPath).toContain('Retur');

    const list = JSON.parse(await printed(() => runAssistantList({ dataDir: data.dataDir, json: true }))) as {
      assistants: Array<{ name: string }>;
    };
    expect(list.assistants.map((assistant) => assistant.name)).toEqual(['Assistent']);
  });

  it('says in one sentence when the named assistant does not exist', async () => {
    await expect(
      runAssistantAsk('Hej', { dataDir: data.dataDir, assistant: 'Finns inte' }),
    ).rejects.toMatchObject({ code: 'assistant_not_found' });
  });

  it('evaluates on a SweFAQ-shaped file', async () => {
    const file = path.join(documents, 'faq.jsonl');
    const lines = [
      {
        question: 'Hur lång är leveranstiden inom Sverige?',
        candidate_answers: ['Leveranstiden är 2–4 arbetsdagar inom Sverige.', 'Du har 30 dagars öppet köp.'],
        label: 0,
      },
      {
        question: 'Hur många dagars öppet köp har jag?',
        candidate_answers: ['Leveranstiden är 2–4 arbetsdagar inom Sverige.', 'Du har 30 dagars öppet köp.'],
        label: 1,
      },
      { question: 'Säljer ni presentkort?', candidate_answers: ['Presentkort säljs i butiken.'], label: 0 },
    ];
    writeFileSync(file, lines.map((line) => JSON.stringify(line)).join('\n'));
    const report = JSON.parse(
      await printed(() => runAssistantEvalCommand(file, { dataDir: data.dataDir, json: true })),
    ) as Record<string, number>;
    expect(Object.keys(report).sort()).toEqual(['abstained', 'citedRight', 'n']);
    expect(report.n).toBe(3);
    expect(report.citedRight).toBeGreaterThanOrEqual(2 / 3 - 0.001);
    expect(report.abstained).toBeLessThanOrEqual(1 / 3 + 0.001);
  });
});
