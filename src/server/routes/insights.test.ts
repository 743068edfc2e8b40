/**
 * Insights over HTTP, in memory (`app.request`), with the real job worker: upload → preview →
 * confirm → import job → analysis job → summary, trends, rows and export; pushed feedback, the
 * signed inbound webhook, settings, and who may do what.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildPlatformServer,
  buildSession,
  buildUser,
  buildWorkspace,
  type BuiltSession,
} from '../../../test-support/builders.js';
import { waitForJobEnd } from '../../../test-support/job-builders.js';
import { openInsightsStore } from '../../insights/index.js';
import type { importPreviewSchema, rowsSchema, summarySchema } from '../../insights/schemas.js';
import type { z } from 'zod';

let server: ReturnType<typeof buildPlatformServer>;
let owner: BuiltSession;
let viewer: BuiltSession;
let workspaceId: string;
let base: string;

beforeAll(async () => {
  server = buildPlatformServer();
  const ownerUser = await buildUser(server.platform);
  const viewerUser = await buildUser(server.platform);
  const workspace = buildWorkspace(server.platform, {
    owner: ownerUser,
    members: [{ user: viewerUser, role: 'viewer' }],
  });
  workspaceId = workspace.id;
  owner = buildSession(server.platform, ownerUser);
  viewer = buildSession(server.platform, viewerUser);
  base = `/api/workspaces/${workspace.id}/insights`;
  server.polett.startWorkers({ concurrency: 1 });
});
afterAll(() => server.close());

const FILE = [
  'id,kommentar,datum,betyg,källa',
  '1,Snabb leverans och mycket trevlig personal!,2024-03-04,5,Google',
  '2,Leveransen var försenad och kundtjänsten svarade inte.,2024-03-05,1,Trustpilot',
  '3,,2024-03-05,3,Google',
  '4,Bra priser men lång kö.,5 mars 2024,4,Google',
  '2,Samma id igen,2024-03-06,2,Trustpilot',
].join('\n');

async function json<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

describe('insights over HTTP', () => {
  it('imports with a preview and a confirmed mapping, analyses, and answers summary, trends, rows and exports', async () => {
    const uploaded = await server.app.request(`${base}/imports?fileName=omdomen.csv`, {
      method: 'POST',
      headers: { ...owner.writeHeaders, 'content-type': 'text/csv' },
      body: FILE,
    });
    expect(uploaded.status).toBe(201);
    const preview = await json<z.infer<typeof importPreviewSchema>>(uploaded);
    expect(preview).toMatchObject({
      format: 'csv',
      encoding: 'utf-8',
      mapping: { text: 'kommentar', date: 'datum', rating: 'betyg', source: 'källa', id: 'id' },
    });

    const confirmed = await server.app.request(`${base}/imports/${preview.id}/confirm`, {
      method: 'POST',
      headers: owner.writeHeaders,
      body: JSON.stringify({ mapping: { ...preview.mapping, text: 'kommentar' } }),
    });
    expect(confirmed.status).toBe(202);
    const { jobId } = await json<{ jobId: string }>(confirmed);
    expect((await waitForJobEnd(server.polett.jobs, jobId, 20_000)).state).toBe('succeeded');
    const record = await json<{
      state: string;
      report: { imported: number; duplicates: number; problems: Array<{ line: number }> };
    }>(await server.app.request(`${base}/imports/${preview.id}`, { headers: viewer.headers }));
    expect(record).toMatchObject({
      state: 'done',
      report: { imported: 3, duplicates: 1, problems: [{ line: 4 }] },
    });
    const again = await server.app.request(`${base}/imports/${preview.id}/confirm`, {
      method: 'POST',
      headers: owner.writeHeaders,
      body: JSON.stringify({ mapping: { text: 'kommentar' } }),
    });
    expect(again.status).toBe(409);

    const analysis = await server.app.request(`${base}/analyses`, {
      method: 'POST',
      headers: owner.writeHeaders,
      body: '{}',
    });
    expect(analysis.status).toBe(202);
    expect(
      (await waitForJobEnd(server.polett.jobs, (await json<{ jobId: string }>(analysis)).jobId, 20_000))
        .state,
    ).toBe('succeeded');

    const summary = await json<z.infer<typeof summarySchema>>(
      await server.app.request(`${base}/summary`, { headers: viewer.headers }),
    );
    expect(summary.total).toBe(3);
    expect(summary.sentiment.negative).toBeGreaterThanOrEqual(1);
    expect(summary.aspects.map((row) => row.aspect)).toEqual(
      expect.arrayContaining(['leverans', 'personal']),
    );

    const trends = await json<{ points: Array<{ period: string; group: string | null; count: number }> }>(
      await server.app.request(`${base}/trends?bucket=day&groupBy=source`, { headers: viewer.headers }),
    );
    expect(trends.points).toEqual(
      expect.arrayContaining([expect.objectContaining({ period: '2024-03-05', group: 'Google', count: 1 })]),
    );

    const negativeDelivery = await json<z.infer<typeof rowsSchema>>(
      await server.app.request(`${base}/rows?aspect=leverans&aspectSentiment=negative`, {
        headers: viewer.headers,
      }),
    );
    expect(negativeDelivery.total).toBe(1);
    expect(negativeDelivery.rows[0]).toMatchObject({
      sentiment: 'negative',
      source: 'Trustpilot',
      sentimentModel: 'lexicon-sv-en',
    });

    const csv = await server.app.request(`${base}/export?format=csv&source=Google`, {
      headers: viewer.headers,
    });
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const csvBytes = new Uint8Array(await csv.arrayBuffer());
    // A byte-order mark first, so that Excel reads the UTF-8 as UTF-8.
    expect([...csvBytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const csvText = new TextDecoder().decode(csvBytes);
    expect(csvText.split('\n')[0]).toBe(
      'id,text,date,source,author,rating,language,sentiment,sentiment_score,sentiment_model,topic,aspects',
    );
    expect(csvText).toContain('Snabb leverans och mycket trevlig personal!');
    expect(csvText).not.toContain('Trustpilot');

    const xlsx = await server.app.request(`${base}/export?format=xlsx`, { headers: viewer.headers });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await xlsx.arrayBuffer());
    expect(workbook.worksheets[0]!.rowCount).toBe(4);
    expect(workbook.worksheets[0]!.getRow(1).getCell(2).value).toBe('text');
  }, 60_000);

  it('takes pushed feedback, and a signed webhook only with a valid signature', async () => {
    const pushed = await server.app.request(`${base}/feedback`, {
      method: 'POST',
      headers: owner.writeHeaders,
      body: JSON.stringify({
        items: [
          { text: 'Hej, bra service!', source: 'formulär', id: 'f-1' },
          { text: '' },
          { text: 'Hej, bra service!', id: 'f-1' },
        ],
      }),
    });
    expect(await json(pushed)).toMatchObject({
      received: 3,
      inserted: 1,
      duplicates: 1,
      problems: [{ line: 2, kind: 'skipped' }],
    });
    const refused = await server.app.request(`${base}/feedback`, {
      method: 'POST',
      headers: viewer.writeHeaders,
      body: JSON.stringify({ items: [{ text: 'x' }] }),
    });
    expect(refused.status).toBe(403);

    const body = JSON.stringify({ items: [{ text: 'Från webhooken: leveransen kom fort', id: 'w-1' }] });
    const unsigned = await server.app.request(`/hooks/insights/${workspaceId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(unsigned.status).toBe(403);
    const { secret } = await json<{ secret: string }>(
      await server.app.request(`${base}/settings/inbound-secret`, {
        method: 'POST',
        headers: owner.writeHeaders,
      }),
    );
    const timestamp = Math.floor(Date.now() / 1000);
    const sign = (key: string) =>
      `sha256=${createHmac('sha256', key).update(`${timestamp}.${body}`).digest('hex')}`;
    const wrong = await server.app.request(`/hooks/insights/${workspaceId}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-polett-timestamp': String(timestamp),
        'x-polett-signature': sign('fel'),
      },
      body,
    });
    expect(wrong.status).toBe(403);
    expect((await json<{ error: { code: string } }>(wrong)).error.code).toBe(
      'insights_webhook_signature_invalid',
    );
    const signed = await server.app.request(`/hooks/insights/${workspaceId}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-polett-timestamp': String(timestamp),
        'x-polett-signature': sign(secret),
      },
      body,
    });
    expect(signed.status).toBe(200);
    expect(await json(signed)).toMatchObject({ inserted: 1 });
  });

  it('edits the aspect list and the alert webhook (secret shown once), for managers only', async () => {
    const updated = await server.app.request(`${base}/settings`, {
      method: 'PUT',
      headers: owner.writeHeaders,
      body: JSON.stringify({
        aspects: [{ name: 'parkering', keywords: ['parkering', 'p-plats'] }],
        alertWebhookUrl: 'https://example.se/larm',
      }),
    });
    expect(updated.status).toBe(200);
    const body = await json<{
      aspects: Array<{ name: string }>;
      alertWebhookUrl: string;
      alertWebhookSecret?: string;
    }>(updated);
    expect(body.aspects.map((aspect) => aspect.name)).toEqual(['parkering']);
    expect(body.alertWebhookSecret).toMatch(/^whsec_/);
    const read = await json<Record<string, unknown>>(
      await server.app.request(`${base}/settings`, { headers: viewer.headers }),
    );
    expect(read).not.toHaveProperty('alertWebhookSecret');
    const denied = await server.app.request(`${base}/settings`, {
      method: 'PUT',
      headers: viewer.writeHeaders,
      body: '{}',
    });
    expect(denied.status).toBe(403);
  });
  it('refuses an aspect list that names one aspect twice, with the name to change', async () => {
    const refused = await server.app.request(`${base}/settings`, {
      method: 'PUT',
      headers: owner.writeHeaders,
      body: JSON.stringify({
        aspects: [
          { name: 'Leverans', keywords: ['leverans'] },
          { name: 'leverans', keywords: ['frakt'] },
        ],
      }),
    });
    expect(refused.status).toBe(400);
    const { error } = await json<{ error: { code: string; message: string; field: string } }>(refused);
    expect(error).toMatchObject({ code: 'insights_aspect_duplicate', field: 'aspects' });
    expect(error.message).toContain('The aspect "leverans" is listed twice');
  });

  it('sends a signed test alert to the webhook, rotates its secret, and names a receiver that refuses', async () => {
    const received: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
    let answer = 204;
    const receiver = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        response.writeHead(answer).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/larm`;
    try {
      const post = (path: string, session = owner) =>
        server.app.request(`${base}${path}`, { method: 'POST', headers: session.writeHeaders });
      await server.app.request(`${base}/settings`, {
        method: 'PUT',
        headers: owner.writeHeaders,
        body: JSON.stringify({ alertWebhookUrl: null }),
      });
      const early = await post('/settings/alert-test');
      expect(early.status).toBe(409);
      expect((await json<{ error: { code: string } }>(early)).error.code).toBe(
        'insights_alert_webhook_missing',
      );

      const { alertWebhookSecret } = await json<{ alertWebhookSecret: string }>(
        await server.app.request(`${base}/settings`, {
          method: 'PUT',
          headers: owner.writeHeaders,
          body: JSON.stringify({ alertWebhookUrl: url }),
        }),
      );
      const tested = await post('/settings/alert-test');
      expect(tested.status).toBe(200);
      expect(await json(tested)).toMatchObject({
        status: 204,
        eventId: expect.stringMatching(/^insights-test-/),
      });
      const [first] = received;
      const signature = (secret: string, delivery: (typeof received)[number]) =>
        `sha256=${createHmac('sha256', secret)
          .update(`${String(delivery.headers['x-polett-timestamp'])}.${delivery.body}`)
          .digest('hex')}`;
      expect(first!.headers['x-polett-signature']).toBe(signature(alertWebhookSecret, first!));
      expect(JSON.parse(first!.body)).toMatchObject({ type: 'insights.test', workspaceId });

      expect((await post('/settings/alert-secret', viewer)).status).toBe(403);
      expect((await post('/settings/alert-test', viewer)).status).toBe(403);
      const rotated = await post('/settings/alert-secret');
      expect(rotated.status).toBe(201);
      const { secret } = await json<{ secret: string }>(rotated);
      expect(secret).toMatch(/^whsec_/);
      expect(secret).not.toBe(alertWebhookSecret);
      await post('/settings/alert-test');
      expect(received[1]!.headers['x-polett-signature']).toBe(signature(secret, received[1]!));
      // The URL unchanged keeps the new secret; nothing about it is readable afterwards.
      const read = await json<Record<string, unknown>>(
        await server.app.request(`${base}/settings`, { headers: owner.headers }),
      );
      expect(JSON.stringify(read)).not.toContain(secret);

      answer = 410;
      const refused = await server.app.request(`${base}/settings/alert-test`, {
        method: 'POST',
        headers: { ...owner.writeHeaders, 'accept-language': 'en' },
      });
      expect(refused.status).toBe(400);
      const { error } = await json<{ error: { code: string; message: string } }>(refused);
      expect(error.code).toBe('insights_alert_webhook_failed');
      expect(error.message).toContain('refused the event (HTTP 410)');
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('acknowledges an alert once, for editors, and it stays acknowledged', async () => {
    const scope = openInsightsStore(server.polett.storage.database).forWorkspace(workspaceId);
    const alert = scope.raiseAlert({
      metric: 'negative:aspect:leverans',
      periodStart: '2024-05-02',
      value: 14,
      expected: 1,
      robustZ: 8.1,
      message: { sv: 'Leveransen larmar', en: 'Delivery alarms' },
    })!;
    const acknowledge = (id: string, session = owner) =>
      server.app.request(`${base}/alerts/${id}/acknowledge`, {
        method: 'POST',
        headers: session.writeHeaders,
      });
    expect((await acknowledge(alert.id, viewer)).status).toBe(403);
    expect((await acknowledge('finns-inte')).status).toBe(404);
    expect((await acknowledge(alert.id)).status).toBe(204);
    const listed = async () =>
      (
        await json<{ alerts: Array<{ id: string; acknowledgedAt: string | null }> }>(
          await server.app.request(`${base}/alerts`, { headers: viewer.headers }),
        )
      ).alerts.find((candidate) => candidate.id === alert.id)!;
    const { acknowledgedAt } = await listed();
    expect(acknowledgedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    // A second acknowledgement keeps the first time.
    expect((await acknowledge(alert.id)).status).toBe(204);
    expect((await listed()).acknowledgedAt).toBe(acknowledgedAt);
    const summary = await json<z.infer<typeof summarySchema>>(
      await server.app.request(`${base}/summary`, { headers: viewer.headers }),
    );
    expect(summary.alerts.find((candidate) => candidate.id === alert.id)?.acknowledgedAt).toBe(
      acknowledgedAt,
    );
  });

  it('documents the settings, webhook and acknowledgement routes in /openapi.json', async () => {
    const document = (await (await server.app.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown> };
    };
    const insights = '/api/workspaces/{workspaceId}/insights';
    for (const path of ['/settings/alert-secret', '/settings/alert-test', '/alerts/{alertId}/acknowledge'])
      expect(Object.keys(document.paths[`${insights}${path}`] ?? {})).toEqual(['post']);
    expect(Object.keys(document.paths[`${insights}/settings`] ?? {}).sort()).toEqual(['get', 'put']);
    expect(document.components.schemas).toHaveProperty('InsightsTestDelivery');
  });

  it('shows the alert webhook path (often a secret of its own) to managers only', async () => {
    await server.app.request(`${base}/settings`, {
      method: 'PUT',
      headers: owner.writeHeaders,
      body: JSON.stringify({ alertWebhookUrl: 'https://hooks.example.se/services/T0/B0/hemlig-nyckel' }),
    });
    const asViewer = await json<{ alertWebhookUrl: string | null }>(
      await server.app.request(`${base}/settings`, { headers: viewer.headers }),
    );
    expect(asViewer.alertWebhookUrl).toBe('https://hooks.example.se');
    const asOwner = await json<{ alertWebhookUrl: string | null }>(
      await server.app.request(`${base}/settings`, { headers: owner.headers }),
    );
    expect(asOwner.alertWebhookUrl).toBe('https://hooks.example.se/services/T0/B0/hemlig-nyckel');
  });

  it('refuses an alert webhook at a link-local address or not over HTTP(S) when it is saved', async () => {
    for (const address of ['http://169.254.169.254/latest/meta-data', 'ftp://example.se/larm']) {
      const refused = await server.app.request(`${base}/settings`, {
        method: 'PUT',
        headers: { ...owner.writeHeaders, 'accept-language': 'sv' },
        body: JSON.stringify({ alertWebhookUrl: address }),
      });
      expect(refused.status).toBe(400);
      const { error } = await json<{ error: { code: string; field: string; message: string } }>(refused);
      expect(error).toMatchObject({ code: 'insights_alert_webhook_address', field: 'alertWebhookUrl' });
      expect(error.message).toContain(address);
    }
  });

  it('does not promise a retry when a test alert fails: the test is sent once', async () => {
    const receiver = createServer((_request, response) => response.writeHead(503).end());
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      await server.app.request(`${base}/settings`, {
        method: 'PUT',
        headers: owner.writeHeaders,
        body: JSON.stringify({
          alertWebhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/larm`,
        }),
      });
      for (const [language, promise] of [
        ['en', 'tries again'],
        ['sv', 'försöker igen'],
      ] as const) {
        const failed = await server.app.request(`${base}/settings/alert-test`, {
          method: 'POST',
          headers: { ...owner.writeHeaders, 'accept-language': language },
        });
        expect(failed.status).toBe(502);
        const { error } = await json<{ error: { code: string; message: string } }>(failed);
        expect(error.code).toBe('insights_alert_webhook_failed');
        expect(error.message).toContain('HTTP 503');
        expect(error.message).not.toContain(promise);
      }
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});
