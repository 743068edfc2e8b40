/**
 * Spike alerts: after an analysis (or on demand) the daily counts of negative texts, overall and
 * per aspect, are checked with the robust method of trends.ts; each spike becomes an alert stored
 * for the web app (once per metric and day) and, when the workspace has an alert webhook, a
 * signed delivery as a durable job with retries.
 */
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { defineJobHandler, type JobQueue } from '../jobs/index.js';
import { deliverWebhook, WEBHOOK_MAX_ATTEMPTS } from '../platform/index.js';
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
