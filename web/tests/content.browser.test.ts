/**
 * The Content page in Chromium, in Swedish: set up a brand profile, write a LinkedIn post with the
 * tiny GGUF model (random text: the flow is tested, not the prose), see the rule findings and fix
 * one with a click, save, send for review, approve and export. axe-core finds nothing.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_MODELS_DIR } from '../../test-support/paths.js';
import { TINY_GGUF_BPE_MODEL } from '../../test-support/tiny-gguf.js';
import {
  accessibilityProblems,
  chromiumMissing,
  screenshot,
  startSignedInBrowser,
  type SignedInBrowser,
} from './support/browser.js';

describe.skipIf(chromiumMissing)('the Content page in Chromium', () => {
  let signedIn: SignedInBrowser;

  beforeAll(async () => {
    signedIn = await startSignedInBrowser({
      providers: { local: { type: 'local-gguf', contextSize: 4096 } },
      models: { tiny: { provider: 'local', model: path.join(TEST_MODELS_DIR, TINY_GGUF_BPE_MODEL) } },
      tasks: { chat: ['tiny'] },
    });
  }, 180_000);

  afterAll(async () => {
    await signedIn?.close();
  });

  it('sets up a profile, writes a LinkedIn post, fixes a finding, approves and exports', async () => {
    const { page, server } = signedIn;
    await page.goto(`${server.url}/content`);
    await page.getByRole('heading', { level: 1, name: 'Innehåll' }).waitFor();

    await page.getByLabel('Varumärkets namn').fill('Rosteriet Kaffekvarnen');
    await page.getByLabel('Beskrivning').fill('Ett litet kafferosteri i Göteborg.');
    await page.getByLabel('Rösten med några ord').fill('varm, kunnig');
    await page.getByLabel('Förbjudna ord').fill('billig => prisvärd');
    await page.getByLabel('Fraser som alltid ska med').fill('Rostat i Göteborg');
    await page.getByLabel('Emojier tillåtna').uncheck();
    await page.getByRole('button', { name: 'Spara profilen' }).click();
    await page.getByText('Profilen är sparad.').waitFor();

    await expect(page.getByLabel('Mall', { exact: true }).inputValue()).resolves.toBe('linkedin-post');
    await page.getByLabel('Ämne').fill('Nya bönor från Etiopien');
    await page.getByLabel('Antal varianter').selectOption('1');
    // The tiny model never stops by itself: a small budget keeps the test short.
    await page.getByLabel('Högst antal token per variant').fill('24');
    await page.getByRole('button', { name: 'Skriv varianter' }).click();
    await page.getByRole('button', { name: 'Använd variant 1' }).click({ timeout: 180_000 });

    // Random text never holds the required phrase: the finding is there, with its fix.
    const fix = page.getByRole('button', { name: 'Lägg till frasen sist' });
    await fix.waitFor();
    await screenshot(page, 'content-findings');
    expect(await accessibilityProblems(page)).toEqual([]);
    await fix.click();
    await expect
      .poll(() => page.getByLabel('Text', { exact: true }).inputValue())
      .toMatch(/Rostat i Göteborg$/);
    await expect(page.getByRole('button', { name: 'Lägg till frasen sist' }).count()).resolves.toBe(0);

    await page.getByLabel('Rubrik för granskningen').fill('Etiopien på LinkedIn');
    await page.getByRole('button', { name: 'Spara som utkast' }).click();
    await page.getByRole('heading', { level: 3, name: 'Etiopien på LinkedIn' }).waitFor();
    await page.getByRole('button', { name: 'Skicka till granskning' }).click();
    await page.getByRole('button', { name: 'Godkänn' }).click();
    await page.getByText(/^Godkänd · version 1/).waitFor();

    const href = await page
      .getByRole('link', { name: 'Ladda ned "Etiopien på LinkedIn" som Markdown' })
      .getAttribute('href');
    const exported = await page.evaluate(async (url) => (await fetch(url!)).text(), href);
    expect(exported).toMatch(/Rostat i Göteborg\n$/);
    await screenshot(page, 'content-review');
    expect(await accessibilityProblems(page)).toEqual([]);

    // Comments and versions of the text, under it.
    await page.getByText('Kommentarer och versioner för "Etiopien på LinkedIn"').click();
    await page.getByLabel('Ny kommentar till "Etiopien på LinkedIn"').fill('Fin ton, publicera på tisdag.');
    await page.getByRole('button', { name: 'Kommentera' }).click();
    await page.getByText('Fin ton, publicera på tisdag.').waitFor();

    // A small catalogue in bulk: the columns named like the fields are mapped by themselves.
    await page.getByLabel('Katalog (CSV eller XLSX)').setInputFiles({
      name: 'sortiment.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('Produkt;Egenskaper\nKaffe Etiopien;Fruktigt\nKaffe Brasilien;Nötigt\n', 'latin1'),
    });
    await page.getByText('2 rader lästa (windows-1252), varav 0 trasiga').waitFor();
    await expect(page.getByLabel('Produkt (krävs)').inputValue()).resolves.toBe('Produkt');
    await expect(page.getByLabel('Egenskaper').inputValue()).resolves.toBe('Egenskaper');
    await page.getByRole('button', { name: 'Skriv en text per rad' }).click();
    const download = page.getByRole('link', { name: 'Ladda ned resultatet som CSV' });
    await download.waitFor({ timeout: 180_000 });
    const csvHref = await download.getAttribute('href');
    const csv = await page.evaluate(async (url) => (await fetch(url!)).text(), csvHref);
    expect(csv).toContain('Kaffe Etiopien');
    expect(csv).toContain('Kaffe Brasilien');
    await screenshot(page, 'content-bulk');
    expect(await accessibilityProblems(page)).toEqual([]);

    // The company's own template, with named fields, joins the picker.
    await page.getByLabel('Mallens namn').fill('Veckans kaffe');
    await page.getByLabel('Fält (namn: Etikett, ett per rad)').fill('kaffe: Kaffe\nsmak: Smak');
    await page
      .getByLabel('Uppgift till modellen')
      .fill('Skriv två meningar om {{kaffe}} som smakar {{smak}}.');
    await page.getByRole('button', { name: 'Lägg till mallen' }).click();
    await page.getByText('Mallen Veckans kaffe är tillagd.').waitFor();
    // Both pickers (writing and bulk) offer it.
    await page
      .getByRole('option', { name: /Veckans kaffe/ })
      .first()
      .waitFor({ state: 'attached' });
    expect(await page.getByRole('option', { name: /Veckans kaffe/ }).count()).toBe(2);
  }, 400_000);
});
