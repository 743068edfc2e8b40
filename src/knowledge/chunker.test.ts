import { describe, expect, it } from 'vitest';
import { chunkDocument } from './chunker.js';
import { block, buildDocument, heading } from './testing/documents.js';

/** A word a token: easy to reason about sizes in a test. */
const countWords = (text: string) => text.split(/\s+/).filter(Boolean).length;

describe('structure-aware chunking', () => {
  it('keeps small blocks together under their heading path, and never crosses a heading', () => {
    const chunks = chunkDocument(
      buildDocument({
        blocks: [
          heading('Handbok'),
          heading('Returer', 2, { url: 'https://exempel.se/hjalp#returer' }),
          block('paragraph', 'Du kan returnera varor inom 30 dagar.', {
            location: { url: 'https://exempel.se/hjalp#returer' },
          }),
          block('list', '- Packa varan\n- Lämna hos ombudet'),
          heading('Frakt', 2),
          'Vi skickar med Postnord.',
        ],
      }),
      { maxTokens: 50, overlapTokens: 5, countTokens: countWords },
    );
    expect(chunks).toEqual([
      {
        ordinal: 0,
        text: 'Du kan returnera varor inom 30 dagar.\n\n- Packa varan\n- Lämna hos ombudet',
        headingPath: ['Handbok', 'Returer'],
        location: { url: 'https://exempel.se/hjalp#returer' },
        tokenCount: 15,
      },
      {
        ordinal: 1,
        text: 'Vi skickar med Postnord.',
        headingPath: ['Handbok', 'Frakt'],
        location: {},
        tokenCount: 4,
      },
    ]);
  });

  it('keeps a table whole when it fits, and otherwise splits it by rows with the header on each piece', () => {
    const table = block('table', 'Zon | Pris\nSverige | 49 kr\nNorden | 99 kr\nEuropa | 149 kr', {
      location: { sheet: 'Priser', row: 1 },
    });
    const whole = chunkDocument(buildDocument({ blocks: [table] }), {
      maxTokens: 40,
      overlapTokens: 0,
      countTokens: countWords,
    });
    expect(whole).toHaveLength(1);
    expect(whole[0]!.text).toBe(table.text);

    const split = chunkDocument(buildDocument({ blocks: [table] }), {
      maxTokens: 8,
      overlapTokens: 0,
      countTokens: countWords,
    });
    expect(split.map((chunk) => chunk.text)).toEqual([
      'Zon | Pris\nSverige | 49 kr',
      'Zon | Pris\nNorden | 99 kr',
      'Zon | Pris\nEuropa | 149 kr',
    ]);
    expect(split.map((chunk) => chunk.location.row)).toEqual([2, 3, 4]);
  });

  it('splits a long paragraph at sentences, within the size, with overlap between pieces', () => {
    const sentences = Array.from(
      { length: 12 },
      (_, index) => `Mening nummer ${index + 1} handlar om leveranser.`,
    );
    const chunks = chunkDocument(buildDocument({ blocks: [sentences.join(' ')] }), {
      maxTokens: 20,
      overlapTokens: 6,
      countTokens: countWords,
    });
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks) expect(countWords(chunk.text)).toBeLessThanOrEqual(20);
    // Every sentence is somewhere, and consecutive chunks share the sentence at their boundary.
    for (const sentence of sentences)
      expect(chunks.some((chunk) => chunk.text.includes(sentence))).toBe(true);
    for (let index = 1; index < chunks.length; index += 1) {
      const lastOfPrevious = chunks[index - 1]!.text.split('. ').at(-1)!;
      expect(chunks[index]!.text.startsWith(lastOfPrevious.replace(/\.$/, ''))).toBe(true);
    }
  });

  it('cuts a sentence longer than a chunk at words, and a word longer than a chunk at characters', () => {
    const endless = Array.from({ length: 45 }, () => 'ord').join(' ');
    const blob = 'x'.repeat(100);
    const chunks = chunkDocument(buildDocument({ blocks: [endless, blob] }), {
      maxTokens: 10,
      overlapTokens: 0,
      countTokens: (text) => Math.max(countWords(text), Math.ceil(text.length / 20)),
    });
    expect(chunks.map((chunk) => chunk.text).join(' ')).toContain('ord ord');
    for (const chunk of chunks) expect(chunk.tokenCount).toBeLessThanOrEqual(10);
  });

  it('counts tokens with o200k by default and gives an empty document no chunks', () => {
    const [chunk] = chunkDocument(buildDocument({ blocks: ['Hej! Vi skickade paketet igår.'] }));
    expect(chunk!.tokenCount).toBeGreaterThan(4);
    expect(chunkDocument(buildDocument({ blocks: [heading('Bara rubrik'), '   '] }))).toEqual([]);
  });
});
