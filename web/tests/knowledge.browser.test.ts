/**
 * The Knowledge page in Chromium against the real server, in Swedish: a file dropped on the page
 * and one chosen with the file input are indexed as a job followed live, a web page served by the
 * test is added, the sources show their status and report (with the bad file's error), and the
 * search playground shows the passages with the matched words marked and why they matched.
 * axe-core on the filled page.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessibilityProblems,
  chromiumMissing,
  screenshot,
  startSignedInBrowser,
  type SignedInBrowser,
} from './support/browser.js';

describe.skipIf(chromiumMissing)('the Knowledge page in Chromium', () => {
  let signedIn: SignedInBrowser;
  let site: Server;
  let siteUrl: string;

  beforeAll(async () => {
    site = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(
        '<html><head><title>Öppettider</title></head><body><h1>Öppettider</h1>' +
          '<p>Butiken i Malmö har öppet lördagar 10–15.</p></body></html>',
      );
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/oppettider`;
    signedIn = await startSignedInBrowser({});
  }, 180_000);

  afterAll(async () => {
    await signedIn?.close();
    await new Promise((resolve) => site?.close(resolve));
  });

  it('adds files by drag and drop and by the file input, adds a web page, and searches in Swedish', async () => {
    const { page, server } = signedIn;
    await page.goto(`${server.url}/knowledge`);
    await page.getByRole('heading', { level: 1, name: 'Kunskap' }).waitFor();
    await page.getByText('Inga källor ännu.').waitFor();

    // Drag and drop: a real drop event carrying a file, as the browser sends it.
    await page.getByTestId('knowledge-dropzone').evaluate((zone) => {
      const transfer = new DataTransfer();
      transfer.items.add(
        new File(
          ['# Returer\n\nReturpolicyn ger dig 30 dagars öppet köp. Kundtjänsten hjälper dig.'],
          'retur.md',
          {
            type: 'text/markdown',
          },
        ),
      );
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    });
    await page.getByText('Valda filer: retur.md').waitFor();
    await page.getByRole('button', { name: 'Ladda upp och indexera' }).click();
    await page.getByText('Klart: 1 dokument indexerade, 0 med fel.').waitFor({ timeout: 30_000 });

    // The keyboard way: the file input, here with a file that is not text at all.
    await page.getByLabel('Välj filer').setInputFiles([
      {
        name: 'bild.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1, 2, 0, 0, 3]),
      },
    ]);
    await page.getByRole('button', { name: 'Ladda upp och indexera' }).click();
    await page
      .getByText(/Inget av källans 1 dokument kunde läsas/)
      .first()
      .waitFor({ timeout: 30_000 });

    await page.getByLabel('Adress').fill(siteUrl);
    await page.getByRole('button', { name: 'Lägg till och indexera' }).click();
    await page.getByText('Klart: 1 dokument indexerade, 0 med fel.').nth(0).waitFor({ timeout: 30_000 });

    const table = page.getByRole('table');
    await table.getByRole('rowheader', { name: /retur\.md/ }).waitFor();
    await table.getByRole('rowheader', { name: new RegExp(siteUrl.replace(/[.?]/g, '\\$&')) }).waitFor();
    await page.getByRole('button', { name: 'Rapport för bild.txt' }).click();
    await page.getByRole('heading', { name: 'Rapporten för bild.txt' }).waitFor();
    await expect(
      page
        .getByText(/bild\.txt/)
        .last()
        .textContent(),
    ).resolves.toMatch(/bild\.txt/);

    await page.getByRole('searchbox', { name: 'Sökfråga' }).fill('Hur fungerar retur via kundtjänst?');
    await page.getByRole('button', { name: 'Sök', exact: true }).click();
    const results = page.getByRole('list', { name: 'Träffar' });
    await results.waitFor();
    await expect(results.getByRole('heading').first().textContent()).resolves.toContain('Returer');
    const marked = await results.locator('mark').allTextContents();
    expect(marked).toEqual(expect.arrayContaining(['Returpolicyn', 'Kundtjänsten']));
    await results.getByText('Varför den träffade').first().click();
    await results
      .getByText(/Ordsökning: plats 1/)
      .first()
      .waitFor();

    await page.getByRole('searchbox', { name: 'Sökfråga' }).fill('öppet i Malmö på lördag');
    await page.getByRole('button', { name: 'Sök', exact: true }).click();
    await page.getByText('Butiken i Malmö har öppet').first().waitFor();

    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'knowledge');
  }, 120_000);

  it('says in words why an upload past 100 MB is refused and what to do instead', async () => {
    const { page, server } = signedIn;
    await page.goto(`${server.url}/knowledge`);
    await page.getByRole('heading', { level: 1, name: 'Kunskap' }).waitFor();
    await page.getByTestId('knowledge-dropzone').evaluate((zone) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(101 * 1024 * 1024)], 'arkiv.txt', { type: 'text/plain' }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    });
    await page.getByText('Valda filer: arkiv.txt').waitFor();
    await page.getByRole('button', { name: 'Ladda upp och indexera' }).click();
    const refusal = page.getByText(/Uppladdningen är större än gränsen på 100 MB/);
    await refusal.waitFor({ timeout: 60_000 });
    await expect(refusal.textContent()).resolves.toContain('polett kb add <sökväg>');
    // Nothing was stored, and the page goes on working.
    await page.getByRole('searchbox', { name: 'Sökfråga' }).fill('retur');
    await page.getByRole('button', { name: 'Sök', exact: true }).click();
    await page.getByRole('list', { name: 'Träffar' }).waitFor();
  }, 120_000);
});
