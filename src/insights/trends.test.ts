/**
 * Trends and spike alerts on analysed feedback built to have a spike: the robust detector finds
 * the day, the alert is stored once, and a signed webhook reaches a real local receiver.
 */
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startWorkers } from '../jobs/index.js';
import { openInsightsStore, type NewFeedback } from './feedback-store.js';
import { INSIGHTS_ALERT_WEBHOOK_JOB, INSIGHTS_ANALYZE_JOB, insightsJobHandlers } from './insights-jobs.js';
import {
  buildInsightsDatabase,
  buildInsightsWorkspace,
  waitForJob,
  waitUntil,
} from './testing/insights-builders.js';
import { comparePeriods, detectSpikes, timeSeries } from './trends.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function row(text: string, day: number, index: number, source = 'Trustpilot'): NewFeedback {
  return {
    externalId: null,
    contentHash: `${day}-${index}-${text}`,
    text,
    occurredAt: new Date(Date.UTC(2024, 2, 1 + day, 12)).toISOString(),
    rating: null,
    source,
    author: null,
    label: null,
    fields: {},
    importId: null,
    importLine: null,
  };
}

/** 30 ordinary days, then a day when deliveries went wrong. */
export function feedbackWithDeliverySpike(): NewFeedback[] {
  const rows: NewFeedback[] = [];
  for (let day = 0; day < 30; day += 1) {
    rows.push(
      row('Trevlig personal och bra priser.', day, 0),
      row('Snabb leverans, tack!', day, 1, 'Google'),
    );
    if (day % 3 === 0) rows.push(row('Leveransen var försenad.', day, 2));
  }
  for (let index = 0; index < 20; index += 1)
    rows.push(row(`Leveransen kom aldrig, dålig service (${index}).`, 30, 10 + index));
  return rows;
}

describe('spike detection', () => {
  it('flags a jump far outside the rolling median and MAD, and not ordinary noise or small counts', () => {
    const ordinary = [3, 4, 2, 5, 3, 4, 3, 4, 2, 3];
    expect(detectSpikes([...ordinary, 4])).toEqual([]);
    const [spike] = detectSpikes([...ordinary, 19]);
    expect(spike).toMatchObject({ index: 10, value: 19, expected: 3 });
    expect(spike!.robustZ).toBeGreaterThan(3.5);
    // From a flat zero baseline, two complaints are not an alarm; eight are.
    expect(detectSpikes([0, 0, 0, 0, 0, 0, 0, 2])).toEqual([]);
    expect(detectSpikes([0, 0, 0, 0, 0, 0, 0, 8])).toHaveLength(1);
  });
});

describe('trends and alerts', () => {
  it('raises an alert for the spike, stores it once and sends it by signed webhook', async () => {
    const received: Array<{ headers: Record<string, string | string[] | undefined>; body: string }> = [];
    let failFirst = true;
    const receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        // The first delivery fails: the job's retry must bring it.
        if (failFirst) {
          failFirst = false;
          response.writeHead(503).end();
          return;
        }
        received.push({ headers: request.headers, body });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

    const built = buildInsightsDatabase();
    cleanups.push(() => built.close());
    const workspace = buildInsightsWorkspace(built.storage);
    const scope = openInsightsStore(built.storage.database).forWorkspace(workspace.id);
    scope.insertFeedback(feedbackWithDeliverySpike());
    scope.updateSettings({ alertWebhookUrl: url, alertWebhookSecret: 'whsec_test' });
    const workers = startWorkers({
      queue: built.queue,
      handlers: insightsJobHandlers({ database: built.storage.database, jobs: built.queue }),
      pollIntervalMs: 20,
      backoff: { baseMs: 50, jitter: false },
    });
    cleanups.push(() => workers.stop({ timeoutMs: 1000 }));

    const job = await built.queue.enqueue({
      type: INSIGHTS_ANALYZE_JOB,
      input: {},
      workspaceId: workspace.id,
    });
    const final = await waitForJob(built.queue, job.id);
    expect(final.state).toBe('succeeded');
    const alerts = scope.listAlerts();
    expect(alerts.map((alert) => [alert.metric, alert.periodStart])).toEqual(
      expect.arrayContaining([
        ['negative', '2024-03-31'],
        ['negative:aspect:leverans', '2024-03-31'],
      ]),
    );
    expect(alerts.find((alert) => alert.metric === 'negative:aspect:leverans')!.message.sv).toMatch(
      /Negativa omnämnanden av leverans ökade kraftigt 2024-03-31/,
    );

    // Analysing again raises nothing new.
    const again = await built.queue.enqueue({
      type: INSIGHTS_ANALYZE_JOB,
      input: {},
      workspaceId: workspace.id,
    });
    expect((await waitForJob(built.queue, again.id)).result).toMatchObject({ alertsRaised: 0 });
    expect(scope.listAlerts()).toHaveLength(alerts.length);

    await waitUntil(() => received.length >= alerts.length, {
      timeoutMs: 20_000,
      what: 'the webhook deliveries',
    });
    const deliveries = await built.queue.list({
      workspaceId: workspace.id,
      type: INSIGHTS_ALERT_WEBHOOK_JOB,
    });
    expect(deliveries.some((delivery) => delivery.attempts === 2)).toBe(true);
    for (const delivery of received) {
      const timestamp = delivery.headers['x-polett-timestamp'] as string;
      const expected = `sha256=${createHmac('sha256', 'whsec_test').update(`${timestamp}.${delivery.body}`).digest('hex')}`;
      expect(delivery.headers['x-polett-signature']).toBe(expected);
      expect(JSON.parse(delivery.body)).toMatchObject({
        type: 'insights.spike',
        alert: { periodStart: '2024-03-31' },
      });
    }
  }, 40_000);

  it('gives series by week and source, and compares two periods with the biggest movers first', async () => {
    const built = buildInsightsDatabase();
    cleanups.push(() => built.close());
    const workspace = buildInsightsWorkspace(built.storage);
    const scope = openInsightsStore(built.storage.database).forWorkspace(workspace.id);
    scope.insertFeedback(feedbackWithDeliverySpike());
    const workers = startWorkers({
      queue: built.queue,
      handlers: insightsJobHandlers({ database: built.storage.database }),
      pollIntervalMs: 20,
    });
    cleanups.push(() => workers.stop({ timeoutMs: 1000 }));
    const job = await built.queue.enqueue({
      type: INSIGHTS_ANALYZE_JOB,
      input: {},
      workspaceId: workspace.id,
    });
    await waitForJob(built.queue, job.id);

    const weekly = timeSeries(scope, { bucket: 'week', groupBy: 'source' });
    // 2024-03-01 is a Friday: its week starts on Monday 26 February.
    expect(weekly[0]).toMatchObject({ period: '2024-02-26', group: 'Google' });
    expect(weekly.reduce((sum, point) => sum + point.count, 0)).toBe(feedbackWithDeliverySpike().length);
    const comparison = comparePeriods(
      scope,
      { from: '2024-03-01', to: '2024-03-31' },
      { from: '2024-03-31', to: '2024-04-01' },
    );
    expect(comparison.after.negativeShare).toBe(1);
    expect(comparison.movers[0]!.key).toMatch(/^(aspect:leverans|aspect:service|source:Trustpilot)$/);
    expect(comparison.movers[0]!.negativeShareChange).toBeGreaterThan(50);
  });
});
