/**
 * Insights over HTTP, in memory (`app.request`), with the real job worker: upload → preview →
 * confirm → import job → analysis job → summary, trends, rows and export; pushed feedback, the
 * signed inbound webhook, settings, and who may do what.
 */
import { createHmac } from 'node:crypto';
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
});
