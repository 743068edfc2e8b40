/**
 * Markdown to DOM nodes, safe by construction: marked's lexer reads the Markdown, and this file
 * builds the few elements a chat answer needs with createElement and textContent. No HTML string
 * is ever parsed, so a `<script>` or an `onerror=` in a model's answer or a document is shown as
 * text; links keep only http(s) and mailto targets and open in a new tab without access to the page.
 */
import { Lexer, type Token, type Tokens } from 'marked';

const SAFE_LINK = /^(https?:|mailto:)/i;

function inline(tokens: Token[] | undefined, parent: Node): void {
  for (const token of tokens ?? []) {
    switch (token.type) {
      case 'strong':
      case 'em':
      case 'del': {
        const node = document.createElement(token.type === 'del' ? 's' : token.type);
        inline((token as Tokens.Strong).tokens, node);
        parent.appendChild(node);
        break;
      }
      case 'codespan': {
        const node = document.createElement('code');
        node.textContent = (token as Tokens.Codespan).text;
        parent.appendChild(node);
        break;
      }
      case 'br':
        parent.appendChild(document.createElement('br'));
        break;
      case 'link': {
        const link = token as Tokens.Link;
        if (SAFE_LINK.test(link.href)) {
          const anchor = document.createElement('a');
          anchor.href = link.href;
          anchor.target = '_blank';
          anchor.rel = 'noopener noreferrer nofollow';
          inline(link.tokens, anchor);
          parent.appendChild(anchor);
        } else inline(link.tokens, parent);
        break;
      }
      case 'text': {
        const text = token as Tokens.Text;
        if (text.tokens?.length) inline(text.tokens, parent);
        else parent.appendChild(document.createTextNode(decodeEntities(text.text)));
        break;
      }
      case 'escape':
        parent.appendChild(document.createTextNode((token as Tokens.Escape).text));
        break;
      default:
        // Images, raw HTML and anything else: their source, as text.
        parent.appendChild(document.createTextNode(token.raw));
    }
  }
}

/** marked's lexer leaves &amp; and friends encoded in text tokens; show them as the characters. */
function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

function block(tokens: Token[], parent: Node): void {
  for (const token of tokens) {
    switch (token.type) {
      case 'paragraph':
      case 'heading': {
        const node = document.createElement(token.type === 'heading' ? 'strong' : 'p');
        inline((token as Tokens.Paragraph).tokens, node);
        parent.appendChild(token.type === 'heading' ? wrap('p', node) : node);
        break;
      }
      case 'list': {
        const list = token as Tokens.List;
        const node = document.createElement(list.ordered ? 'ol' : 'ul');
        for (const item of list.items) {
          const entry = document.createElement('li');
          block(item.tokens, entry);
          node.appendChild(entry);
        }
        parent.appendChild(node);
        break;
      }
      case 'blockquote': {
        const node = document.createElement('blockquote');
        block((token as Tokens.Blockquote).tokens, node);
        parent.appendChild(node);
        break;
      }
      case 'code': {
        const pre = document.createElement('pre');
        const code = document.createElement('code');
        code.textContent = (token as Tokens.Code).text;
        pre.appendChild(code);
        parent.appendChild(pre);
        break;
      }
      case 'text': {
        const text = token as Tokens.Text;
        if (text.tokens?.length) inline(text.tokens, parent);
        else parent.appendChild(document.createTextNode(decodeEntities(text.text)));
        break;
      }
      case 'space':
      case 'hr':
        break;
      default:
        // Tables, raw HTML blocks and the rest: their source, as text.
        parent.appendChild(wrap('p', document.createTextNode(token.raw)));
    }
  }
}

function wrap(tag: string, child: Node): HTMLElement {
  const node = document.createElement(tag);
  node.appendChild(child);
  return node;
}

export function renderMarkdown(markdown: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  block(Lexer.lex(markdown, { gfm: true, breaks: true }), fragment);
  return fragment;
}
