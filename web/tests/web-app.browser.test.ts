/**
 * The web app in a real browser: Debian's Chromium driven by playwright-core, against Polett's real
 * server on a temporary data folder. One person's first day, in order: set-up, the model step,
 * switching language, signing out and in, an API key, and axe-core on every page.
 *
 * Screenshots of each page go to $POLETT_SCREENSHOT_DIR (default: the system's temp folder).
 */
import { existsSync, mkdtempSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type StartedServer } from '../../src/cli/commands/start.js';
import { REPOSITORY_ROOT, TEST_MODELS_DIR } from '../../test-support/paths.js';

const CHROMIUM = process.env.POLETT_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
];
const SCREENSHOT_DIR = process.env.POLETT_SCREENSHOT_DIR ?? path.join(tmpdir(), 'polett-screenshots');
const WEB_ROOT = path.join(REPOSITORY_ROOT, 'web');
const BUILT_INDEX = path.join(REPOSITORY_ROOT, 'dist', 'web', 'index.html');
const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

const OWNER = {
  name: 'Astrid Lindqvist',
  email: 'astrid@example.se',
  password: 'kanelbulle med kardemumma',
  company: 'Lindqvists Cykel AB',
};

const chromiumMissing = !existsSync(CHROMIUM);
if (chromiumMissing) {
  console.warn(
    `Browser tests skipped: no Chromium at ${CHROMIUM}. Install it with \`apt-get install -y chromium\` (CI does), or set POLETT_CHROMIUM.`,
  );
}

/** The newest modification time under a folder, to tell whether dist/web is older than its sources. */
function newestChange(folder: string): number {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'tests') continue;
    const full = path.join(folder, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestChange(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds the app when dist/web is missing or older than web/, so the test never checks a stale build. */
async function ensureBuilt(): Promise<void> {
  if (existsSync(BUILT_INDEX) && statSync(BUILT_INDEX).mtimeMs >= newestChange(WEB_ROOT)) return;
  const { build } = await import('vite');
  await build({ configFile: path.join(WEB_ROOT, 'vite.config.ts'), logLevel: 'warn' });
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** Runs axe-core in the page and returns the serious and critical violations, described. */
async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE_SCRIPT });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document): Promise<{ violations: unknown[] }> } })
      .axe;
    return (await axe.run(document)).violations;
  });
  return (violations as AxeViolation[])
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.impact}: ${violation.id} (${violation.help}) at ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
    );
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

describe.skipIf(chromiumMissing)('the web app in Chromium', () => {
  let dataDir: string;
  let server: StartedServer;
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
    server = await startServer({ dataDir, port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    // bypassCSP: axe-core is injected as a script tag, which the app's own policy rightly forbids.
    context = await browser.newContext({
      bypassCSP: true,
      viewport: { width: 1280, height: 900 },
      locale: 'sv-SE',
    });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the app at / and keeps the server paths for the server', async () => {
    const health = await fetch(`${server.url}/health`);
    expect(health.headers.get('content-type')).toMatch(/json/);
    const appPage = await fetch(`${server.url}/settings`);
    expect(appPage.headers.get('content-type')).toMatch(/text\/html/);
    const unknownApi = await fetch(`${server.url}/api/does-not-exist`);
    expect(unknownApi.status).toBe(404);
    expect(unknownApi.headers.get('content-type')).toMatch(/json/);
  });

  it('walks the owner through first-run set-up and then the model step', async () => {
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

    // No route stores providers yet: saving shows the configuration to write instead.
    await page.getByLabel('API-nyckel').fill('sk-test');
    await page.getByRole('button', { name: 'Spara leverantören' }).click();
    await page.getByText('"baseURL": "https://api.openai.com/v1"').waitFor();
    await page.getByRole('button', { name: 'Testa chattmodellen' }).click();
    await page.getByRole('status').filter({ hasText: 'Chatt och textgenerering' }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, '02-setup-models');

    await page.getByRole('button', { name: 'Klart, gå till Polett' }).click();
    await page.waitForURL('**/models');
  });

  it('shows the Models page with tasks, models and usage', async () => {
    await page.getByRole('heading', { level: 1, name: 'Modeller' }).waitFor();
    await page.getByRole('row', { name: /tiny/ }).first().waitFor();
    await expect(page.getByRole('row', { name: /gpt/ }).first().textContent()).resolves.toContain(
      'POLETT_TEST_ABSENT_KEY',
    );
    await page.getByRole('heading', { name: 'Användning' }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, '03-models');
  });

  it('switches to English, and stays in English after a reload', async () => {
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Models' }).waitFor();
    expect(await page.getByRole('navigation').textContent()).toContain('Settings');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Models' }).waitFor();
    expect(await page.getByRole('button', { name: 'English' }).getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('button', { name: 'Svenska' }).click();
    await page.getByRole('heading', { level: 1, name: 'Modeller' }).waitFor();
  });

  it('says plainly which parts are not built yet', async () => {
    for (const [label, heading] of [
      ['Assistent', 'Assistent'],
      ['Inkorg', 'Inkorg'],
      ['Kunskap', 'Kunskap'],
      ['Innehåll', 'Innehåll'],
      ['Insikter', 'Insikter'],
      ['Lär dig', 'Lär dig'],
    ] as const) {
      await page.getByRole('navigation').getByRole('link', { name: label, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      await page.getByText('Den här delen är inte byggd ännu').waitFor();
    }
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, '04-not-built');
  });

  it('creates an API key that is shown once and works on the OpenAI-compatible API', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Inställningar' }).click();
    await page.getByRole('heading', { level: 1, name: 'Inställningar' }).waitFor();
    await page.getByLabel('Nyckelns namn').fill('Webbplatsen');
    await page.getByRole('button', { name: 'Skapa nyckel' }).click();
    const secret = (await page.getByTestId('created-key').textContent())?.trim() ?? '';
    expect(secret.length).toBeGreaterThan(20);
    await page.getByRole('row', { name: /Webbplatsen/ }).waitFor();
    await screenshot(page, '05-settings-key-created');

    const models = await fetch(`${server.url}/v1/models`, { headers: { authorization: `Bearer ${secret}` } });
    expect(models.status).toBe(200);

    await page.reload();
    await page.getByRole('row', { name: /Webbplatsen/ }).waitFor();
    expect(await page.content()).not.toContain(secret);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, '06-settings');
  });

  it('signs out and signs in again', async () => {
    await page.getByRole('button', { name: 'Logga ut' }).click();
    await page.waitForURL('**/sign-in');
    await page.getByRole('heading', { level: 1, name: 'Logga in' }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, '07-sign-in');

    await page.getByLabel('E-postadress').fill(OWNER.email);
    await page.getByLabel('Lösenord').fill('fel lösenord helt och hållet');
    await page.getByRole('button', { name: 'Logga in' }).click();
    await page.getByRole('alert').waitFor();

    await page.getByLabel('Lösenord').fill(OWNER.password);
    await page.getByRole('button', { name: 'Logga in' }).click();
    await page.getByText(`Inloggad som ${OWNER.name}`).waitFor();
  });
});
