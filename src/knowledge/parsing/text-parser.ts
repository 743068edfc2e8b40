/**
 * Plain text to blocks: paragraphs are separated by blank lines, and a paragraph whose every line
 * starts with a bullet or a number is a list. The encoding (UTF-8 with or without BOM, UTF-16,
 * Windows-1252) is detected by `decodeText`.
 */
import { decodeText } from '../../text/index.js';
import { BlockList, finishDocument } from './document-builder.js';
import type { ParsedDocument, ParserInput } from './types.js';

const LIST_ITEM = /^\s*(?:[-*•–]|\d{1,3}[.)])\s+\S/;

export function parsePlainText(input: ParserInput): ParsedDocument {
  const { text } = decodeText(input.bytes);
  const blocks = new BlockList();
  const location = input.url ? { url: stripFragment(input.url) } : {};
  for (const paragraph of text.replace(/\r\n?/g, '\n').split(/\n[ \t]*\n/)) {
    const lines = paragraph.split('\n').filter((line) => line.trim());
    if (lines.length === 0) continue;
    const isList = lines.length > 1 && lines.every((line) => LIST_ITEM.test(line));
    blocks.add(isList ? 'list' : 'paragraph', lines.join('\n'), location);
  }
  return finishDocument({ name: input.name, format: 'text', blocks: blocks.blocks, title: undefined });
}

function stripFragment(url: string): string {
  const index = url.indexOf('#');
  return index === -1 ? url : url.slice(0, index);
}
