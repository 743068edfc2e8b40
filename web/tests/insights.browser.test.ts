/**
 * The Insights page in Chromium against the real server, in Swedish: a review file built to have
 * a spike is chosen with the file input, previewed, its columns confirmed once, imported and
 * analysed as jobs followed live; the dashboard shows the charts and the spike alert, a heatmap
 * cell drills down to its quotes with a "Skriv ett svar" hand-over to Content; axe-core is clean.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessibilityProblems,
  chromiumMissing,
  screenshot,
  startSignedInBrowser,
  type SignedInBrowser,
} from './support/browser.js';

/** 30 calm days of reviews from two sources, then a day when deliveries went wrong. */
function reviewsWithSpike(): string {
  const lines = ['id,omdöme,datum,betyg,källa'];
  let id = 0;
  for (let day = 0; day < 30; day += 1) {
    const date = new Date(Date.UTC(2024, 2, 1 + day)).toISOString().slice(0, 10);
    lines.push(`${(id += 1)},Trevlig personal och bra priser,${date},5,Google`);
    lines.push(`${(id += 1)},"Snabb leverans, tack!",${date},4,Trustpilot`);
    if (day % 3 === 0) lines.push(`${(id += 1)},Leveransen var försenad,${date},2,Trustpilot`);
  }
  for (let index = 0; index < 20; index += 1)
    lines.push(`${(id += 1)},"Leveransen kom aldrig, dålig service (${index})",2024-03-31,1,Trustpilot`);
  lines.push(`${(id += 1)},,2024-03-31,3,Google`);
  return lines.join('\n');
}

describe.skipIf(chromiumMissing)('the Insights page in Chromium', () => {
  let signedIn: SignedInBrowser;

  beforeAll(async () => {
    signedIn = await startSignedInBrowser({});
  }, 180_000);

  afterAll(async () => {
    await signedIn?.close();
  });

  it('imports a file with a spike, shows the dashboard and the alert, and drills down to quotes', async () => {
    const { page, server } = signedIn;
    await page.goto(`${server.url}/insights`);
    await page.getByRole('heading', { level: 1, name: 'Insikter' }).waitFor();
    await page.getByText('Ingen feedback ännu.').waitFor();

    await page
      .getByLabel('Fil (CSV, TSV, JSON, JSONL eller XLSX)')
      .setInputFiles([
        { name: 'omdomen.csv', mimeType: 'text/csv', buffer: Buffer.from(reviewsWithSpike(), 'utf8') },
      ]);
    await page.getByRole('button', { name: 'Förhandsgranska' }).click();
    await page.getByText(/CSV, utf-8\. Kontrollera kolumnerna/).waitFor();
    await expect(page.getByLabel('Text', { exact: true }).inputValue()).resolves.toBe('omdöme');
    await expect(page.getByLabel('Datum', { exact: true }).inputValue()).resolves.toBe('datum');
    await page.getByRole('button', { name: 'Läs in och analysera' }).click();

    await page
      .getByText('90 rader inlästa, 0 dubbletter hoppades över, 1 felaktiga rader.')
      .waitFor({ timeout: 30_000 });
    await page.getByText(/Rad 92: Raden har ingen text/).waitFor();
    await page
      .getByText(/Negativa omnämnanden av leverans ökade kraftigt 2024-03-31/)
      .waitFor({ timeout: 30_000 });
    await page.getByText(/90 texter · \d+ % positiva · \d+ % negativa/).waitFor();
    await page.getByRole('img', { name: 'Känsla över tid (per vecka)' }).waitFor();
    await page.getByRole('img', { name: 'Ämnen (hittade genom klustring)' }).waitFor();
    await page.getByRole('button', { name: 'Spara diagrammet som PNG' }).first().waitFor();

    await page
      .getByRole('button', { name: /^leverans, negativa: \d+\. Visa citaten$/ })
      .last()
      .click();
    await page.getByRole('heading', { name: 'Citat' }).waitFor();
    await page.getByText(/Visar 20 av \d+: leverans: negativa/).waitFor();
    const reply = page.getByRole('link', { name: 'Skriv ett svar' }).first();
    await expect(reply.getAttribute('href')).resolves.toMatch(/^\/content\?reply=[0-9a-f-]{36}$/);

    // The chart as a PNG: Chart.js draws it, the button hands it over as a download.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Spara diagrammet som PNG' }).first().click(),
    ]);
    expect(download.suggestedFilename()).toBe('kansla-over-tid.png');

    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'insights');
  }, 120_000);
});
