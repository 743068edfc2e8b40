/**
 * Builds test documents in the real formats with the libraries that write them (pdfkit, docx,
 * exceljs, yazl), so that no binary fixture is committed and each test says what its file holds.
 * For tests only.
 */
import { Readable } from 'node:stream';
import {
  AlignmentType,
  Document,
  HeadingLevel,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
} from 'docx';
import ExcelJS from 'exceljs';
import PDFDocument from 'pdfkit';
import yazl from 'yazl';

export interface PdfPage {
  heading?: string;
  paragraphs: string[];
  /** Bulleted items ("• item") after the paragraphs. */
  bullets?: string[];
}

export interface PdfOptions {
  title?: string;
  pages: PdfPage[];
  /** Makes an encrypted PDF that needs this password to open (AES-256). */
  userPassword?: string;
  /** A running header in 9 pt at the top of every page. */
  runningHeader?: string;
  /** "Sida N" in 9 pt at the bottom of every page. */
  pageNumbers?: boolean;
}

/** A PDF with a heading in 20 pt and paragraphs in 11 pt on each page, in Helvetica (WinAnsi: å, ä, ö). */
export async function buildPdf(options: PdfOptions): Promise<Uint8Array> {
  const pdf = new PDFDocument({
    autoFirstPage: false,
    info: options.title ? { Title: options.title } : {},
    ...(options.userPassword ? { userPassword: options.userPassword, pdfVersion: '1.7ext3' as const } : {}),
  });
  const chunks: Buffer[] = [];
  pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve) => pdf.on('end', () => resolve()));
  let pageNumber = 0;
  for (const page of options.pages) {
    pdf.addPage({ size: 'A4', margin: 60 });
    pageNumber += 1;
    if (options.runningHeader) {
      pdf.font('Helvetica').fontSize(9).text(options.runningHeader, 60, 30, { lineBreak: false });
      pdf.text('', 60, 60);
    }
    if (options.pageNumbers) {
      pdf.font('Helvetica').fontSize(9).text(`Sida ${pageNumber}`, 60, 800, { lineBreak: false });
      pdf.text('', 60, 60);
    }
    if (page.heading) {
      pdf.font('Helvetica-Bold').fontSize(20).text(page.heading);
      pdf.moveDown(0.5);
    }
    for (const paragraph of page.paragraphs) {
      pdf.font('Helvetica').fontSize(11).text(paragraph, { align: 'left' });
      pdf.moveDown(1);
    }
    for (const bullet of page.bullets ?? []) {
      pdf.font('Helvetica').fontSize(11).text(`• ${bullet}`);
      pdf.moveDown(0.3);
    }
  }
  pdf.end();
  await ended;
  return new Uint8Array(Buffer.concat(chunks));
}

export type DocxContent =
  | { heading: string; level: 1 | 2 | 3 }
  | { paragraph: string }
  | { bullets: string[] }
  | { table: string[][] };

const HEADING_LEVELS = {
  1: HeadingLevel.HEADING_1,
  2: HeadingLevel.HEADING_2,
  3: HeadingLevel.HEADING_3,
} as const;

/** A DOCX written by the `docx` package with Word's built-in heading, list and table markup. */
export async function buildDocx(options: { title?: string; content: DocxContent[] }): Promise<Uint8Array> {
  const children: (Paragraph | Table)[] = [];
  for (const item of options.content) {
    if ('heading' in item)
      children.push(new Paragraph({ text: item.heading, heading: HEADING_LEVELS[item.level] }));
    else if ('paragraph' in item) children.push(new Paragraph({ children: [new TextRun(item.paragraph)] }));
    else if ('bullets' in item) {
      for (const bullet of item.bullets) children.push(new Paragraph({ text: bullet, bullet: { level: 0 } }));
    } else {
      children.push(
        new Table({
          rows: item.table.map(
            (cells) =>
              new TableRow({
                children: cells.map(
                  (cell) =>
                    new TableCell({
                      children: [new Paragraph({ text: cell, alignment: AlignmentType.LEFT })],
                    }),
                ),
              }),
          ),
        }),
      );
    }
  }
  const document = new Document({
    ...(options.title ? { title: options.title } : {}),
    sections: [{ children }],
  });
  return new Uint8Array(await Packer.toBuffer(document));
}

/** An XLSX with one worksheet per entry; `hidden` sheets are written hidden. */
export async function buildXlsx(options: {
  title?: string;
  sheets: { name: string; rows: (string | number | Date | null)[][]; hidden?: boolean }[];
}): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook();
  if (options.title) workbook.title = options.title;
  for (const sheet of options.sheets) {
    const worksheet = workbook.addWorksheet(sheet.name, sheet.hidden ? { state: 'hidden' } : {});
    for (const row of sheet.rows) worksheet.addRow(row);
  }
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}

function zipToBuffer(zip: yazl.ZipFile): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
    zip.end();
  });
}

/** A stream of `megabytes` MB of zero bytes, made as it is read. */
function zeros(megabytes: number): Readable {
  let left = megabytes;
  const chunk = Buffer.alloc(1024 * 1024);
  return new Readable({
    read() {
      this.push(left-- > 0 ? chunk : null);
    },
  });
}

const CONTENT_TYPES = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
);

/**
 * A DOCX-shaped zip bomb whose directory honestly declares what it unpacks to: `megabytes` MB of
 * zeros in word/document.xml, deflated to about a thousandth of that.
 */
export async function buildHonestZipBomb(megabytes: number): Promise<Uint8Array> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(CONTENT_TYPES, '[Content_Types].xml');
  zip.addReadStream(zeros(megabytes), 'word/document.xml', { compress: true });
  return new Uint8Array(await zipToBuffer(zip));
}

/**
 * A DOCX-shaped zip bomb that lies: its headers say word/document.xml unpacks to 1 kB, but it
 * inflates to `megabytes` MB. Only a reader that counts what it inflates catches it.
 */
export async function buildLyingZipBomb(megabytes: number): Promise<Uint8Array> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(CONTENT_TYPES, '[Content_Types].xml', { compress: false });
  zip.addBuffer(Buffer.alloc(megabytes * 1024 * 1024), 'word/document.xml', { compress: true });
  const bytes = await zipToBuffer(zip);
  const declared = 1024;
  // Patch the uncompressed size in every local header (offset 22) and central directory entry
  // (offset 24) of word/document.xml.
  for (let offset = 0; offset < bytes.length - 4; offset += 1) {
    const signature = bytes.readUInt32LE(offset);
    if (
      signature === 0x04034b50 &&
      bytes.toString('latin1', offset + 30, offset + 47) === 'word/document.xml'
    ) {
      bytes.writeUInt32LE(declared, offset + 22);
    }
    if (
      signature === 0x02014b50 &&
      bytes.toString('latin1', offset + 46, offset + 63) === 'word/document.xml'
    ) {
      bytes.writeUInt32LE(declared, offset + 24);
    }
  }
  return new Uint8Array(bytes);
}
