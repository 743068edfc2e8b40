/**
 * DOCX through mammoth, which maps Word's paragraph styles to semantic HTML (Heading 1 → h1, lists,
 * tables) and ignores the layout; the HTML then goes through the same path as a web page. The zip
 * is checked against the unpacking limits first, and the title comes from the document's
 * properties (docProps/core.xml) when Word recorded one.
 */
import { XMLParser } from 'fast-xml-parser';
import mammoth from 'mammoth';
import { parseHtmlText } from './html-parser.js';
import { corruptFile } from './parse-errors.js';
import type { ParsedDocument, ParserInput } from './types.js';
import { checkZip, type ZipLimits } from './zip-guard.js';

const CORE_PROPERTIES = 'docProps/core.xml';

/** Word's "Title" style is the document's top heading; images are not text and are left out. */
const STYLE_MAP = ["p[style-name='Title'] => h1:fresh", "p[style-name='Subtitle'] => p:fresh"];

export async function parseDocx(input: ParserInput, limits: ZipLimits): Promise<ParsedDocument> {
  const zip = await checkZip(input.bytes, input.name, 'DOCX', limits, (entry) => entry === CORE_PROPERTIES);
  if (!zip.names.includes('word/document.xml')) throw corruptFile(input.name, 'DOCX');
  let html: string;
  try {
    const result = await mammoth.convertToHtml(
      { buffer: Buffer.from(input.bytes.buffer, input.bytes.byteOffset, input.bytes.byteLength) },
      {
        styleMap: STYLE_MAP,
        convertImage: mammoth.images.imgElement(() => Promise.resolve({ src: '' })),
      },
    );
    html = result.value;
  } catch (error) {
    throw corruptFile(input.name, 'DOCX', error);
  }
  const title = coreTitle(zip.kept.get(CORE_PROPERTIES));
  return parseHtmlText(html, { name: input.name }, 'docx', title).document;
}

function coreTitle(xml: Buffer | undefined): string | undefined {
  if (!xml) return undefined;
  try {
    const parsed = new XMLParser({ removeNSPrefix: true, processEntities: true }).parse(
      xml.toString('utf8'),
    ) as {
      coreProperties?: { title?: unknown };
    };
    const title = parsed.coreProperties?.title;
    return typeof title === 'string' && title.trim() ? title.trim() : undefined;
  } catch {
    return undefined;
  }
}
