import { describe, expect, it } from 'vitest';
import { foldSwedish, SwedishAnalyzer, SwedishLexicon } from '../text/swedish.js';
import { documentLexicalColumns, lexicalColumns } from './lexical-analysis.js';

const analyzer = new SwedishAnalyzer(
  new SwedishLexicon(
    new Set(['kund', 'tjänst', 'retur', 'policy', 'vaccin', 'skola', 'gård', 'arbets', 'givare']),
    {
      functionWords: new Set(['och', 'i', 'på']),
    },
  ),
);

/** Texts that take every path of the analysis: compounds, derivations, folding, apostrophes, digits, astral letters. */
const TEXTS = [
  'Kundtjänsten svarar på returpolicyn inom 14 dagar.',
  'Vaccineringen och skolgården; arbetsgivaren i Malmö.',
  'Café crème, naïve Åsa och Ærø, straße — ÉÈ ü.',
  "Kund's order: it's done ’twas 3,14 % A/B-test _under_ streck.",
  'Matematik 𝐀𝐁𝐂 och 𠀋𠀌 tecken utanför BMP, 😀 emoji.',
  'a',
  '',
  '!!! ??? ...',
  'ord\nmed\r\nradbrytningar\toch  mellanslag',
];

describe('documentLexicalColumns', () => {
  it('gives every chunk the same terms as lexicalColumns, chunk by chunk', () => {
    const title = 'Returpolicy för Kundtjänst 𝐀';
    const chunks = TEXTS.flatMap((text, index) => [
      { headingPath: ['Villkor', `Avsnitt ${index}`], text },
      { headingPath: [], text: `${text} ${TEXTS[(index + 3) % TEXTS.length]}` },
    ]);
    const fast = documentLexicalColumns(analyzer, title, chunks);
    expect(fast).toHaveLength(chunks.length);
    chunks.forEach((chunk, index) => {
      const { scope: _scope, ...reference } = lexicalColumns(
        analyzer,
        { title, headingPath: chunk.headingPath, text: chunk.text },
        { workspaceId: 'w1' },
      );
      expect(fast[index]).toEqual(reference);
    });
    // The cases above did reach the compound, apostrophe and astral paths.
    expect(fast[0]!.parts).toContain('kund');
    expect(fast[8]!.grams).toContain('_𝐀𝐁𝐂');
    expect(fast[6]!.grams).toContain(' it_s ');
  });
});

/** foldSwedish as it was written first, character by character: the reference the faster one must match. */
function foldSwedishReference(text: string): string {
  const equivalents: Record<string, string> = { æ: 'ä', ø: 'ö', ß: 'ss' };
  let folded = '';
  for (const character of text.toLowerCase()) {
    if (character === 'å' || character === 'ä' || character === 'ö') folded += character;
    else if (equivalents[character] !== undefined) folded += equivalents[character];
    else folded += character.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  }
  return folded;
}

describe('foldSwedish', () => {
  it('folds exactly as the character-by-character reference, on every kind of text', () => {
    const decomposed = 'Cafe\u0301 a\u030a';
    for (const text of [
      ...TEXTS,
      decomposed,
      'ÅÄÖ åäö ÆØß æøß',
      'Ελληνικά Русский 日本語 Ǆ ǅ İ ﬁ',
      '“Bra!” – 5 ⭐️',
    ]) {
      expect(foldSwedish(text)).toBe(foldSwedishReference(text));
    }
    expect(foldSwedish('Crème Brûlée på Ærø')).toBe('creme brulee på ärö');
  });
});
