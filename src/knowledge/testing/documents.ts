/** Test-data builders for Knowledge: parsed documents built from a few lines, no parser needed. */
import type { Block, ParsedDocument } from '../parsing/types.js';
import type { PassageLocation } from '../search-contract.js';

/** A block; the location defaults to none. */
export function block(kind: Block['kind'], text: string, extra: Partial<Block> = {}): Block {
  return { kind, text, location: {} as PassageLocation, ...extra };
}

export function heading(text: string, level = 1, location: PassageLocation = {}): Block {
  return { kind: 'heading', text, level, location };
}

/** A document of the given blocks (paragraphs when given strings). */
export function buildDocument(options: {
  title?: string;
  blocks: Array<Block | string>;
  format?: string;
  language?: string;
}): ParsedDocument {
  return {
    title: options.title ?? 'Dokument',
    format: options.format ?? 'text',
    ...(options.language ? { language: options.language } : {}),
    blocks: options.blocks.map((entry) => (typeof entry === 'string' ? block('paragraph', entry) : entry)),
  };
}

/** A small Swedish handbook of a web shop, for search tests. */
export const HANDBOOK_PAGES: Record<string, ParsedDocument> = {
  'retur.md': buildDocument({
    title: 'Returer',
    language: 'sv',
    blocks: [
      heading('Returpolicy'),
      'Du kan returnera varor inom 30 dagar. Returpolicyn gäller alla köp i webbutiken.',
      heading('Så gör du', 2),
      block('list', '- Fyll i returblanketten\n- Packa varan väl\n- Lämna paketet hos ombudet'),
    ],
  }),
  'kundtjanst.md': buildDocument({
    title: 'Kontakt',
    language: 'sv',
    blocks: [
      heading('Kundtjänst'),
      'Kundtjänsten svarar på telefon vardagar 8–17 och på e-post inom ett dygn.',
    ],
  }),
  'frakt.md': buildDocument({
    title: 'Leveranser',
    language: 'sv',
    blocks: [
      heading('Frakt och leverans'),
      'Vi skickar med Postnord. Leveranstiden till Göteborg och Malmö är två till tre dagar.',
      block('table', 'Zon | Pris\nSverige | 49 kr\nNorden | 99 kr', {
        location: { sheet: 'Priser', row: 1 },
      }),
    ],
  }),
  'betalning.md': buildDocument({
    title: 'Betalning',
    language: 'sv',
    blocks: ['Vi tar emot kort, Swish och faktura. Fakturan betalas inom 14 dagar.'],
  }),
};
