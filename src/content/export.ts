/**
 * Export of a text as Markdown, HTML or plain text, with its sources listed after it. Texts are
 * Markdown (blog posts use headings and lists; a social post is just paragraphs), so HTML comes
 * from marked, with any raw HTML in the text escaped: a text written by a model is untrusted, and
 * an export must not carry a script into the page it is pasted in.
 */
import { Marked } from 'marked';
import type { ContentText } from './content-store.js';

export { EXPORT_FORMATS, type ExportFormat } from './text-lifecycle.js';
import type { ExportFormat } from './text-lifecycle.js';

const escapeHtml = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Address schemes a link or image may keep; `javascript:`, `data:` and the like run code when clicked. */
const SAFE_SCHEMES = new Set(['http', 'https', 'mailto', 'tel']);

/**
 * True for a relative address or one with a safe scheme. Browsers ignore control characters and
 * spaces in a scheme and decode character references in an attribute (`javascript&#58;`), so an
 * `&` before the path is refused too.
 */
function isSafeAddress(href: string): boolean {
  const head = href.replace(/[\s\p{Cc}]/gu, '').split(/[/?#]/)[0] ?? '';
  if (head.includes('&')) return false;
  const scheme = /^([^:]*):/.exec(head)?.[1];
  return scheme === undefined || SAFE_SCHEMES.has(scheme.toLowerCase());
}

const safeMarked = new Marked({
  gfm: true,
  breaks: true,
  renderer: {
    html: (token) => escapeHtml(token.text),
    // An unsafe address is dropped and the words kept; `false` lets marked render a safe one.
    link(token) {
      return isSafeAddress(token.href) ? false : this.parser.parseInline(token.tokens);
    },
    image(token) {
      return isSafeAddress(token.href) ? false : escapeHtml(token.text);
    },
  },
});

function sourcesHeading(text: ContentText): string {
  return text.language === 'sv' ? 'Källor' : 'Sources';
}

function uniqueSources(text: ContentText): Array<{ source: number; title: string }> {
  const seen = new Map<number, string>();
  for (const citation of text.citations) seen.set(citation.source, citation.title);
  return [...seen].sort(([a], [b]) => a - b).map(([source, title]) => ({ source, title }));
}

export function exportText(
  text: ContentText,
  format: ExportFormat,
): { body: string; contentType: string; extension: string } {
  const sources = uniqueSources(text);
  if (format === 'markdown') {
    const list = sources.length
      ? `\n\n## ${sourcesHeading(text)}\n\n${sources.map((source) => `${source.source}. ${source.title}`).join('\n')}`
      : '';
    return {
      body: `${text.body.trim()}${list}\n`,
      contentType: 'text/markdown; charset=utf-8',
      extension: 'md',
    };
  }
  if (format === 'html') {
    const body = safeMarked.parse(text.body.trim(), { async: false });
    const list = sources.length
      ? `<h2>${sourcesHeading(text)}</h2>\n<ol>\n${sources.map((source) => `<li value="${source.source}">${escapeHtml(source.title)}</li>`).join('\n')}\n</ol>\n`
      : '';
    return {
      body: `<!doctype html>\n<html lang="${text.language}">\n<head><meta charset="utf-8"><title>${escapeHtml(text.title)}</title></head>\n<body>\n${body}${list}</body>\n</html>\n`,
      contentType: 'text/html; charset=utf-8',
      extension: 'html',
    };
  }
  // Plain text: the Markdown marks that would show as noise are taken away, the words kept.
  const plain = text.body
    .replace(/^#{1,6}\s+/gm, '')
    .replace(/\*\*([^*]+)\*\*|__([^_]+)__/g, '$1$2')
    .replace(/(^|[^*])\*([^*\n]+)\*/g, '$1$2')
    .replace(/\[([^\]]+)\]\(([^)]+)\)/g, '$1 ($2)')
    .trim();
  const list = sources.length
    ? `\n\n${sourcesHeading(text)}:\n${sources.map((source) => `${source.source}. ${source.title}`).join('\n')}`
    : '';
  return { body: `${plain}${list}\n`, contentType: 'text/plain; charset=utf-8', extension: 'txt' };
}
