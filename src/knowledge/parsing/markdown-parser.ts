/**
 * Markdown to blocks with marked's lexer (CommonMark and GitHub tables): headings keep their level,
 * lists and tables stay whole, fenced code stays code. Inline markup is reduced to its text.
 */
import { decodeHTML } from 'entities';
import { Lexer, type Token, type Tokens } from 'marked';
import { decodeText } from '../../text/index.js';
import type { PassageLocation } from '../search-contract.js';
import { BlockList, finishDocument } from './document-builder.js';
import { htmlFragmentText } from './html-parser.js';
import type { ParsedDocument, ParserInput } from './types.js';

/** YAML front matter at the very start, as static site generators write it. */
const FRONT_MATTER = /^---[ \t]*\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/;

export function parseMarkdown(input: ParserInput): ParsedDocument {
  const { text } = decodeText(input.bytes);
  let source = text;
  let frontMatterTitle: string | undefined;
  const frontMatter = FRONT_MATTER.exec(source);
  if (frontMatter) {
    source = source.slice(frontMatter[0].length);
    const titleLine = /^title:\s*(.+)$/m.exec(frontMatter[1] ?? '');
    frontMatterTitle = titleLine?.[1]?.trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  const tokens = new Lexer({ gfm: true }).lex(source);
  const walker = new MarkdownBlockWalker(input.url);
  walker.walk(tokens);
  return finishDocument({
    name: input.name,
    format: 'markdown',
    title: frontMatterTitle ?? walker.blocks.firstHeading(1),
    blocks: walker.blocks.blocks,
  });
}

class MarkdownBlockWalker {
  readonly blocks = new BlockList();
  private anchor: string | undefined;
  private readonly slugsSeen = new Map<string, number>();

  constructor(private readonly pageUrl: string | undefined) {}

  private location(): PassageLocation {
    if (!this.pageUrl) return {};
    try {
      const url = new URL(this.pageUrl);
      url.hash = this.anchor ? encodeURIComponent(this.anchor) : '';
      return { url: url.href };
    } catch {
      return {};
    }
  }

  walk(tokens: Token[]): void {
    for (const token of tokens) this.token(token);
  }

  private token(token: Token): void {
    switch (token.type) {
      case 'heading': {
        const heading = token as Tokens.Heading;
        const text = inlineText(heading.tokens);
        this.anchor = this.slug(text);
        this.blocks.add('heading', text, this.location(), heading.depth);
        return;
      }
      case 'paragraph':
        this.blocks.add('paragraph', inlineText((token as Tokens.Paragraph).tokens), this.location());
        return;
      case 'text':
        this.blocks.add('paragraph', inlineText(token.tokens ?? [token]), this.location());
        return;
      case 'list':
        this.blocks.add('list', listLines(token as Tokens.List, 0).join('\n'), this.location());
        return;
      case 'table': {
        const table = token as Tokens.Table;
        const rows = [table.header, ...table.rows].map((cells) =>
          cells.map((cell) => inlineText(cell.tokens).replace(/\n/g, ' ').replace(/\|/g, '/')).join(' | '),
        );
        this.blocks.add('table', rows.join('\n'), this.location());
        return;
      }
      case 'code':
        this.blocks.add('code', (token as Tokens.Code).text, this.location());
        return;
      case 'blockquote':
        this.walk((token as Tokens.Blockquote).tokens);
        return;
      case 'html':
        this.blocks.add('paragraph', htmlFragmentText((token as Tokens.HTML).text), this.location());
        return;
      default:
        // space, hr, def (link definitions): no text of their own.
        return;
    }
  }

  /** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes, repeats numbered. */
  private slug(text: string): string {
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .trim()
      .replace(/\s/g, '-');
    const seen = this.slugsSeen.get(base) ?? 0;
    this.slugsSeen.set(base, seen + 1);
    return seen === 0 ? base : `${base}-${seen}`;
  }
}

function listLines(list: Tokens.List, depth: number): string[] {
  const lines: string[] = [];
  const indent = '  '.repeat(depth);
  let number = typeof list.start === 'number' ? list.start : 1;
  for (const item of list.items) {
    const nested = item.tokens.filter((token): token is Tokens.List => token.type === 'list');
    const own = item.tokens.filter((token) => token.type !== 'list');
    const marker = list.ordered ? `${number}. ` : '- ';
    const checkbox = item.task ? (item.checked ? '[x] ' : '[ ] ') : '';
    const text = own
      .map((token) => inlineText('tokens' in token && token.tokens ? token.tokens : [token]))
      .join(' ')
      .replace(/\s*\n\s*/g, ' ')
      .trim();
    if (text) lines.push(`${indent}${marker}${checkbox}${text}`);
    number += 1;
    for (const child of nested) lines.push(...listLines(child, depth + 1));
  }
  return lines;
}

/** The text a reader sees of inline tokens: emphasis, links and code spans reduced to their words. */
function inlineText(tokens: Token[]): string {
  let text = '';
  for (const token of tokens) {
    switch (token.type) {
      case 'text':
        text += token.tokens ? inlineText(token.tokens) : decodeHTML((token as Tokens.Text).text);
        break;
      case 'escape':
      case 'codespan':
        text += decodeHTML((token as Tokens.Codespan).text);
        break;
      case 'br':
        text += '\n';
        break;
      case 'image':
        text += (token as Tokens.Image).text;
        break;
      case 'html':
        text += htmlFragmentText((token as Tokens.HTML).text);
        break;
      case 'checkbox':
      case 'space':
        break;
      default: {
        const generic = token as Tokens.Generic;
        if (generic.tokens) text += inlineText(generic.tokens);
        else if (typeof generic.text === 'string') text += decodeHTML(generic.text);
      }
    }
  }
  return text;
}
