/**
 * HTML to blocks with htmlparser2 (a forgiving, spec-following tokenizer that copes with the broken
 * markup real sites serve). Scripts, styles and the site's boilerplate (navigation, banner, footer,
 * cookie and form controls) are dropped; headings, paragraphs, lists, tables and code stay blocks;
 * each block's location is the page URL with the anchor of its section when the page has ids.
 * Also used for DOCX, which mammoth turns into HTML.
 */
import { isTag, isText, type AnyNode, type Element } from 'domhandler';
import { findAll, findOne, getAttributeValue, textContent } from 'domutils';
import { parseDocument as parseHtmlDom } from 'htmlparser2';
import { decodeText } from '../../text/index.js';
import type { PassageLocation } from '../search-contract.js';
import { BlockList, finishDocument } from './document-builder.js';
import type { ParsedDocument, ParserInput } from './types.js';

/** Never text a reader sees. */
const INVISIBLE = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'math',
  'iframe',
  'object',
  'embed',
  'canvas',
  'head',
  'button',
  'select',
  'option',
  'textarea',
  'input',
  'dialog',
]);

/** Site chrome: the same on every page, so it would only add noise to every search. */
const BOILERPLATE = new Set(['nav', 'footer']);
/** Chrome when it belongs to the page, content when it belongs to an article or section. */
const PAGE_LEVEL_BOILERPLATE = new Set(['header', 'aside']);
const BOILERPLATE_ROLES = new Set([
  'navigation',
  'banner',
  'contentinfo',
  'search',
  'complementary',
  'dialog',
  'alertdialog',
]);

/** Elements whose start and end break the text into separate blocks. */
const BLOCK_ELEMENTS = new Set([
  'address',
  'article',
  'blockquote',
  'body',
  'dd',
  'details',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'form',
  'header',
  'hr',
  'html',
  'li',
  'main',
  'p',
  'section',
  'summary',
  'td',
  'th',
  'tr',
  'caption',
  'center',
  'aside',
]);

const HEADING = /^h([1-6])$/;
const COOKIE_BANNER = /(?:^|[\s_-])(?:cookie|cookies|consent|gdpr)(?:$|[\s_-])/i;

/** What a page says beyond its text: for the crawler. */
export interface HtmlPageInfo {
  /** Absolute http(s) links, in page order, without the ones marked rel="nofollow". */
  links: string[];
  /** `<link rel="canonical">`, made absolute. */
  canonicalUrl?: string;
  /** `<meta name="robots">` says not to index the page. */
  noindex: boolean;
  /** `<meta name="robots">` says not to follow its links. */
  nofollow: boolean;
}

export interface ParsedHtmlPage {
  document: ParsedDocument;
  page: HtmlPageInfo;
}

/** Parses HTML bytes (any common encoding) into a document, plus the page's links and robots hints. */
export function parseHtmlPage(input: ParserInput, format = 'html'): ParsedHtmlPage {
  const { text } = decodeText(input.bytes);
  return parseHtmlText(text, input, format);
}

/** The same from text already decoded (mammoth's HTML for a DOCX). */
export function parseHtmlText(
  html: string,
  input: Pick<ParserInput, 'name' | 'url'>,
  format = 'html',
  titleOverride?: string,
): ParsedHtmlPage {
  const dom = parseHtmlDom(html, {
    decodeEntities: true,
    lowerCaseTags: true,
    lowerCaseAttributeNames: true,
  });
  const baseHref = getAttributeValue(findOne(isNamed('base'), dom.children) ?? ({} as Element), 'href');
  const pageUrl = absoluteUrl(input.url, undefined);
  const baseUrl = absoluteUrl(baseHref, pageUrl) ?? pageUrl;

  const main = findOne(isMainContent, dom.children);
  // Inside <main>, a <header> or <aside> belongs to the content, not to the site's chrome.
  const walker = new HtmlBlockWalker(pageUrl, main ? 1 : 0);
  const body = findOne(isNamed('body'), dom.children);
  walker.walkChildren(main ?? body ?? dom);
  walker.flush();

  const titleElement = findOne(isNamed('title'), dom.children);
  const ogTitle = findAll(
    (element) => element.name === 'meta' && element.attribs.property === 'og:title',
    dom.children,
  )[0]?.attribs.content;
  const title = titleOverride ?? (titleElement ? textContent(titleElement) : undefined) ?? ogTitle;

  const document = finishDocument({
    name: input.name,
    format,
    title: title?.trim() ? title : ogTitle,
    blocks: walker.blocks.blocks,
    emptyHint: {
      sv: 'sidan har ingen synlig text utanför skript och navigering',
      en: 'the page has no visible text outside scripts and navigation',
    },
  });
  return { document, page: pageInfo(dom.children, baseUrl) };
}

