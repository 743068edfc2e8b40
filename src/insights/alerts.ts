/**
 * Spike alerts: after an analysis (or on demand) the daily counts of negative texts, overall and
 * per aspect, are checked with the robust method of trends.ts; each spike becomes an alert stored
 * for the web app (once per metric and day) and, when the workspace has an alert webhook, a
 * signed delivery as a durable job with retries.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { PolettError } from '../errors.js';
import { defineJobHandler, type JobQueue } from '../jobs/index.js';
import { deliverWebhook, WEBHOOK_MAX_ATTEMPTS } from '../platform/index.js';
import { isForbiddenOutboundUrl } from '../platform/outbound-address.js';
import { openInsightsStore, type AlertRecord, type InsightsScope } from './feedback-store.js';
import { detectSpikes, fillDays, timeSeries, type SpikeOptions } from './trends.js';

export const INSIGHTS_ALERT_WEBHOOK_JOB = 'insights.alert-webhook';

const ASPECT_NAMES_SV_EN: Record<string, string> = {
  pris: 'price',
  leverans: 'delivery',
  service: 'service',
  kvalitet: 'quality',
  personal: 'staff',
  webbplats: 'website',
};

function alertMessage(
  metric: string,
  day: string,
  value: number,
  expected: number,
): { sv: string; en: string } {
  const aspect = metric.startsWith('negative:aspect:') ? metric.slice('negative:aspect:'.length) : undefined;
  if (aspect)
    return {
      sv: `Negativa omnämnanden av ${aspect} ökade kraftigt ${day}: ${value} mot normalt ${expected}.`,
      en: `Negative mentions of ${ASPECT_NAMES_SV_EN[aspect] ?? aspect} jumped on ${day}: ${value} against a usual ${expected}.`,
    };
  return {
    sv: `Negativ feedback ökade kraftigt ${day}: ${value} mot normalt ${expected}.`,
    en: `Negative feedback jumped on ${day}: ${value} against a usual ${expected}.`,
  };
}

/** Finds spikes in the daily negative counts and stores new alerts; returns the new ones. */
export function checkForSpikes(scope: InsightsScope, options: SpikeOptions = {}): AlertRecord[] {
  const raised: AlertRecord[] = [];
  const check = (metric: string, points: Array<{ period: string; count: number }>) => {
    const days = fillDays(points);
    for (const spike of detectSpikes(
      days.map((day) => day.count),
      options,
    )) {
      const day = days[spike.index]!.period;
      const alert = scope.raiseAlert({
        metric,
        periodStart: day,
        value: spike.value,
        expected: spike.expected,
        robustZ: spike.robustZ,
        message: alertMessage(metric, day, spike.value, spike.expected),
      });
      if (alert) raised.push(alert);
    }
  };
  const negative = timeSeries(scope, { bucket: 'day', filters: { sentiment: 'negative' } });
  check(
    'negative',
    negative.map((point) => ({ period: point.period, count: point.count })),
  );
  const aspects = timeSeries(scope, { bucket: 'day', groupBy: 'aspect' });
  for (const aspect of new Set(aspects.map((point) => point.group)))
    check(
      `negative:aspect:${aspect}`,
      aspects
        .filter((point) => point.group === aspect)
        .map((point) => ({ period: point.period, count: point.negative })),
    );
  return raised;
}

/** Enqueues one signed delivery per new alert, when the workspace has an alert webhook. */
export async function enqueueAlertDeliveries(
  jobs: Pick<JobQueue, 'enqueue'>,
  scope: InsightsScope,
  alerts: readonly AlertRecord[],
): Promise<number> {
  const { alertWebhookUrl, alertWebhookSecret } = scope.settings();
  if (!alertWebhookUrl || !alertWebhookSecret) return 0;
  for (const alert of alerts)
    await jobs.enqueue({
      type: INSIGHTS_ALERT_WEBHOOK_JOB,
      input: { alertId: alert.id },
      workspaceId: scope.workspaceId,
      maxAttempts: WEBHOOK_MAX_ATTEMPTS,
    });
  return alerts.length;
}

export function alertWebhookJobHandler(dependencies: { database: Database; fetch?: typeof fetch }) {
  return defineJobHandler({
    type: INSIGHTS_ALERT_WEBHOOK_JOB,
    input: z.object({ alertId: z.string().min(1) }),
    async run(input, context) {
      if (context.workspaceId === null) return { delivered: false };
      const scope = openInsightsStore(dependencies.database).forWorkspace(context.workspaceId);
      const alert = scope.listAlerts(1000).find((candidate) => candidate.id === input.alertId);
      const { alertWebhookUrl, alertWebhookSecret } = scope.settings();
      if (!alert || !alertWebhookUrl || !alertWebhookSecret) return { delivered: false };
      const body = JSON.stringify({ type: 'insights.spike', workspaceId: context.workspaceId, alert });
      const { status } = await deliverWebhook({
        url: alertWebhookUrl,
        secret: alertWebhookSecret,
        // The same id on every retry, so the receiver can drop repeats.
        eventId: `insights-alert-${alert.id}`,
        body,
        signal: context.signal,
        ...(dependencies.fetch ? { fetch: dependencies.fetch } : {}),
      });
      return { delivered: true, status };
    },
  });
}

