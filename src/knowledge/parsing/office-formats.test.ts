import { describe, expect, it } from 'vitest';
import { parseDocument } from './index.js';
import { buildDocx, buildPdf, buildXlsx } from './testing/document-fixtures.js';

describe('PDF', () => {
  it('reads headings and paragraphs with their page numbers and the title from the metadata', async () => {
    const bytes = await buildPdf({
      title: 'Prislista 2026',
      pages: [
        {
          heading: 'Priser för tjänster',
          paragraphs: [
            'Fönsterputs kostar 450 kronor i timmen för privatpersoner i Göteborg och Mölndal. Vi tar med oss allt material som behövs för jobbet och städar efter oss.',
            'Storstädning kostar 380 kronor i timmen.',
          ],
        },
        { heading: 'Villkor', paragraphs: ['Avbokning ska ske senast ett dygn före besöket.'] },
      ],
    });
    const document = await parseDocument({ bytes, name: 'prislista.pdf' });
    expect(document).toMatchObject({ title: 'Prislista 2026', format: 'pdf', language: 'sv' });
    expect(document.blocks).toEqual([
      { kind: 'heading', level: 1, text: 'Priser för tjänster', location: { page: 1 } },
      {
        kind: 'paragraph',
        text: 'Fönsterputs kostar 450 kronor i timmen för privatpersoner i Göteborg och Mölndal. Vi tar med oss allt material som behövs för jobbet och städar efter oss.',
        location: { page: 1 },
      },
      { kind: 'paragraph', text: 'Storstädning kostar 380 kronor i timmen.', location: { page: 1 } },
      { kind: 'heading', level: 1, text: 'Villkor', location: { page: 2 } },
      { kind: 'paragraph', text: 'Avbokning ska ske senast ett dygn före besöket.', location: { page: 2 } },
    ]);
  });

  it('drops running headers and page numbers, keeps headings that repeat atop pages, and keeps bulleted lines as one list', async () => {
    const pages = ['Leverans', 'Retur', 'Garanti', 'Reklamation'].map((topic, index) => ({
      heading: `Kapitel ${index + 1}`,
      paragraphs: [
        `Det här avsnittet handlar om ${topic.toLowerCase()} och vad som gäller för dig som kund.`,
      ],
      bullets: ['Kontakta kundtjänst', 'Spara kvittot'],
    }));
    const bytes = await buildPdf({
      pages,
      runningHeader: 'Köpvillkor för Exempelbutiken AB',
      pageNumbers: true,
    });
    const document = await parseDocument({ bytes, name: 'villkor.pdf' });
    const texts = document.blocks.map((block) => block.text);
    expect(texts.join('\n')).not.toMatch(/Köpvillkor för|Sida \d/);
    expect(document.blocks.slice(0, 3)).toEqual([
      { kind: 'heading', level: 1, text: 'Kapitel 1', location: { page: 1 } },
      {
        kind: 'paragraph',
        text: 'Det här avsnittet handlar om leverans och vad som gäller för dig som kund.',
        location: { page: 1 },
      },
      { kind: 'list', text: '- Kontakta kundtjänst\n- Spara kvittot', location: { page: 1 } },
    ]);
    expect(document.blocks).toHaveLength(12);
    // Without a running header the chapter headings are the pages' top lines: still kept.
    const withoutHeader = await parseDocument({
      bytes: await buildPdf({ pages, pageNumbers: true }),
      name: 'v.pdf',
    });
    expect(
      withoutHeader.blocks.filter((block) => block.kind === 'heading').map((block) => block.text),
    ).toEqual(['Kapitel 1', 'Kapitel 2', 'Kapitel 3', 'Kapitel 4']);
  });

  it('takes the first heading as title when the metadata has none, even under a misleading name', async () => {
    const bytes = await buildPdf({
      pages: [{ heading: 'Garantivillkor', paragraphs: ['Garantin gäller i två år från köpdagen.'] }],
    });
    const document = await parseDocument({ bytes, name: 'dokument.txt' });
    expect(document).toMatchObject({ title: 'Garantivillkor', format: 'pdf' });
  });
});