function pageInfo(nodes: AnyNode[], baseUrl: string | undefined): HtmlPageInfo {
  const robots = findAll(
    (element) => element.name === 'meta' && (element.attribs.name ?? '').toLowerCase() === 'robots',
    nodes,
  )
    .map((element) => (element.attribs.content ?? '').toLowerCase())
    .join(',');
  const links: string[] = [];
  for (const anchor of findAll((element) => element.name === 'a' || element.name === 'area', nodes)) {
    const rel = (anchor.attribs.rel ?? '').toLowerCase().split(/\s+/);
    if (rel.includes('nofollow')) continue;
    const href = absoluteUrl(anchor.attribs.href, baseUrl);
    if (href) links.push(href);
  }
  const canonicalElement = findAll(
    (element) =>
      element.name === 'link' && (element.attribs.rel ?? '').toLowerCase().split(/\s+/).includes('canonical'),
    nodes,
  )[0];
  const canonicalUrl = absoluteUrl(canonicalElement?.attribs.href, baseUrl);
  const info: HtmlPageInfo = {
    links,
    noindex: /\b(noindex|none)\b/.test(robots),
    nofollow: /\b(nofollow|none)\b/.test(robots),
  };
  if (canonicalUrl) info.canonicalUrl = canonicalUrl;
  return info;
}