/** The refusal when a test or a secret is asked for before the alert webhook has an address. */
export function alertWebhookMissing(): PolettError {
  return new PolettError({
    code: 'insights_alert_webhook_missing',
    status: 409,
    field: 'alertWebhookUrl',
    message: {
      sv: 'Larmwebhooken har ingen adress än; spara en adress först.',
      en: 'The alert webhook has no address yet; save one first.',
    },
  });
}

/**
 * Refuses, when it is saved, an alert webhook address that no delivery could use: one not over
 * HTTP(S), or one written as a link-local address or a metadata host (see outbound-address.ts;
 * each delivery checks again on what the name resolves to then).
 */
export function checkAlertWebhookAddress(url: string): void {
  const protocol = new URL(url).protocol;
  if ((protocol === 'http:' || protocol === 'https:') && !isForbiddenOutboundUrl(url)) return;
  throw new PolettError({
    code: 'insights_alert_webhook_address',
    status: 400,
    field: 'alertWebhookUrl',
    message: {
      sv: `Larmwebhookens adress ${url} går inte att skicka till: den ska börja med http:// eller https:// och får inte peka på en lokal länkadress (som molnets metadatatjänst); ange mottagarens vanliga adress.`,
      en: `The alert webhook address ${url} cannot be sent to: it must start with http:// or https:// and must not point to a link-local address (such as the cloud's metadata service); give the receiver's ordinary address.`,
    },
  });
}

/**
 * Sends one signed test event to the workspace's alert webhook now, not as a job: the person who
 * set it up waits for the answer, and a receiver that refuses it should be fixed, not retried.
 * The body has the shape of a real alert, marked `insights.test`, so the receiver can check its
 * signature handling end to end.
 */
export async function sendTestAlert(
  scope: InsightsScope,
  options: { fetch?: typeof fetch; signal?: AbortSignal } = {},
): Promise<{ status: number; eventId: string }> {
  const { alertWebhookUrl, alertWebhookSecret } = scope.settings();
  if (!alertWebhookUrl || !alertWebhookSecret) throw alertWebhookMissing();
  const day = new Date().toISOString().slice(0, 10);
  const alert: AlertRecord = {
    id: randomUUID(),
    metric: 'negative:aspect:leverans',
    periodStart: day,
    value: 20,
    expected: 2,
    robustZ: 12,
    message: {
      sv: `Testlarm från Polett: så här ser ett larm ut (${alertMessage('negative:aspect:leverans', day, 20, 2).sv})`,
      en: `Test alert from Polett: this is what an alert looks like (${alertMessage('negative:aspect:leverans', day, 20, 2).en})`,
    },
    createdAt: new Date().toISOString(),
    acknowledgedAt: null,
  };
  const eventId = `insights-test-${alert.id}`;
  // What the receiver answered (or why nothing came), to say so when the test fails.
  const send = options.fetch ?? fetch;
  let outcome = '';
  const recordingFetch: typeof fetch = async (input, init) => {
    try {
      const response = await send(input, init);
      outcome = `HTTP ${response.status}`;
      return response;
    } catch (error) {
      outcome = (error as Error).message;
      throw error;
    }
  };
  try {
    const { status } = await deliverWebhook({
      url: alertWebhookUrl,
      secret: alertWebhookSecret,
      eventId,
      body: JSON.stringify({ type: 'insights.test', workspaceId: scope.workspaceId, alert }),
      errorCode: 'insights_alert_webhook_failed',
      ...(options.signal ? { signal: options.signal } : {}),
      fetch: recordingFetch,
    });
    return { status, eventId };
  } catch (error) {
    // A delivery's own sentence for an error worth retrying promises that Polett tries again, as
    // the alert job does; a test is sent once, so the person is told to send it again instead.
    if (!(error instanceof PolettError) || !error.isRetryable || outcome === '') throw error;
    const receiver = new URL(alertWebhookUrl).origin;
    throw new PolettError({
      code: error.code,
      status: error.status,
      message: {
        sv: `Testlarmet till ${receiver} gick inte fram (${outcome}); kontrollera mottagaren och skicka testlarmet igen.`,
        en: `The test alert to ${receiver} did not get through (${outcome}); check the receiver and send the test again.`,
      },
      cause: error,
    });
  }
}