describe('DOCX', () => {
  it('keeps headings, lists and tables, with the title from the document properties', async () => {
    const bytes = await buildDocx({
      title: 'Personalhandbok',
      content: [
        { heading: 'Semester', level: 1 },
        { paragraph: 'Alla anställda har rätt till 25 dagars semester per år.' },
        { heading: 'Förmåner', level: 2 },
        { bullets: ['Friskvårdsbidrag', 'Tjänstepension'] },
        {
          table: [
            ['Förmån', 'Belopp'],
            ['Friskvård', '5 000 kr'],
          ],
        },
      ],
    });
    const document = await parseDocument({ bytes, name: 'handbok.docx' });
    expect(document).toMatchObject({ title: 'Personalhandbok', format: 'docx', language: 'sv' });
    expect(document.blocks.map(({ kind, text, level }) => ({ kind, text, level }))).toEqual([
      { kind: 'heading', text: 'Semester', level: 1 },
      {
        kind: 'paragraph',
        text: 'Alla anställda har rätt till 25 dagars semester per år.',
        level: undefined,
      },
      { kind: 'heading', text: 'Förmåner', level: 2 },
      { kind: 'list', text: '- Friskvårdsbidrag\n- Tjänstepension', level: undefined },
      { kind: 'table', text: 'Förmån | Belopp\nFriskvård | 5 000 kr', level: undefined },
    ]);
  });

  it('is recognised by its contents when it comes without a name or type', async () => {
    const bytes = await buildDocx({
      content: [{ heading: 'Rutiner för kassan', level: 1 }, { paragraph: 'Kassan räknas varje kväll.' }],
    });
    const document = await parseDocument({ bytes, name: 'https://example.se/ladda-ner?id=7' });
    expect(document).toMatchObject({ format: 'docx', title: 'Rutiner för kassan' });
  });
});

describe('XLSX', () => {
  it('reads each visible sheet as rows that carry their header, located by sheet and row', async () => {
    const bytes = await buildXlsx({
      title: 'Produkter',
      sheets: [
        {
          name: 'Lager',
          rows: [
            ['Artikel', 'Pris', 'Färg'],
            ['Stol', 499, 'Blå'],
            ['Bord', 1299, null],
            [null],
            ['Lampa', 299.5, 'Vit'],
          ],
        },
        {
          name: 'Leverantörer',
          rows: [
            ['Namn', 'Ort'],
            ['Möbel AB', 'Växjö'],
          ],
        },
        { name: 'Hjälpdata', rows: [['intern', 'kod']], hidden: true },
      ],
    });
    const document = await parseDocument({ bytes, name: 'produkter.xlsx' });
    expect(document).toMatchObject({ title: 'Produkter', format: 'xlsx' });
    expect(document.blocks).toEqual([
      { kind: 'heading', level: 1, text: 'Lager', location: { sheet: 'Lager' } },
      {
        kind: 'paragraph',
        text: 'Artikel: Stol | Pris: 499 | Färg: Blå',
        location: { sheet: 'Lager', row: 2 },
      },
      { kind: 'paragraph', text: 'Artikel: Bord | Pris: 1299', location: { sheet: 'Lager', row: 3 } },
      {
        kind: 'paragraph',
        text: 'Artikel: Lampa | Pris: 299.5 | Färg: Vit',
        location: { sheet: 'Lager', row: 5 },
      },
      { kind: 'heading', level: 1, text: 'Leverantörer', location: { sheet: 'Leverantörer' } },
      { kind: 'paragraph', text: 'Namn: Möbel AB | Ort: Växjö', location: { sheet: 'Leverantörer', row: 2 } },
    ]);
  });
});

describe('CSV', () => {
  it('reads a semicolon file from Swedish Excel (Windows-1252) with the header carried into every row', async () => {
    const csv =
      'Fråga;Svar\r\nHur returnerar jag?;"Fyll i formuläret; skicka paketet"\r\nVad kostar frakten?;49 kr\r\n';
    const document = await parseDocument({ bytes: Buffer.from(csv, 'latin1'), name: 'faq.csv' });
    expect(document).toMatchObject({ format: 'csv', title: 'faq' });
    expect(document.blocks).toEqual([
      {
        kind: 'paragraph',
        text: 'Fråga: Hur returnerar jag? | Svar: Fyll i formuläret; skicka paketet',
        location: { row: 2 },
      },
      { kind: 'paragraph', text: 'Fråga: Vad kostar frakten? | Svar: 49 kr', location: { row: 3 } },
    ]);
  });

  it('reads a comma file without a header row, a quoted line break counting as one row', async () => {
    const csv = '1,"Stol, blå",499\n2,"Bord\nek",1299\n3,Lampa,299\n';
    const document = await parseDocument({ bytes: new TextEncoder().encode(csv), name: 'lista.csv' });
    expect(document.blocks.map((block) => [block.text, block.location.row])).toEqual([
      ['1 | Stol, blå | 499', 1],
      ['2 | Bord ek | 1299', 2],
      ['3 | Lampa | 299', 3],
    ]);
  });
});