/** An absolute http(s) URL from an attribute, or undefined (javascript:, mailto:, broken). */
function absoluteUrl(href: string | undefined, base: string | undefined): string | undefined {
  if (!href?.trim()) return undefined;
  try {
    const url = base ? new URL(href.trim(), base) : new URL(href.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function isNamed(name: string): (element: Element) => boolean {
  return (element) => element.name === name;
}

function isMainContent(element: Element): boolean {
  return element.name === 'main' || element.attribs.role === 'main';
}

function isHidden(element: Element, insideContent: boolean): boolean {
  if (INVISIBLE.has(element.name) || BOILERPLATE.has(element.name)) return true;
  if (!insideContent && PAGE_LEVEL_BOILERPLATE.has(element.name)) return true;
  const attributes = element.attribs;
  if ('hidden' in attributes || attributes['aria-hidden'] === 'true') return true;
  if (attributes.role && BOILERPLATE_ROLES.has(attributes.role)) return true;
  // Cookie and consent banners sit on every page of a Swedish site ("Vi använder kakor…").
  if (COOKIE_BANNER.test(`${attributes.id ?? ''} ${attributes.class ?? ''}`)) return true;
  const style = attributes.style?.replace(/\s+/g, '').toLowerCase();
  return style !== undefined && (style.includes('display:none') || style.includes('visibility:hidden'));
}

/** Walks the DOM in reading order, turning inline runs into paragraphs between block elements. */
class HtmlBlockWalker {
  readonly blocks = new BlockList();
  private inline = '';
  private anchor: string | undefined;
  constructor(
    private readonly pageUrl: string | undefined,
    /** Depth of article/section/main ancestors: their header and aside are content, not chrome. */
    private contentDepth = 0,
  ) {}

  private location(): PassageLocation {
    if (!this.pageUrl) return {};
    const url = new URL(this.pageUrl);
    url.hash = this.anchor ? encodeURIComponent(this.anchor) : '';
    return { url: url.href };
  }

  flush(): void {
    if (this.inline.trim()) this.blocks.add('paragraph', this.inline, this.location());
    this.inline = '';
  }

  walkChildren(parent: { children: AnyNode[] }): void {
    for (const child of parent.children) this.walk(child);
  }

  private walk(node: AnyNode): void {
    if (isText(node)) {
      this.inline += node.data;
      return;
    }
    if (!isTag(node)) return;
    const element = node;
    if (isHidden(element, this.contentDepth > 0)) return;
    const name = element.name;
    if (name === 'br') {
      this.inline += '\n';
      return;
    }
    const heading = HEADING.exec(name);
    const ariaLevel =
      element.attribs.role === 'heading' ? Number(element.attribs['aria-level'] ?? 2) : undefined;
    if (heading || ariaLevel) {
      this.flush();
      this.anchor = headingAnchor(element) ?? this.anchor;
      this.blocks.add(
        'heading',
        inlineText(element),
        this.location(),
        heading ? Number(heading[1]) : ariaLevel,
      );
      return;
    }
    if (name === 'ul' || name === 'ol' || name === 'dl') {
      this.flush();
      this.blocks.add('list', listLines(element, 0).join('\n'), this.location());
      return;
    }
    if (name === 'table') {
      this.flush();
      this.table(element);
      return;
    }
    if (name === 'pre') {
      this.flush();
      this.blocks.add('code', textContent(element), this.location());
      return;
    }
    // A section with an id but a heading without one: the section's id is the anchor.
    if ((name === 'section' || name === 'article') && element.attribs.id) this.anchor = element.attribs.id;
    const isBlock = BLOCK_ELEMENTS.has(name);
    const isContent = name === 'article' || name === 'section' || name === 'main';
    if (isBlock) this.flush();
    if (isContent) this.contentDepth += 1;
    this.walkChildren(element);
    if (isContent) this.contentDepth -= 1;
    if (isBlock) this.flush();
  }

  private table(table: Element): void {
    const rows = findAll(
      (element) => element.name === 'tr' && nearestTable(element) === table,
      table.children,
    ).map((row) =>
      row.children
        .filter((cell): cell is Element => isTag(cell) && (cell.name === 'td' || cell.name === 'th'))
        .map((cell) =>
          inlineText(cell)
            .replace(/\s*\n\s*/g, ' ')
            .replace(/\|/g, '/')
            .trim(),
        ),
    );
    const nonEmpty = rows.filter((cells) => cells.some((cell) => cell.length > 0));
    // A one-column table is layout, not data: read its cells as the page's text.
    if (nonEmpty.every((cells) => cells.length <= 1)) {
      this.walkChildren(table);
      this.flush();
      return;
    }
    const caption = findOne(isNamed('caption'), table.children);
    const lines = nonEmpty.map((cells) => cells.join(' | '));
    if (caption) this.blocks.add('paragraph', inlineText(caption), this.location());
    this.blocks.add('table', lines.join('\n'), this.location());
  }
}

function nearestTable(element: Element): Element | undefined {
  let parent = element.parent;
  while (parent && isTag(parent) && parent.name !== 'table') parent = parent.parent;
  return parent && isTag(parent) ? parent : undefined;
}

/** The id to link to a heading: its own, an anchor inside it, or its section's. */
function headingAnchor(heading: Element): string | undefined {
  if (heading.attribs.id) return heading.attribs.id;
  const inner = findOne(
    (element) => Boolean(element.attribs.id ?? (element.name === 'a' && element.attribs.name)),
    heading.children,
  );
  if (inner) return inner.attribs.id ?? inner.attribs.name;
  const parent = heading.parent;
  if (parent && isTag(parent) && parent.attribs.id && parent.name !== 'body' && parent.name !== 'main') {
    const firstElement = parent.children.find(isTag);
    if (firstElement === heading) return parent.attribs.id;
  }
  return undefined;
}

/** Visible text of an element with HTML whitespace collapsed; <br> and block children break lines. */
function inlineText(element: Element): string {
  let text = '';
  const visit = (node: AnyNode): void => {
    if (isText(node)) {
      text += node.data;
      return;
    }
    if (!isTag(node) || isHidden(node, true)) return;
    if (node.name === 'br') {
      text += '\n';
      return;
    }
    const isBlock = BLOCK_ELEMENTS.has(node.name) || HEADING.test(node.name);
    if (isBlock) text += '\n';
    for (const child of node.children) visit(child);
    if (isBlock) text += '\n';
  };
  for (const child of element.children) visit(child);
  return text
    .split('\n')
    .map((line) => line.replace(/[\s\u00a0]+/g, ' ').trim())
    .filter(Boolean)
    .join('\n');
}

/** One line an item, "- " or "1. ", nested lists indented two spaces a level. */
function listLines(list: Element, depth: number): string[] {
  const lines: string[] = [];
  const indent = '  '.repeat(depth);
  let number = Number(list.attribs.start ?? 1);
  if (!Number.isFinite(number)) number = 1;
  for (const item of list.children) {
    if (!isTag(item) || isHidden(item, true)) continue;
    if (item.name !== 'li' && item.name !== 'dt' && item.name !== 'dd') continue;
    const nested = item.children.filter(
      (child): child is Element => isTag(child) && (child.name === 'ul' || child.name === 'ol'),
    );
    const ownText = inlineTextWithout(item, nested).replace(/\n/g, ' ');
    const marker = list.name === 'ol' ? `${number}. ` : item.name === 'dd' ? '  ' : '- ';
    if (ownText) lines.push(`${indent}${marker}${ownText}`);
    number += 1;
    for (const child of nested) lines.push(...listLines(child, depth + 1));
  }
  return lines;
}

function inlineTextWithout(element: Element, excluded: Element[]): string {
  if (excluded.length === 0) return inlineText(element);
  const shallow = {
    ...element,
    children: element.children.filter((child) => !excluded.includes(child as Element)),
  };
  return inlineText(shallow as Element);
}

/** The visible text of an HTML fragment (raw HTML inside Markdown), scripts and styles dropped. */
export function htmlFragmentText(html: string): string {
  const dom = parseHtmlDom(html, { decodeEntities: true });
  return inlineText(dom as unknown as Element);
}
