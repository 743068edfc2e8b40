/**
 * The Insights page in Chromium against the real server, in Swedish: a review file built to have
 * a spike is chosen with the file input, previewed, its columns confirmed once, imported and
 * analysed as jobs followed live; the dashboard shows the charts and the spike alert, a heatmap
 * cell drills down to its quotes with a "Skriv ett svar" hand-over to Content; axe-core is clean.
 * A file past the upload limit (set small here) gets the server's sentence naming the limit and
 * `polett insights import`. Then the settings: the aspect list edited, the alert webhook set (its
 * secret shown once, a test delivery checked at a real receiver, the secret replaced only after a
 * confirmation), and the alerts acknowledged for good with the keyboard, focus moving on each time.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
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

const UPLOAD_LIMIT_BYTES = 64 * 1024;

describe.skipIf(chromiumMissing)('the Insights page in Chromium', () => {
  let signedIn: SignedInBrowser;

  beforeAll(async () => {
    // A small upload limit, so that a file past it is quick to make and send.
    signedIn = await startSignedInBrowser({ server: { feedbackUploadLimitBytes: UPLOAD_LIMIT_BYTES } });
  }, 180_000);

  afterAll(async () => {
    await signedIn?.close();
  });

  it('imports a file with a spike, shows the dashboard and the alert, and drills down to quotes', async () => {
    const { page, server } = signedIn;
    await page.goto(`${server.url}/insights`);
    await page.getByRole('heading', { level: 1, name: 'Insikter' }).waitFor();
    await page.getByText('Ingen feedback ännu.').waitFor();

    // Past the upload limit: the server's sentence, naming the limit and the way out.
    const fileInput = page.getByLabel('Fil (CSV, TSV, JSON, JSONL eller XLSX)');
    const tooLarge = `id,omdöme\n${'1,Bra service och snabb leverans\n'.repeat(UPLOAD_LIMIT_BYTES / 16)}`;
    await fileInput.setInputFiles([
      { name: 'for-stor.csv', mimeType: 'text/csv', buffer: Buffer.from(tooLarge, 'utf8') },
    ]);
    await page.getByRole('button', { name: 'Förhandsgranska' }).click();
    await page
      .getByText(
        'Filen är större än gränsen på 64 KB för feedbackfiler som skickas via webben; läs in den direkt på servern med `polett insights import <fil>`, eller dela upp den i mindre filer.',
      )
      .waitFor();

    await fileInput.setInputFiles([
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
  // Runs after the import above: the spike alert it raised is the one acknowledged here.
  it('edits the aspects, sets the alert webhook with a test delivery, and acknowledges the spike alert', async () => {
    const { page, server } = signedIn;
    const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
    const receiver = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        response.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/larm`;
    try {
      await page.goto(`${server.url}/insights`);
      await page.getByRole('heading', { name: 'Inställningar för insikter' }).waitFor();

      // The aspects: the defaults are listed; one removed, one added with its keywords.
      await expect(page.getByLabel('Namn på aspekt 1').inputValue()).resolves.toBe('pris');
      await page.getByRole('button', { name: 'Ta bort webbplats' }).click();
      await page.getByRole('button', { name: 'Lägg till en aspekt' }).click();
      await page.getByRole('button', { name: 'Spara aspekterna' }).click();
      await page.getByText('Aspekt 6 saknar namn; skriv ett namn eller ta bort den.').waitFor();
      await page.getByLabel('Namn på aspekt 6').fill('parkering');
      await page.getByLabel('Nyckelord för parkering').fill('parkering, p');
      await page.getByRole('button', { name: 'Spara aspekterna' }).click();
      await page
        .getByText(
          'Nyckelordet "p" i aspekten "parkering" är för kort; skriv minst två tecken eller ta bort det.',
        )
        .waitFor();
      await page.getByLabel('Nyckelord för parkering').fill('parkering, p-plats, garage');
      await page.getByRole('button', { name: 'Spara aspekterna' }).click();
      await page.getByText('Aspekterna är sparade.').waitFor();

      // The webhook: an address that is not one is refused on the page; a real one gets a secret, once.
      const address = page.getByLabel('Webhookens adress (https://…)');
      await address.fill('larm.example.se');
      await page.getByRole('button', { name: 'Spara adressen' }).click();
      await page.getByText('Skriv en hel adress som börjar med https:// eller http://.').waitFor();
      await address.fill(receiverUrl);
      await page.getByRole('button', { name: 'Spara adressen' }).click();
      await page.getByText('Signeringshemligheten visas bara nu.', { exact: false }).waitFor();
      const secret = (await page.getByTestId('insights-webhook-secret').textContent()) ?? '';
      expect(secret).toMatch(/^whsec_/);
      await page.getByRole('button', { name: 'Skicka ett testlarm' }).click();
      await page.getByText('Mottagaren tog emot testlarmet (HTTP 200).').waitFor();
      const [delivery] = received;
      const timestamp = String(delivery!.headers['x-polett-timestamp']);
      expect(delivery!.headers['x-polett-signature']).toBe(
        `sha256=${createHmac('sha256', secret).update(`${timestamp}.${delivery!.body}`).digest('hex')}`,
      );
      expect(JSON.parse(delivery!.body)).toMatchObject({ type: 'insights.test' });

      // Replacing the secret asks first: "no" (or Escape) keeps it, "yes" replaces it at once.
      const rotate = page.getByRole('button', { name: 'Byt hemlighet' });
      const focusedName = () =>
        page.evaluate(() => {
          const focused = document.activeElement as HTMLElement | null;
          return focused?.getAttribute('aria-label') ?? focused?.textContent ?? '';
        });
      await rotate.click();
      const question = page.getByRole('group', {
        name: /^Byta hemligheten nu\? Den gamla slutar gälla direkt/,
      });
      await question.waitFor();
      await expect(focusedName()).resolves.toBe('Nej, behåll den nuvarande');
      await page.keyboard.press('Enter');
      await expect(question.count()).resolves.toBe(0);
      await expect(focusedName()).resolves.toBe('Byt hemlighet');
      await page.keyboard.press('Enter');
      await question.waitFor();
      await page.keyboard.press('Escape');
      await expect(question.count()).resolves.toBe(0);
      await expect(page.getByTestId('insights-webhook-secret').textContent()).resolves.toBe(secret);
      await rotate.click();
      await question.waitFor();
      expect(await accessibilityProblems(page)).toEqual([]);
      await screenshot(page, 'insights-secret-confirm');
      await page.getByRole('button', { name: 'Ja, byt hemligheten' }).click();
      await expect.poll(() => page.getByTestId('insights-webhook-secret').textContent()).not.toBe(secret);
      const replaced = (await page.getByTestId('insights-webhook-secret').textContent()) ?? '';
      expect(replaced).toMatch(/^whsec_/);
      await expect(focusedName()).resolves.toMatch(/^Signeringshemligheten visas bara nu/);
      await page.getByRole('button', { name: 'Skicka ett testlarm' }).click();
      await expect.poll(() => received.length).toBe(2);
      const second = received[1]!;
      expect(second.headers['x-polett-signature']).toBe(
        `sha256=${createHmac('sha256', replaced)
          .update(`${String(second.headers['x-polett-timestamp'])}.${second.body}`)
          .digest('hex')}`,
      );

      // The spike alert from the import, acknowledged with the keyboard.
      const openCount = async () =>
        Number(
          /^(\d+) okvitterade larm$/.exec(
            (await page.getByText(/^\d+ okvitterade larm$/).textContent()) ?? '',
          )?.[1],
        );
      const before = await openCount();
      expect(before).toBeGreaterThanOrEqual(1);
      const acknowledge = page.getByRole('button', {
        name: /^Kvittera larmet: Negativa omnämnanden av leverans ökade kraftigt 2024-03-31/,
      });
      await acknowledge.focus();
      await page.keyboard.press('Enter');
      await page
        .getByText(/^Kvitterat /)
        .first()
        .waitFor();
      await page.getByText(`${before - 1} okvitterade larm`).waitFor();
      // Focus goes on to the next open alert, so Enter acknowledges one after the other; with
      // none left it rests on the count, not on the page's top.
      for (let open = before - 1; open > 0; open -= 1) {
        await expect(focusedName()).resolves.toMatch(/^Kvittera larmet: /);
        await page.keyboard.press('Enter');
        await page.getByText(`${open - 1} okvitterade larm`).waitFor();
      }
      await expect(focusedName()).resolves.toBe('0 okvitterade larm');
      expect(await accessibilityProblems(page)).toEqual([]);
      await screenshot(page, 'insights-settings');

      // All of it kept: after a reload the aspects, the address and the acknowledgement are still there.
      await page.reload();
      await page.getByText('0 okvitterade larm').waitFor({ timeout: 30_000 });
      await expect(page.getByLabel('Namn på aspekt 6').inputValue()).resolves.toBe('parkering');
      await expect(page.getByLabel('Nyckelord för parkering').inputValue()).resolves.toBe(
        'parkering, p-plats, garage',
      );
      await expect(page.getByRole('button', { name: 'Ta bort webbplats' }).count()).resolves.toBe(0);
      await expect(address.inputValue()).resolves.toBe(receiverUrl);
      await expect(page.getByTestId('insights-webhook-secret').count()).resolves.toBe(0);
      await expect(
        page.getByRole('button', { name: /^Kvittera larmet: Negativa omnämnanden av leverans/ }).count(),
      ).resolves.toBe(0);
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  }, 90_000);
});
