/**
 * Polett's chat widget for a company's own website:
 *
 *   <script src="https://polett.example.se/widget.js" data-assistant="ASSISTANT-ID" async></script>
 *
 * Framework-free and inside a Shadow DOM, so that the site's styles cannot break it and its styles
 * cannot leak into the site. Answers stream in as they are written; citations are links; thumbs
 * up and down; "talk to a person". Safe by default: model output and document text are rendered
 * as Markdown built into DOM nodes (no HTML string is ever parsed: see render-markdown.ts), links
 * open in a new tab without access to this page, and only http(s) and mailto links survive.
 *
 * Optional attributes: `data-locale="sv|en"` (default: the page's language, else Swedish),
 * `data-title="…"` (the panel's heading; default: the assistant's name).
 */
import { renderMarkdown } from './render-markdown.ts';
import { TEXTS, type TextKey, type WidgetLocale } from './texts.ts';
import { WIDGET_STYLES } from './styles.ts';

interface Citation {
  marker: number;
  title: string;
  headingPath: string[];
  url?: string;
  page?: number;
}

interface WidgetMessage {
  id: string;
  role: 'customer' | 'assistant' | 'agent' | 'system';
  kind: string;
  text: string;
  citations: Citation[];
}

interface SessionAnswer {
  token: string;
  visitorId: string;
  /** When the token runs out (ISO 8601). */
  expiresAt: string;
  assistant: { name: string; maxMessageChars: number };
}

function element<Tag extends keyof HTMLElementTagNameMap>(
  tag: Tag,
  attributes: Record<string, string> = {},
  text?: string,
): HTMLElementTagNameMap[Tag] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Reads a server-sent event stream from a fetch response, one event at a time. */
async function* serverSentEvents(response: Response): AsyncGenerator<{ event: string; data: string }> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let boundary: number;
    while ((boundary = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      yield { event, data: data.join('\n') };
    }
  }
}

class PolettWidget {
  private readonly root: ShadowRoot;
  private readonly base: string;
  private readonly locale: WidgetLocale;
  private readonly storageKey: string;
  private token: string | undefined;
  private conversationId: string | undefined;
  private maxChars = 2000;
  private busy = false;
  private liveStream: EventSource | undefined;
  private renewal: ReturnType<typeof setTimeout> | undefined;
  private readonly shown = new Set<string>();
  private readonly elements: {
    launcher: HTMLButtonElement;
    panel: HTMLElement;
    heading: HTMLElement;
    log: HTMLElement;
    form: HTMLFormElement;
    input: HTMLTextAreaElement;
    send: HTMLButtonElement;
    person: HTMLButtonElement;
    notice: HTMLElement;
  };

