/**
 * The web app in a real browser: Debian's Chromium driven by playwright-core, against Polett's real
 * server on a temporary data folder. One person's first day, in order: set-up, the model step,
 * switching language, signing out and in, an API key, and axe-core on every page.
 *
 * Screenshots of each page go to $POLETT_SCREENSHOT_DIR (default: the system's temp folder).
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type StartedServer } from '../../src/cli/commands/start.js';
import { startFakeHub, type FakeHub } from '../../src/models/hub/testing/fake-hub.js';
import { buildGgufBytes } from '../../src/models/hub/testing/gguf-bytes.js';
import { openStorage } from '../../src/storage/index.js';
import { TEST_MODELS_DIR } from '../../test-support/paths.js';
import {
  accessibilityProblems,
  chromiumMissing,
  ensureBuilt,
  launchBrowser,
  screenshot,
  SCREENSHOT_DIR,
  TEST_OWNER as OWNER,
} from './support/browser.js';

/**
 * A fortnight of calls in the usage ledger, written beside the running server (SQLite in WAL mode
 * takes a second connection), so that the Models page has a chart to draw.
 */
async function seedUsage(dataDir: string, serverUrl: string, cookie: string): Promise<void> {
  const me = (await (await fetch(`${serverUrl}/api/me`, { headers: { cookie } })).json()) as {
    workspaces: Array<{ workspace: { id: string } }>;
  };
  const workspaceId = me.workspaces[0]!.workspace.id;
  const storage = openStorage({ dataDir });
  try {
    // The model step's test call was real usage of the tiny model; start from a known ledger.
    (storage as unknown as { database: { exec(sql: string): void } }).database.exec(
      'DELETE FROM usage_ledger',
    );
    for (let daysAgo = 0; daysAgo < 14; daysAgo += 1) {
      const at = new Date(Date.now() - daysAgo * 86_400_000).toISOString();
      const common = { at, workspaceId, latencyMs: 120, ok: true, errorCode: null };
      storage.usage.record({
        ...common,
        task: 'chat',
        provider: 'openai',
        model: 'gpt-4o-mini',
        inputTokens: 1_200 + daysAgo * 150,
        outputTokens: 400 + daysAgo * 40,
        cost: 0.0004 + daysAgo * 0.00005,
        currency: 'USD',
      });
      storage.usage.record({
        ...common,
        task: 'embed',
        provider: 'local',
        model: 'e5',
        inputTokens: 800 + (daysAgo % 4) * 300,
        outputTokens: 0,
        cost: null,
        currency: null,
      });
    }
  } finally {
    storage.close();
  }
}

