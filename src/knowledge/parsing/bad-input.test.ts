/**
 * The bad input, file side: each case ends in one PolettError with a clear sentence in
 * Swedish and English, and parsing other files afterwards still works.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PolettError } from '../../errors.js';
import {
  DEFAULT_MAX_FILE_BYTES,
  DEFAULT_MAX_UNPACKED_BYTES,
  parseDocument,
  type ParserInput,
} from './index.js';
import {
  buildDocx,
  buildHonestZipBomb,
  buildLyingZipBomb,
  buildPdf,
  buildXlsx,
} from './testing/document-fixtures.js';

async function parseError(
  input: ParserInput,
  options?: Parameters<typeof parseDocument>[1],
): Promise<PolettError> {
  const error = await parseDocument(input, options).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PolettError);
  const polettError = error as PolettError;
  // One sentence in each language that names the file.
  expect(polettError.messageIn('sv')).toContain(`"${input.name}"`);
  expect(polettError.messageIn('en')).toContain(`"${input.name}"`);
  expect(polettError.messageIn('sv')).not.toBe(polettError.messageIn('en'));
  return polettError;
}

describe('bad input', () => {
  it('a corrupt PDF is corrupt_file', async () => {
    const valid = await buildPdf({ pages: [{ paragraphs: ['Den här texten blir aldrig läst.'] }] });
    const truncated = Buffer.concat([valid.subarray(0, 300), randomBytes(2000)]);
    const error = await parseError({ bytes: truncated, name: 'trasig.pdf' });
    expect(error.code).toBe('corrupt_file');
    expect(error.messageIn('sv')).toContain('gick inte att läsa som PDF');
  });

  it('a file named .pdf that is no PDF at all is corrupt_file', async () => {
    const error = await parseError({ bytes: new TextEncoder().encode('hej hej'), name: 'faktura.pdf' });
    expect(error.code).toBe('corrupt_file');
  });

  it('a password-protected PDF is encrypted_file', async () => {
    const bytes = await buildPdf({ pages: [{ paragraphs: ['Löner 2026'] }], userPassword: 'hemligt' });
    const error = await parseError({ bytes, name: 'löner.pdf' });
    expect(error.code).toBe('encrypted_file');
    expect(error.messageIn('en')).toContain('password-protected');
  });

  it('a PDF with more pages than the limit is file_too_large before any page is read', async () => {
    const bytes = await buildPdf({
      pages: [{ paragraphs: ['Sida ett.'] }, { paragraphs: ['Sida två.'] }, { paragraphs: ['Sida tre.'] }],
    });
    const error = await parseError({ bytes, name: 'tjock.pdf' }, { maxPdfPages: 2 });
    expect(error.code).toBe('file_too_large');
    expect(error.messageIn('sv')).toContain('fler än 2 sidor');
    await expect(parseDocument({ bytes, name: 'tjock.pdf' }, { maxPdfPages: 3 })).resolves.toBeDefined();
  });

  it('a PDF without any text (scanned) is empty_document with a word about OCR', async () => {
    const bytes = await buildPdf({ pages: [{ paragraphs: [] }] });
    const error = await parseError({ bytes, name: 'skannad.pdf' });
    expect(error.code).toBe('empty_document');
    expect(error.messageIn('sv')).toContain('OCR');
  });

  it('a password-protected DOCX (an OLE compound file) is encrypted_file', async () => {
    const compoundFile = Buffer.concat([
      Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
      randomBytes(4096),
    ]);
    const error = await parseError({ bytes: compoundFile, name: 'avtal.docx' });
    expect(error.code).toBe('encrypted_file');
  });

  it('a DOCX zip bomb is refused from its directory before anything is inflated', async () => {
    const megabytes = DEFAULT_MAX_UNPACKED_BYTES / (1024 * 1024) + 20;
    const bomb = await buildHonestZipBomb(megabytes);
    expect(bomb.byteLength).toBeLessThan(megabytes * 1024 * 2);
    const error = await parseError({ bytes: bomb, name: 'bomb.docx' });
    expect(error.code).toBe('file_too_large');
    expect(error.messageIn('en')).toContain('zip bomb');
  });

  it('a zip bomb that lies about its sizes is caught while inflating', async () => {
    const bomb = await buildLyingZipBomb(8);
    const error = await parseError({ bytes: bomb, name: 'ljuger.docx' });
    expect(error.code).toBe('file_too_large');
  });

  it('a DOCX with more entries than the limit is refused from its directory', async () => {
    const docx = await buildDocx({ content: [{ paragraph: 'Kort text.' }] });
    const error = await parseError({ bytes: docx, name: 'många.docx' }, { maxZipEntries: 3 });
    expect(error.code).toBe('file_too_large');
    expect(error.messageIn('sv')).toContain('fler än 3 delfiler');
  });

  it('a binary file named .txt is unsupported_format, saying it is binary', async () => {
    const error = await parseError({ bytes: randomBytes(10_000), name: 'anteckningar.txt' });
    expect(error.code).toBe('unsupported_format');
    expect(error.messageIn('sv')).toContain('binära data');
    expect(error.messageIn('en')).toContain('binary data');
  });

  it('a PNG named .txt says it is an image', async () => {
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      randomBytes(500),
    ]);
    const error = await parseError({ bytes: png, name: 'bild.txt' });
    expect(error.code).toBe('unsupported_format');
    expect(error.messageIn('en')).toContain('a PNG image');
  });

  it('an old .doc and a plain zip are unsupported_format with what to do', async () => {
    const doc = Buffer.concat([
      Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
      randomBytes(600),
    ]);
    expect((await parseError({ bytes: doc, name: 'gammal.doc' })).messageIn('sv')).toContain(
      'spara som DOCX',
    );
    const docx = await buildDocx({ content: [{ paragraph: 'x' }] });
    // A zip that is neither a DOCX nor an XLSX: the DOCX's bytes with its document entry renamed.
    const renamed = Buffer.from(docx);
    let index = renamed.indexOf('word/document.xml');
    while (index !== -1) {
      renamed.write('word/documenX.xml', index, 'latin1');
      index = renamed.indexOf('word/document.xml');
    }
    expect((await parseError({ bytes: renamed, name: 'arkiv.bin' })).code).toBe('unsupported_format');
  });

  it('a file over the size limit is file_too_large before it is parsed', async () => {
    const large = new Uint8Array(DEFAULT_MAX_FILE_BYTES + 1);
    const error = await parseError({ bytes: large, name: 'stor.txt' });
    expect(error.code).toBe('file_too_large');
    expect(error.messageIn('sv')).toContain('50 MB');
  });

  it('an empty file and a file of blank lines are empty_document', async () => {
    expect((await parseError({ bytes: new Uint8Array(0), name: 'tom.txt' })).code).toBe('empty_document');
    expect((await parseError({ bytes: new TextEncoder().encode('\n \n\t\n'), name: 'blank.md' })).code).toBe(
      'empty_document',
    );
  });

  it('a workbook that needs more memory than the parser thread may have fails alone, and the next file parses', async () => {
    const small = await buildXlsx({
      sheets: [
        {
          name: 'Kort',
          rows: [
            ['Nr', 'Text'],
            [1, 'Kundtjänst'],
          ],
        },
      ],
    });
    // Small on disk (1.4 MB), tens of megabytes as exceljs's object model: here the limit is 48 MB.
    const rows = Array.from({ length: 60_000 }, (_, index) => [
      index,
      `Rad ${index} om kundtjänst och returer`,
      `Kund ${index}`,
    ]);
    const heavy = await buildXlsx({ sheets: [{ name: 'Lång', rows: [['Nr', 'Text', 'Kund'], ...rows] }] });
    const limits = { parserMemoryMegabytes: 48 };
    // The same limit reads an ordinary workbook: it is the file that exhausts the thread.
    expect((await parseDocument({ bytes: small, name: 'kort.xlsx' }, limits)).blocks.length).toBeGreaterThan(
      0,
    );
    const error = await parseError({ bytes: heavy, name: 'lång.xlsx' }, limits);
    expect(error.code).toBe('file_too_large');
    expect(error.messageIn('sv')).toContain('mer än 48 MB minne');
    expect(error.messageIn('en')).toContain('more than 48 MB of memory');
    // A fresh thread for the next file; this process never held the workbook's model.
    expect((await parseDocument({ bytes: small, name: 'kort.xlsx' }, limits)).blocks.length).toBeGreaterThan(
      0,
    );
  }, 60_000);

  it('a PDF that takes longer than the parse time limit is stopped with its own error', async () => {
    const pdf = await buildPdf({ pages: [{ paragraphs: ['Villkor för returer och reklamationer.'] }] });
    const error = await parseError({ bytes: pdf, name: 'långsam.pdf' }, { parserTimeoutMs: 1 });
    expect(error.code).toBe('corrupt_file');
    expect(error.messageIn('en')).toMatch(/within 1 seconds and was stopped/);
    expect((await parseDocument({ bytes: pdf, name: 'snabb.pdf' })).blocks[0]?.text).toContain('returer');
  }, 60_000);

  it('parses good files after bad ones', async () => {
    await parseDocument({ bytes: randomBytes(1000), name: 'a.txt' }).catch(() => undefined);
    const document = await parseDocument({ bytes: new TextEncoder().encode('Hej då!'), name: 'b.txt' });
    expect(document.blocks[0]?.text).toBe('Hej då!');
  });
});
