/**
 * The website widget in Chromium, on a plain HTML page of "the company's site" served from another
 * origin, with hostile CSS: a visitor talks to the assistant in Swedish, gets a curated answer
 * rendered as Markdown with every script and event handler inert, asks for a person, and an
 * agent's reply arrives live. A site not on the allowlist gets a clear refusal.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { REPOSITORY_ROOT } from '../../test-support/paths.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessibilityProblems,
  chromiumMissing,
  screenshot,
  startSignedInBrowser,
  type SignedInBrowser,
} from './support/browser.js';

const XSS_ANSWER = [
  'Du har **30 dagars** öppet köp hos Lindqvists Cykel. [Läs villkoren](https://cykel.example.se/villkor)',
  '',
  '<img src=x onerror="window.__xss = 1"> <script>window.__xss = 2</script>',
  '[klicka här](javascript:window.__xss=3) <a href="javascript:window.__xss=4">länk</a>',
  '[kodad](&#106;avascript:window.__xss=7) <javascript:window.__xss=8> [data](data:text/html,<script>alert(9)</script>)',
  '![bild](javascript:window.__xss=10 "t\\" onerror=\\"window.__xss=11") [titel](https://cykel.example.se/x "\\" onmouseover=\\"window.__xss=12")',
].join('\n');

describe.skipIf(chromiumMissing)('the assistant widget on a company’s site', () => {
  let polett: SignedInBrowser;
  let site: Server;
  let sitePort: number;
  let assistantId: string;

  const apiWrite = async (path: string, body: unknown) => {
    const response = await fetch(`${polett.server.url}/api/workspaces/${polett.workspaceId}${path}`, {
      method: 'POST',
      headers: {
        cookie: polett.cookie,
        'x-csrf-token': polett.csrfToken,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as Record<string, unknown>;
  };

  beforeAll(async () => {
    polett = await startSignedInBrowser();
    site = createServer((request, response) => {
      response.setHeader('content-type', 'text/html; charset=utf-8');
      response.end(`<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>Lindqvists Cykel</title>
<style>
  /* A site whose own styles would break a widget that lived in its DOM. */
  button { display: none !important; }
  div, p { color: red !important; font-size: 40px !important; }