describe.skipIf(chromiumMissing)('the web app in Chromium', () => {
  let dataDir: string;
  let server: StartedServer;
  let hub: FakeHub;
  const previousHubEndpoint = process.env.HF_ENDPOINT;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    await ensureBuilt();
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    dataDir = mkdtempSync(path.join(tmpdir(), 'polett-browser-'));
    // One local model that is there and one remote provider whose key is missing, so that the
    // Models page shows both states.
    writeFileSync(
      path.join(dataDir, 'polett.json'),
      JSON.stringify({
        providers: {
          local: { type: 'local-gguf' },
          openai: {
            type: 'openai-compatible',
            baseURL: 'https://api.openai.com/v1',
            apiKey: { env: 'POLETT_TEST_ABSENT_KEY' },
          },
        },
        models: {
          tiny: { provider: 'local', model: path.join(TEST_MODELS_DIR, 'tiny-llama-bpe.gguf') },
          gpt: {
            provider: 'openai',
            model: 'gpt-4o-mini',
            price: { inputPerMillion: 0.15, outputPerMillion: 0.6, currency: 'USD' },
          },
        },
        tasks: { chat: ['tiny', 'gpt'] },
      }),
    );
    // A stand-in for the Hugging Face hub, for the model pull from the Models page. The server runs
    // in this process and reads HF_ENDPOINT when a pull starts.
    hub = await startFakeHub({
      repositories: [
        {
          id: 'polett-test/webb-GGUF',
          files: [{ path: 'webb-Q4_K_M.gguf', content: buildGgufBytes({ paddingBytes: 200_000 }) }],
        },
      ],
    });
    process.env.HF_ENDPOINT = hub.url;
    server = await startServer({ dataDir, port: 0 });
    ({ browser, context, page } = await launchBrowser());
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await hub?.close();
    if (previousHubEndpoint === undefined) delete process.env.HF_ENDPOINT;
    else process.env.HF_ENDPOINT = previousHubEndpoint;
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the app at / and keeps the server paths for the server', async () => {
    const health = await fetch(`${server.url}/health`);
    expect(health.headers.get('content-type')).toMatch(/json/);
    const appPage = await fetch(`${server.url}/settings`);
    expect(appPage.headers.get('content-type')).toMatch(/text\/html/);
    // Refused or not found, but by the server, in JSON: never the app's page.
    const unknownApi = await fetch(`${server.url}/api/does-not-exist`);
    expect([401, 404]).toContain(unknownApi.status);
    expect(unknownApi.headers.get('content-type')).toMatch(/json/);
    const openApi = await fetch(`${server.url}/openapi.json`);
    expect(openApi.headers.get('content-type')).toMatch(/json/);
  });

  it('walks the owner through first-run set-up and then the model step', { timeout: 150_000 }, async () => {
    await page.goto(server.url);
    await page.waitForURL('**/setup');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'Välkommen till Polett',
    );
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, '01-setup-account');

    await page.getByLabel('Ditt namn').fill(OWNER.name);
    await page.getByLabel('E-postadress').fill(OWNER.email);
    await page.getByLabel('Lösenord').fill(OWNER.password);
    await page.getByLabel('Företagets namn').fill(OWNER.company);
    await page.getByRole('button', { name: 'Skapa konto' }).click();

    await page.getByRole('heading', { name: 'Koppla in en språkmodell' }).waitFor();
    const chatRow = page.getByRole('row', { name: /Chatt och textgenerering/ });
    await expect(chatRow.textContent()).resolves.toContain('Har en modell');
    const embedRow = page.getByRole('row', { name: /Inbäddningar/ });
    await expect(embedRow.textContent()).resolves.toContain('polett models pull');

    // Saving stores the provider (its key encrypted) and adds its model to the chat task's chain; a
    // name of its own, so that the configured `openai` provider keeps its missing key for the Models page.
    await page.getByLabel('Namn på leverantören').fill('extern');
    await page.getByLabel('API-nyckel').fill('sk-test');
    await page.getByRole('button', { name: 'Spara leverantören' }).click();
    await page.getByRole('status').filter({ hasText: 'Leverantören är sparad.' }).waitFor();
    // The test runs one real call through the chat task (the tiny GGUF model) and says how long it took.
    await page.getByRole('button', { name: 'Testa chattmodellen' }).click();
    // Loading the model runtime and the model takes seconds, many more on a busy machine.
    await page
      .getByRole('status')
      .filter({ hasText: /Svar på \d+ ms/ })
      .waitFor({ timeout: 90_000 });
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, '02-setup-models');

    await page.getByRole('button', { name: 'Klart, gå till Polett' }).click();
    await page.waitForURL('**/models');
  });

  it('shows the Models page with tasks, models and usage', async () => {
    await page.getByRole('heading', { level: 1, name: 'Modeller' }).waitFor();
    // The model step's test call already shows as usage of the chat task.
    await page
      .getByRole('row', { name: /^chat / })
      .first()
      .waitFor();
    const cookie = (await context.cookies()).map((entry) => `${entry.name}=${entry.value}`).join('; ');
    await seedUsage(dataDir, server.url, cookie);
    await page.reload();
    await page.getByRole('img', { name: /Tokens per dag/ }).waitFor();
    await page.getByRole('img', { name: /Kostnad per dag/ }).waitFor();
    const chatUsage = await page
      .getByRole('row', { name: /^chat / })
      .first()
      .textContent();
    // Fourteen calls; Swedish number formatting (a no-break space between thousands).
    expect(chatUsage).toMatch(/14/);
    expect(chatUsage).toMatch(/30\s450/);
    expect(chatUsage).toMatch(/US\$/);
    await page.getByRole('row', { name: /tiny/ }).first().waitFor();
    await expect(page.getByRole('row', { name: /gpt/ }).first().textContent()).resolves.toContain(
      'POLETT_TEST_ABSENT_KEY',
    );
    await page.getByRole('heading', { name: 'Användning' }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, '03-models');
  });

  it('pulls a model from the hub and follows the job until the model is ready', async () => {
    const pull = page.getByRole('region', { name: 'Hämta en modell' });
    await pull.getByText('polett models catalogue').waitFor();
    await pull.getByLabel('Referens på hubben').fill('polett-test/webb-GGUF/webb-Q4_K_M.gguf');
    await pull.getByLabel('Namn i Polett (valfritt)').fill('webbmodell');
    await pull.getByRole('button', { name: 'Hämta modellen' }).click();
    await pull
      .getByRole('status')
      .filter({ hasText: 'Modellen webbmodell är hämtad och redo att användas.' })
      .waitFor();
    expect(await pull.getByRole('progressbar', { name: 'model.pull: klart' }).getAttribute('value')).toBe(
      '1',
    );
    expect(hub.requests.some((request) => request.path.includes('webb-Q4_K_M.gguf'))).toBe(true);
    await page
      .getByRole('region', { name: 'Konfigurerade modeller' })
      .getByRole('row', { name: /webbmodell/ })
      .waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, '03-models-pulled');
  });

  it('switches to English, and stays in English after a reload', async () => {
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Models' }).waitFor();
    expect(await page.getByRole('navigation').textContent()).toContain('Settings');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    // Saved on the account as well, so that it follows the person to another browser.
    const savedLocale = () =>
      page.evaluate(
        async () => ((await (await fetch('/api/me')).json()) as { user: { locale: string } }).user.locale,
      );
    await expect.poll(savedLocale).toBe('en');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Models' }).waitFor();
    expect(await page.getByRole('button', { name: 'English' }).getAttribute('aria-pressed')).toBe('true');
    // Numbers follow the language: "30,450" in English where Swedish wrote "30 450".
    expect(
      await page
        .getByRole('row', { name: /^chat / })
        .first()
        .textContent(),
    ).toContain('30,450');
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, '03-models-english');
    await page.getByRole('button', { name: 'Svenska' }).click();
    await page.getByRole('heading', { level: 1, name: 'Modeller' }).waitFor();
  });

  it('has a page for every capability in the menu', async () => {
    for (const [label, path] of [
      ['Assistent', '/assistant'],
      ['Inkorg', '/inbox'],
      ['Kunskap', '/knowledge'],
      ['Innehåll', '/content'],
      ['Insikter', '/insights'],
      ['Lär dig', '/learn'],
    ] as const) {
      await page.getByRole('navigation').getByRole('link', { name: label, exact: true }).click();
      await page.waitForURL(`**${path}`);
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      expect(await page.getByText('Den här delen är inte byggd ännu').count(), label).toBe(0);
    }
    await screenshot(page, '04-learn');

    // From the keyboard: the first Tab reaches the skip link, which moves focus to the page.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: /^Lär dig/ }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Hoppa till innehållet');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
  });

  it('creates an API key that is shown once and works on the OpenAI-compatible API', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Inställningar' }).click();
    await page.getByRole('heading', { level: 1, name: 'Inställningar' }).waitFor();
    expect(await page.getByLabel('Arbetsytans namn', { exact: true }).inputValue()).toBe(OWNER.company);
    await page.getByLabel('Samtal (dagar)').fill('90');
    await page.getByRole('region', { name: 'Lagringstid' }).getByRole('button', { name: 'Spara' }).click();
    await page.getByRole('region', { name: 'Lagringstid' }).getByText('Sparat.').waitFor();
    await page.getByLabel('Nyckelns namn').fill('Webbplatsen');
    await page.getByRole('button', { name: 'Skapa nyckel' }).click();
    const secret = (await page.getByTestId('created-key').textContent())?.trim() ?? '';
    expect(secret.length).toBeGreaterThan(20);
    await page
      .getByRole('region', { name: 'API-nycklar' })
      .getByRole('row', { name: /Webbplatsen/ })
      .waitFor();
    await screenshot(page, '05-settings-key-created');

    const models = await fetch(`${server.url}/v1/models`, { headers: { authorization: `Bearer ${secret}` } });
    expect(models.status).toBe(200);

    await page.reload();
    await page
      .getByRole('region', { name: 'API-nycklar' })
      .getByRole('row', { name: /Webbplatsen/ })
      .waitFor();
    expect(await page.content()).not.toContain(secret);
    expect(await page.getByLabel('Samtal (dagar)').inputValue()).toBe('90');
    await page
      .getByRole('region', { name: 'Händelselogg' })
      .getByRole('row', { name: /skapade en API-nyckel/ })
      .waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, '06-settings');
  });

  it('invites a support agent, who joins through the link and sees only what the role allows', async () => {
    await page.getByRole('textbox', { name: 'E-post' }).fill('erik@example.se');
    await page.getByRole('combobox', { name: 'Roll' }).selectOption('agent');
    await page.getByRole('button', { name: 'Bjud in' }).click();
    const announcement =
      (await page.getByRole('status').filter({ hasText: '/invitation#' }).textContent()) ?? '';
    const link = /https?:\/\/\S+\/invitation#\S+/.exec(announcement)?.[0];
    expect(link).toBeDefined();
    await page
      .getByRole('region', { name: 'Medlemmar och roller' })
      .getByRole('row', { name: /erik@example\.se/ })
      .waitFor();

    const agentContext = await browser.newContext({
      bypassCSP: true,
      viewport: { width: 1280, height: 900 },
    });
    try {
      const agentPage = await agentContext.newPage();
      agentPage.setDefaultTimeout(15_000);
      await agentPage.goto(link!);
      await agentPage.getByRole('heading', { level: 1, name: 'Gå med i arbetsytan' }).waitFor();
      expect(await accessibilityProblems(agentPage)).toEqual([]);
      await screenshot(agentPage, '07-invitation');
      await agentPage.getByLabel('Ditt namn').fill('Erik Berg');
      await agentPage.getByLabel('Lösenord').fill('cykelkedja och olja');
      await agentPage.getByRole('button', { name: 'Gå med' }).click();
      await agentPage.getByText('Inloggad som Erik Berg').waitFor();

      await agentPage.getByRole('navigation').getByRole('link', { name: 'Inställningar' }).click();
      await agentPage.getByRole('heading', { name: 'Medlemmar och roller' }).waitFor();
      // A support agent may not manage keys, read the audit log, invite, or rename the workspace.
      expect(await agentPage.getByRole('heading', { name: 'API-nycklar' }).count()).toBe(0);
      expect(await agentPage.getByRole('heading', { name: 'Händelselogg' }).count()).toBe(0);
      expect(await agentPage.getByRole('button', { name: 'Bjud in' }).count()).toBe(0);
      expect(
        await agentPage.getByLabel('Arbetsytans namn', { exact: true }).getAttribute('readonly'),
      ).not.toBeNull();
      expect(await accessibilityProblems(agentPage)).toEqual([]);
      await screenshot(agentPage, '08-settings-as-agent');
    } finally {
      await agentContext.close();
    }

    // The owner sees Erik as a member now, and gives him the editor role.
    await page.reload();
    const members = page.getByRole('region', { name: 'Medlemmar och roller' });
    await members.getByRole('combobox', { name: 'Roll: Erik Berg' }).selectOption('editor');
    await page
      .getByRole('region', { name: 'Händelselogg' })
      .getByRole('row', { name: /ändrade en roll/ })
      .waitFor();
    await page.reload();
    expect(await members.getByRole('combobox', { name: 'Roll: Erik Berg' }).inputValue()).toBe('editor');
  });

  it('creates a second workspace and switches between the two', async () => {
    await page.getByLabel('Den nya arbetsytans namn').fill('Lindqvists Webbshop');
    await page.getByRole('button', { name: 'Skapa arbetsytan' }).click();
    const switcher = page.getByRole('combobox', { name: 'Arbetsyta' });
    await switcher.waitFor();
    await expect
      .poll(() => page.getByLabel('Arbetsytans namn', { exact: true }).inputValue())
      .toBe('Lindqvists Webbshop');
    await switcher.selectOption({ label: OWNER.company });
    await expect
      .poll(() => page.getByLabel('Arbetsytans namn', { exact: true }).inputValue())
      .toBe(OWNER.company);
  });

  it('shows a job’s progress live from its server-sent events', async () => {
    // The jobs routes are not mounted yet: this answers them in the browser, in the shape of the
    // jobs capability (src/jobs: JobRecord, and toServerSentEvents' event names), to test the page.
    const job = {
      id: 'job-1',
      type: 'insights.analyze',
      state: 'running',
      progress: { done: 3, total: 10, message: null },
      error: null,
      attempts: 1,
      createdAt: new Date().toISOString(),
      finishedAt: null,
    };
    const failed = {
      ...job,
      id: 'job-2',
      type: 'knowledge.ingest',
      state: 'failed',
      progress: null,
      error: {
        code: 'file_unreadable',
        message: { sv: 'Filen gick inte att läsa.', en: 'The file could not be read.' },
        retryable: false,
      },
    };
    await page.route('**/api/workspaces/*/jobs?*', (route) =>
      route.fulfill({ json: { jobs: [job, failed] } }),
    );
    await page.route('**/api/workspaces/*/jobs/job-1/events', (route) =>
      route.fulfill({
        headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' },
        body: [
          `id: 1\nevent: snapshot\ndata: ${JSON.stringify({ type: 'snapshot', job })}\n\n`,
          `id: 2\nevent: progress-update\ndata: ${JSON.stringify({ type: 'progress-update', jobId: 'job-1', progress: { done: 7, total: 10, message: 'sentiment' } })}\n\n`,
        ].join(''),
      }),
    );
    try {
      await page.reload();
      const jobs = page.getByRole('region', { name: 'Bakgrundsjobb' });
      await jobs.getByText('7 / 10').waitFor();
      await jobs.getByText('sentiment').waitFor();
      expect(
        await jobs.getByRole('progressbar', { name: 'insights.analyze: pågår' }).getAttribute('value'),
      ).toBe('7');
      await jobs.getByText('Filen gick inte att läsa.').waitFor();
      await jobs.screenshot({ path: path.join(SCREENSHOT_DIR, '10-jobs.png') });
      expect(await accessibilityProblems(page)).toEqual([]);
    } finally {
      await page.unrouteAll({ behavior: 'ignoreErrors' });
    }
  });

  it('signs out and signs in again', async () => {
    await page.getByRole('button', { name: 'Logga ut', exact: true }).click();
    await page.waitForURL('**/sign-in');
    await page.getByRole('heading', { level: 1, name: 'Logga in' }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, '09-sign-in');

    await page.getByLabel('E-postadress').fill(OWNER.email);
    await page.getByLabel('Lösenord').fill('fel lösenord helt och hållet');
    await page.getByRole('button', { name: 'Logga in' }).click();
    await page.getByRole('alert').waitFor();

    await page.getByLabel('Lösenord').fill(OWNER.password);
    await page.getByRole('button', { name: 'Logga in' }).click();
    await page.getByText(`Inloggad som ${OWNER.name}`).waitFor();
  });

  it('runs under its own content security policy, which the other tests bypass for axe-core', async () => {
    const strictContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const strictPage = await strictContext.newPage();
      strictPage.setDefaultTimeout(15_000);
      const violations: string[] = [];
      strictPage.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
      });
      await strictPage.goto(`${server.url}/sign-in`);
      await strictPage.getByLabel('E-postadress').fill(OWNER.email);
      await strictPage.getByLabel('Lösenord').fill(OWNER.password);
      await strictPage.getByRole('button', { name: 'Logga in' }).click();
      await strictPage.getByRole('navigation').getByRole('link', { name: 'Modeller' }).click();
      await strictPage.getByRole('img', { name: /Tokens per dag/ }).waitFor();
      await strictPage.getByRole('navigation').getByRole('link', { name: 'Inställningar' }).click();
      await strictPage.getByRole('heading', { name: 'API-nycklar' }).waitFor();
      expect(violations).toEqual([]);

      // Signing out everywhere from this browser ends the other browser's session too: its next
      // call is refused, and it shows the sign-in page instead of broken sections.
      await strictPage.getByRole('button', { name: 'Logga ut överallt' }).click();
      await strictPage.waitForURL('**/sign-in');
      await page.getByRole('navigation').getByRole('link', { name: 'Inställningar' }).click();
      await page.waitForURL('**/sign-in');
      await page.getByRole('heading', { level: 1, name: 'Logga in' }).waitFor();
    } finally {
      await strictContext.close();
    }
  });
});
