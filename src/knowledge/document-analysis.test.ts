import { afterAll, describe, expect, it } from 'vitest';
import { swedishAnalyzer } from '../text/swedish.js';
import { analyseDocument, DocumentAnalysisThread, startedAhead } from './document-analysis.js';
import type { ParsedDocument } from './parsing/types.js';

const document: ParsedDocument = {
  title: 'Kundtjänst och returer',
  format: 'markdown',
  blocks: [
    { kind: 'heading', level: 1, text: 'Returpolicy', location: {} },
    {
      kind: 'paragraph',
      text: 'Kundtjänsten svarar vardagar. Returpolicyn ger 30 dagars öppet köp på alla varor – även reavaror.',
      location: { page: 1 },
    },
    { kind: 'list', text: '- Skicka varan\n- Fyll i returblanketten', location: { page: 2 } },
    { kind: 'paragraph', text: 'Crème brûlée ’s kväll 😀 𝐀𝐁𝐂.'.repeat(300), location: { page: 3 } },
  ],
};

describe('document analysis', () => {
  const thread = new DocumentAnalysisThread(() => {
    throw new Error('the thread itself must answer in this test');
  });
  afterAll(() => thread.close());

  it('gives on the analysis thread exactly what it gives here', async () => {
    const here = analyseDocument(document, await swedishAnalyzer());
    expect(here.chunks.length).toBeGreaterThan(2);
    expect(here.chunks[0]!.lexical.parts).toContain('kund');
    const [first, second] = await Promise.all([thread.analyse(document), thread.analyse(document)]);
    expect(first).toEqual(here);
    expect(second).toEqual(here);
  }, 60_000);

  it('starts work a set number of items ahead, and hands the items out in order', async () => {
    const started: number[] = [];
    const handedOut: Array<{ item: number; startedBefore: number[] }> = [];
    for await (const { item, started: result } of startedAhead(
      [1, 2, 3, 4, 5],
      async (item) => {
        started.push(item);
        return item * 10;
      },
      2,
    )) {
      handedOut.push({ item, startedBefore: [...started] });
      expect(await result).toBe(item * 10);
    }
    expect(handedOut.map((entry) => entry.item)).toEqual([1, 2, 3, 4, 5]);
    // When item 1 is handed out, items 2 and 3 are already under way.
    expect(handedOut[0]!.startedBefore).toEqual([1, 2, 3]);
    expect(handedOut[2]!.startedBefore).toEqual([1, 2, 3, 4, 5]);
  });
});
