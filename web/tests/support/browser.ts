/**
 * What every browser test file shares: Debian's Chromium driven by playwright-core, a fresh build
 * of the web app, axe-core, screenshots, and a Polett server on a temporary data folder with its
 * owner already set up (for the pages other than onboarding).
 */
import { existsSync, mkdtempSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startServer, type StartedServer } from '../../../src/cli/commands/start.js';
import { REPOSITORY_ROOT } from '../../../test-support/paths.js';

export const CHROMIUM = process.env.POLETT_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
];
export const SCREENSHOT_DIR = process.env.POLETT_SCREENSHOT_DIR ?? path.join(tmpdir(), 'polett-screenshots');
const WEB_ROOT = path.join(REPOSITORY_ROOT, 'web');
const BUILT_INDEX = path.join(REPOSITORY_ROOT, 'dist', 'web', 'index.html');
const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

export const chromiumMissing = !existsSync(CHROMIUM);
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

const WIDGET_ROOT = path.join(WEB_ROOT, 'widget');
const BUILT_WIDGET = path.join(REPOSITORY_ROOT, 'dist', 'web', 'widget.js');

/**
 * Builds the app when dist/web is missing or older than web/, and the widget likewise, so that
 * the test never checks a stale build. The app's build empties dist/web, so the widget follows it.
 */
export async function ensureBuilt(): Promise<void> {
  const appFresh = existsSync(BUILT_INDEX) && statSync(BUILT_INDEX).mtimeMs >= newestChange(WEB_ROOT);
  const widgetFresh =
    appFresh && existsSync(BUILT_WIDGET) && statSync(BUILT_WIDGET).mtimeMs >= newestChange(WIDGET_ROOT);
  if (appFresh && widgetFresh) return;
  const { build } = await import('vite');
  // Vitest sets NODE_ENV=test, under which Vite and the React plugin bundle React's development
  // build; the test should see what `npm run build` makes.
  const testEnvironment = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    if (!appFresh) await build({ configFile: path.join(WEB_ROOT, 'vite.config.ts'), logLevel: 'warn' });
    await build({ configFile: path.join(WIDGET_ROOT, 'vite.config.ts'), logLevel: 'warn' });
  } finally {
    process.env.NODE_ENV = testEnvironment;
  }
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** Runs axe-core in the page and returns the serious and critical violations, described. */
export async function accessibilityProblems(page: Page): Promise<string[]> {
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

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** Launches Chromium and opens a page in a Swedish context with room for the app's layout. */
export async function launchBrowser(): Promise<{ browser: Browser; context: BrowserContext; page: Page }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  // bypassCSP: axe-core is injected as a script tag, which the app's own policy rightly forbids.
  const context = await browser.newContext({
    bypassCSP: true,
    viewport: { width: 1280, height: 900 },
    locale: 'sv-SE',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return { browser, context, page };
}

export const TEST_OWNER = {
  name: 'Astrid Lindqvist',
  email: 'astrid@example.se',
  password: 'kanelbulle med kardemumma',
  company: 'Lindqvists Cykel AB',
};

export interface SignedInBrowser {
  server: StartedServer;
  dataDir: string;
  workspaceId: string;
  /** The owner's cookie header and CSRF token, for calling the REST API beside the browser. */
  cookie: string;
  csrfToken: string;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/**
 * A built app, a running server on a fresh data folder (with `config` as its `polett.json`), the
 * owner set up through the API, and a browser signed in as the owner. For the pages after
 * onboarding; the onboarding itself is web-app.browser.test.ts.
 */
export async function startSignedInBrowser(config: Record<string, unknown> = {}): Promise<SignedInBrowser> {
  await ensureBuilt();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'polett-browser-'));
  writeFileSync(path.join(dataDir, 'polett.json'), JSON.stringify(config));
  const server = await startServer({ dataDir, port: 0 });
  const { browser, context, page } = await launchBrowser();
  // Set up through the browser context's own request client: the cookies land in the browser.
  const response = await context.request.post(`${server.url}/api/setup`, {
    data: {
      email: TEST_OWNER.email,
      name: TEST_OWNER.name,
      password: TEST_OWNER.password,
      locale: 'sv',
      workspaceName: TEST_OWNER.company,
    },
  });
  if (response.status() !== 201)
    throw new Error(`Set-up failed: ${response.status()} ${await response.text()}`);
  const session = (await response.json()) as {
    csrfToken: string;
    workspaces: Array<{ workspace: { id: string } }>;
  };
  const cookie = (await context.cookies()).map((entry) => `${entry.name}=${entry.value}`).join('; ');
  return {
    server,
    dataDir,
    workspaceId: session.workspaces[0]!.workspace.id,
    cookie,
    csrfToken: session.csrfToken,
    browser,
    context,
    page,
    async close() {
      await browser.close();
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