  constructor(
    private readonly assistantId: string,
    script: HTMLScriptElement,
  ) {
    this.base = new URL('.', script.src).href;
    const requested = (script.dataset.locale ?? document.documentElement.lang ?? '')
      .slice(0, 2)
      .toLowerCase();
    this.locale = requested === 'en' ? 'en' : 'sv';
    this.storageKey = `polett-widget:${assistantId}`;
    const host = element('div', { 'data-polett-widget': assistantId });
    document.body.append(host);
    this.root = host.attachShadow({ mode: 'open' });
    const style = element('style');
    style.textContent = WIDGET_STYLES;
    const launcher = element(
      'button',
      { type: 'button', class: 'launcher', 'aria-expanded': 'false' },
      this.t('open'),
    );
    const panel = element('section', { class: 'panel', hidden: '', 'aria-label': this.t('title') });
    const header = element('header');
    const heading = element('h2', {}, script.dataset.title ?? this.t('title'));
    if (script.dataset.title) heading.dataset.fixed = 'true';
    const closeButton = element(
      'button',
      { type: 'button', class: 'close', 'aria-label': this.t('close') },
      '×',
    );
    header.append(heading, closeButton);
    const log = element('div', {
      class: 'log',
      role: 'log',
      'aria-live': 'polite',
      'aria-label': this.t('messages'),
    });
    const notice = element('p', { class: 'notice', role: 'status' });
    const form = element('form');
    const input = element('textarea', {
      rows: '2',
      'aria-label': this.t('placeholder'),
      placeholder: this.t('placeholder'),
    });
    const send = element('button', { type: 'submit' }, this.t('send'));
    form.append(input, send);
    const person = element('button', { type: 'button', class: 'person' }, this.t('person'));
    panel.append(header, log, notice, form, person);
    this.root.append(style, launcher, panel);
    this.elements = { launcher, panel, heading, log, form, input, send, person, notice };

    launcher.addEventListener('click', () => void this.toggle(true));
    closeButton.addEventListener('click', () => void this.toggle(false));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.send();
    });
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey) {
        event.preventDefault();
        void this.send();
      }
    });
    person.addEventListener('click', () => void this.askForPerson());
  }

  private t(key: TextKey, values: Record<string, string | number> = {}): string {
    return TEXTS[this.locale][key].replace(/\{(\w+)\}/g, (placeholder, name: string) =>
      name in values ? String(values[name]) : placeholder,
    );
  }

  private url(path: string): string {
    return new URL(`widget/api/assistants/${encodeURIComponent(this.assistantId)}${path}`, this.base).href;
  }

  private headers(): Record<string, string> {
    return {
      'content-type': 'application/json',
      'accept-language': this.locale,
      ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
    };
  }

  private async toggle(open: boolean): Promise<void> {
    this.elements.panel.hidden = !open;
    this.elements.launcher.hidden = open;
    this.elements.launcher.setAttribute('aria-expanded', String(open));
    if (!open) {
      this.elements.launcher.focus();
      return;
    }
    this.elements.input.focus();
    if (!this.token) await this.start();
  }

  /** A visitor token (kept in localStorage) and the visitor's conversation (new or resumed). */
  private async start(): Promise<void> {
    const saved = JSON.parse(localStorage.getItem(this.storageKey) ?? '{}') as {
      token?: string;
      conversationId?: string;
    };
    try {
      const response = await fetch(this.url('/session'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'accept-language': this.locale },
        body: JSON.stringify(saved.token ? { token: saved.token } : {}),
      });
      if (!response.ok) throw new Error(await this.errorOf(response));
      const session = (await response.json()) as SessionAnswer;
      this.token = session.token;
      this.maxChars = session.assistant.maxMessageChars;
      if (!this.elements.heading.dataset.fixed) this.elements.heading.textContent = session.assistant.name;
      this.conversationId = saved.conversationId;
      if (this.conversationId && !(await this.resume())) this.conversationId = undefined;
      if (!this.conversationId) {
        const created = await fetch(this.url('/conversations'), {
          method: 'POST',
          headers: this.headers(),
          body: '{}',
        });
        if (!created.ok) throw new Error(await this.errorOf(created));
        this.conversationId = ((await created.json()) as { conversationId: string }).conversationId;
      }
      localStorage.setItem(
        this.storageKey,
        JSON.stringify({ token: this.token, conversationId: this.conversationId }),
      );
      this.listen();
      this.renewBefore(session.expiresAt);
      this.setNotice('');
    } catch (error) {
      this.setNotice((error as Error).message || this.t('unavailable'));
    }
  }

  /**
   * Visitor tokens are short-lived, and only a token still valid can be renewed for the same
   * visitor: renew a few minutes before it runs out, so that a page left open keeps its
   * conversation and its live stream.
   */
  private renewBefore(expiresAt: string): void {
    clearTimeout(this.renewal);
    const delay = Math.max(60_000, Date.parse(expiresAt) - Date.now() - 5 * 60_000);
    this.renewal = setTimeout(() => void this.renew(), delay);
  }

  private async renew(): Promise<void> {
    try {
      const response = await fetch(this.url('/session'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'accept-language': this.locale },
        body: JSON.stringify({ token: this.token }),
      });
      if (!response.ok) return;
      const session = (await response.json()) as SessionAnswer;
      this.token = session.token;
      localStorage.setItem(
        this.storageKey,
        JSON.stringify({ token: this.token, conversationId: this.conversationId }),
      );
      // A dropped live stream reconnects with the token in its address: give it the new one.
      this.listen();
      this.renewBefore(session.expiresAt);
    } catch {
      // Offline for now: the next message says what went wrong.
    }
  }

  private async resume(): Promise<boolean> {
    const response = await fetch(this.url(`/conversations/${this.conversationId}`), {
      headers: this.headers(),
    });
    if (!response.ok) return false;
    const { messages } = (await response.json()) as { messages: WidgetMessage[] };
    for (const message of messages) this.show(message);
    return true;
  }

  /** Live events: an agent's replies and status notes arrive here while the page is open. */
  private listen(): void {
    const previous = this.liveStream;
    const source = new EventSource(
      `${this.url(`/conversations/${this.conversationId}/events`)}?token=${encodeURIComponent(this.token!)}`,
    );
    source.addEventListener('message', (event) =>
      this.show(JSON.parse((event as MessageEvent<string>).data) as WidgetMessage),
    );
    // The old stream closes once the new one is open, so that no reply falls in between (a reply
    // both carry is shown once).
    if (previous) source.addEventListener('ready', () => previous.close(), { once: true });
    this.liveStream = source;
  }

  private async errorOf(response: Response): Promise<string> {
    try {
      const body = (await response.json()) as { error?: { message?: string } };
      return body.error?.message ?? this.t('failed');
    } catch {
      return this.t('failed');
    }
  }

  private setNotice(text: string): void {
    this.elements.notice.textContent = text;
  }

  private async send(): Promise<void> {
    const text = this.elements.input.value.trim();
    if (!text || this.busy) return;
    if (text.length > this.maxChars) {
      this.setNotice(this.t('tooLong', { limit: this.maxChars }));
      return;
    }
    if (!this.token) await this.start();
    if (!this.conversationId) return;
    this.busy = true;
    this.elements.send.disabled = true;
    this.setNotice('');
    const pending = this.bubble('customer', text);
    this.elements.input.value = '';
    const answer = this.bubble('assistant', '');
    answer.classList.add('streaming');
    answer.setAttribute('aria-busy', 'true');
    try {
      const response = await fetch(this.url(`/conversations/${this.conversationId}/messages`), {
        method: 'POST',
        headers: this.headers(),
        body: JSON.stringify({ text }),
      });
      if (!response.ok) throw new Error(await this.errorOf(response));
      let streamed = '';
      for await (const event of serverSentEvents(response)) {
        const data = JSON.parse(event.data) as Record<string, unknown>;
        if (event.event === 'question') this.shown.add(String(data.id));
        if (event.event === 'delta') {
          // While it streams, the text is shown as plain text; the Markdown is rendered at the end.
          streamed += String(data.text);
          answer.querySelector('.text')!.textContent = streamed;
          this.scroll();
        }
        if (event.event === 'answer') {
          const message = data.message as WidgetMessage;
          answer.remove();
          this.show(message);
          if (data.status === 'waiting') this.setNotice(this.t('waiting'));
        }
        if (event.event === 'error') throw new Error(String(data.message));
      }
      if (answer.isConnected && !answer.querySelector('.text')!.textContent) answer.remove();
    } catch (error) {
      answer.remove();
      pending.classList.add('failed');
      this.setNotice((error as Error).message || this.t('failed'));
    } finally {
      this.busy = false;
      this.elements.send.disabled = false;
      answer.removeAttribute('aria-busy');
    }
  }

  private async askForPerson(): Promise<void> {
    if (!this.token) await this.start();
    if (!this.conversationId) return;
    const response = await fetch(this.url(`/conversations/${this.conversationId}/handover`), {
      method: 'POST',
      headers: this.headers(),
      body: '{}',
    });
    if (!response.ok) {
      this.setNotice(await this.errorOf(response));
      return;
    }
    const { message } = (await response.json()) as { message: WidgetMessage | null };
    if (message) this.show(message);
    this.setNotice(this.t('waiting'));
  }

  private async feedback(messageId: string, value: 1 | -1, row: HTMLElement): Promise<void> {
    const response = await fetch(
      this.url(`/conversations/${this.conversationId}/messages/${messageId}/feedback`),
      {
        method: 'POST',
        headers: this.headers(),
        body: JSON.stringify({ value }),
      },
    );
    if (response.ok) {
      row.replaceChildren(element('span', { class: 'thanks' }, this.t('thanks')));
    }
  }

  private bubble(role: WidgetMessage['role'], text: string): HTMLElement {
    const who =
      role === 'customer' ? this.t('you') : role === 'agent' ? this.t('agent') : this.t('assistant');
    const item = element('div', { class: `message ${role}` });
    item.append(element('span', { class: 'who' }, who), element('div', { class: 'text' }, text));
    this.elements.log.append(item);
    this.scroll();
    return item;
  }

  /** Shows a stored message once (the live stream and the answer stream may both carry it). */
  private show(message: WidgetMessage): void {
    if (this.shown.has(message.id)) return;
    this.shown.add(message.id);
    const item = this.bubble(message.role, '');
    const body = item.querySelector('.text')!;
    if (message.role === 'customer') body.textContent = message.text;
    else body.replaceChildren(renderMarkdown(message.text));
    if (message.citations.length > 0) {
      const sources = element('div', { class: 'sources' });
      sources.append(element('span', {}, `${this.t('sources')}:`));
      const list = element('ol');
      for (const citation of message.citations) {
        const label =
          [citation.title, ...citation.headingPath].join(' › ') +
          (citation.page ? ` (s. ${citation.page})` : '');
        const entry = element('li', { value: String(citation.marker) });
        if (citation.url && /^https?:/i.test(citation.url)) {
          entry.append(
            element(
              'a',
              { href: citation.url, target: '_blank', rel: 'noopener noreferrer nofollow' },
              label,
            ),
          );
        } else entry.textContent = label;
        list.append(entry);
      }
      sources.append(list);
      item.append(sources);
    }
    if (message.role === 'assistant' && message.kind !== 'handover') {
      const row = element('div', { class: 'feedback' });
      const up = element('button', { type: 'button', 'aria-label': this.t('helpful') }, '👍');
      const down = element('button', { type: 'button', 'aria-label': this.t('notHelpful') }, '👎');
      up.addEventListener('click', () => void this.feedback(message.id, 1, row));
      down.addEventListener('click', () => void this.feedback(message.id, -1, row));
      row.append(up, down);
      item.append(row);
    }
    this.scroll();
  }

  private scroll(): void {
    this.elements.log.scrollTop = this.elements.log.scrollHeight;
  }
}

const script = document.currentScript as HTMLScriptElement | null;
const assistantId = script?.dataset.assistant;
if (script && assistantId) {
  const start = () => new PolettWidget(assistantId, script);
  if (document.body) start();
  else document.addEventListener('DOMContentLoaded', start, { once: true });
} else {
  console.warn('Polett widget: add data-assistant="<assistant id>" to the script tag.');
}