</style></head>
<body><main><h1>Välkommen till Lindqvists Cykel</h1><p>Cyklar sedan 1952.</p></main>
<script src="${polett.server.url}/widget.js" data-assistant="${assistantId}" async></script>
</body></html>`);
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    sitePort = (site.address() as { port: number }).port;
    const assistant = await apiWrite('/assistants', {
      name: 'Cykelhjälpen',
      allowedOrigins: [`http://127.0.0.1:${sitePort}`],
    });
    assistantId = assistant.id as string;
    await apiWrite('/curated-answers', {
      assistantId,
      question: 'Hur lång returrätt har ni?',
      answer: XSS_ANSWER,
    });

    // The company's own document, uploaded to Knowledge and indexed by its job.
    const form = new FormData();
    form.append(
      'files',
      new Blob(
        [
          '# Leveranser\n\n## Inom Sverige\n\nLeveranstiden är 2–4 arbetsdagar inom Sverige. Vi skickar med PostNord till ditt närmaste ombud.\n',
        ],
        { type: 'text/markdown' },
      ),
      'leveranser.md',
    );
    const upload = await fetch(
      `${polett.server.url}/api/workspaces/${polett.workspaceId}/knowledge/uploads`,
      {
        method: 'POST',
        headers: { cookie: polett.cookie, 'x-csrf-token': polett.csrfToken },
        body: form,
      },
    );
    if (upload.status !== 202) throw new Error(`upload: ${upload.status} ${await upload.text()}`);
    const { source } = (await upload.json()) as { source: { id: string } };
    for (let attempt = 0; ; attempt += 1) {
      const response = await fetch(
        `${polett.server.url}/api/workspaces/${polett.workspaceId}/knowledge/sources/${source.id}`,
        { headers: { cookie: polett.cookie } },
      );
      const body = (await response.json()) as { source?: { status: string }; status?: string };
      const status = body.source?.status ?? body.status;
      if (status === 'ready') break;
      if (attempt > 100) throw new Error(`the upload did not get indexed: ${JSON.stringify(body)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });

  afterAll(async () => {
    await polett?.close();
    await new Promise<void>((resolve) => site?.close(() => resolve()));
  });

  it('is one script under 30 KB gzipped', () => {
    const script = readFileSync(path.join(REPOSITORY_ROOT, 'dist', 'web', 'widget.js'));
    expect(gzipSync(script).length).toBeLessThan(30 * 1024);
  });

  it('answers in Swedish with Markdown and nothing from the answer runs', async () => {
    const { page } = polett;
    await page.goto(`http://127.0.0.1:${sitePort}/`);
    await page.getByRole('button', { name: 'Chatta med oss' }).click();
    const chat = page.getByRole('region', { name: 'Kundtjänst' });
    await chat.getByRole('heading', { name: 'Cykelhjälpen' }).waitFor();
    await chat.getByRole('textbox').fill('Hur lång returrätt har ni?');
    await chat.getByRole('button', { name: 'Skicka' }).click();

    const answer = chat.locator('.message.assistant').last();
    await answer.getByText('30 dagars').waitFor();
    expect(await answer.locator('strong').textContent()).toBe('30 dagars');
    const safeLink = answer.getByRole('link', { name: 'Läs villkoren' });
    expect(await safeLink.getAttribute('href')).toBe('https://cykel.example.se/villkor');
    expect(await safeLink.getAttribute('rel')).toContain('noopener');
    // The payloads are shown as text, and none ran.
    expect(await answer.locator('img, script, [onerror]').count()).toBe(0);
    expect(await answer.locator('a[href^="javascript"]').count()).toBe(0);
    // Every link that survives is http(s) or mailto, and carries no attribute from the Markdown.
    for (const link of await answer.locator('.text a').all()) {
      expect(await link.getAttribute('href')).toMatch(/^(https?:|mailto:)/);
      expect(await link.evaluate((node) => node.getAttributeNames().sort())).toEqual([
        'href',
        'rel',
        'target',
      ]);
    }
    await expect(answer.textContent()).resolves.toContain('<img src=x onerror');
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    // The site's `button { display: none }` does not reach inside the widget.
    expect(await chat.getByRole('button', { name: 'Skicka' }).isVisible()).toBe(true);
    await screenshot(page, 'widget-01-answer');
  });

  it('answers from the company’s documents and cites the passage', async () => {
    const { page } = polett;
    const chat = page.getByRole('region', { name: 'Kundtjänst' });
    await chat.getByRole('textbox').fill('Hur lång är leveranstiden inom Sverige?');
    await chat.getByRole('button', { name: 'Skicka' }).click();
    const answer = chat.locator('.message.assistant').last();
    await answer.getByText('2–4 arbetsdagar').waitFor();
    await expect(answer.locator('.sources').textContent()).resolves.toMatch(/Leveranser › Inom Sverige/);
  });

  it('shows a customer’s HTML as text', async () => {
    const { page } = polett;
    const chat = page.getByRole('region', { name: 'Kundtjänst' });
    await chat.getByRole('textbox').fill('<img src=x onerror="window.__xss=5"> hej');
    await chat.getByRole('button', { name: 'Skicka' }).click();
    await chat.locator('.message.customer').last().getByText('<img src=x onerror').waitFor();
    // The assistant has no knowledge here: it says so and passes the question on.
    await chat.getByText('Jag hittar inget säkert svar').waitFor();
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  });

  it('hands over to a person, who answers from the Inbox, and the reply arrives live', async () => {
    const { page, context, server } = polett;
    const chat = page.getByRole('region', { name: 'Kundtjänst' });
    await chat.getByRole('button', { name: 'Prata med en person' }).click();
    await chat.getByText('En medarbetare har fått din fråga').waitFor();

    // A colleague at the company opens the Inbox in Polett.
    const inbox = await context.newPage();
    inbox.setDefaultTimeout(15_000);
    await inbox.goto(`${server.url}/inbox`);
    await inbox.getByRole('heading', { level: 1, name: 'Inkorg' }).waitFor();
    await inbox
      .getByRole('button', { name: /^väntar/ })
      .first()
      .click();
    await inbox.getByRole('heading', { name: 'Sammanfattning' }).waitFor();
    await inbox.getByText('Kunden har frågat').waitFor();
    expect(await accessibilityProblems(inbox)).toEqual([]);
    await screenshot(inbox, 'widget-02-inbox');
    await inbox
      .getByLabel('Svar till kunden')
      .fill('Hej! Jag heter Astrid. <script>window.__xss=6</script> Vad gäller det?');
    await inbox.getByRole('button', { name: 'Skicka svaret' }).click();
    await inbox.getByRole('listitem').filter({ hasText: 'Jag heter Astrid' }).waitFor();

    const agentMessage = chat.locator('.message.agent').last();
    await agentMessage.getByText('Jag heter Astrid').waitFor();
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'widget-03-agent');
    await inbox.close();
  });

  it('shows the Assistant page with the script tag and the curated answer', async () => {
    const { context, server } = polett;
    const admin = await context.newPage();
    admin.setDefaultTimeout(15_000);
    await admin.goto(`${server.url}/assistant`);
    await admin.getByRole('heading', { level: 1, name: 'Assistenter' }).waitFor();
    await admin.getByRole('button', { name: 'Cykelhjälpen' }).click();
    await admin.getByText(`data-assistant="${assistantId}"`).waitFor();
    await admin.getByRole('cell', { name: 'Hur lång returrätt har ni?', exact: true }).waitFor();
    expect(await accessibilityProblems(admin)).toEqual([]);
    await screenshot(admin, 'widget-04-assistant-page');
    await admin.close();
  });

  it('renews the visitor token before it runs out, as the same visitor', async () => {
    const page = await polett.context.newPage();
    page.setDefaultTimeout(15_000);
    // The page's timers on a fake clock: an hour passes in a moment.
    await page.clock.install();
    const sessions: Array<{ sent: string; visitorId: string }> = [];
    page.on('response', async (response) => {
      if (!response.url().endsWith('/session') || !response.ok()) return;
      const { visitorId } = (await response.json()) as { visitorId: string };
      sessions.push({ sent: response.request().postData() ?? '', visitorId });
    });
    await page.goto(`http://127.0.0.1:${sitePort}/`);
    await page.getByRole('button', { name: 'Chatta med oss' }).click();
    await expect.poll(() => sessions.length).toBe(1);
    await page.clock.runFor('56:00');
    await expect.poll(() => sessions.length).toBe(2);
    const [first, renewal] = sessions;
    expect(renewal!.sent).toContain('"token"');
    expect(renewal!.visitorId).toBe(first!.visitorId);
    await page.close();
  });

  it('refuses a site that is not on the allowlist, in one sentence', async () => {
    const { page } = polett;
    // The same page from another origin: localhost is not 127.0.0.1 to a browser.
    await page.goto(`http://localhost:${sitePort}/`);
    await page.evaluate(() => localStorage.clear());
    await page.getByRole('button', { name: 'Chatta med oss' }).click();
    await page
      .getByRole('status')
      .getByText(/får inte visa den här assistenten/)
      .waitFor();
  });
});
