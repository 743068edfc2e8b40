/** Insights' routes, typed by the schemas the server validates with (src/insights/schemas.ts). */
import type { z } from 'zod';
import type {
  alertSchema,
  analysedRowSchema,
  comparisonSchema,
  importPreviewSchema,
  importSchema,
  rowsSchema,
  settingsSchema,
  settingsUpdateSchema,
  summarySchema,
  testDeliverySchema,
  trendPointSchema,
} from '../../../src/insights/schemas.ts';
import { api, ApiError, type ApiErrorBody } from './client.ts';

export type ImportPreview = z.output<typeof importPreviewSchema>;
export type ImportRecord = z.output<typeof importSchema>;
export type InsightsSummary = z.output<typeof summarySchema>;
export type TrendPoint = z.output<typeof trendPointSchema>;
export type AnalysedRow = z.output<typeof analysedRowSchema>;
export type RowsPage = z.output<typeof rowsSchema>;
export type Comparison = z.output<typeof comparisonSchema>;
export type InsightsAlert = z.output<typeof alertSchema>;
export type InsightsSettings = z.output<typeof settingsSchema>;
export type InsightsSettingsUpdate = z.input<typeof settingsUpdateSchema>;
export type TestDelivery = z.output<typeof testDeliverySchema>;
export type ColumnRole = 'text' | 'date' | 'rating' | 'source' | 'author' | 'id' | 'label';
export type ColumnMappingInput = { text: string } & Partial<Record<Exclude<ColumnRole, 'text'>, string>>;

/** The dashboard's filters, as query parameters. */
export interface InsightsFilters {
  from?: string;
  to?: string;
  source?: string;
  language?: string;
  minimumRating?: number;
  topic?: string;
  sentiment?: string;
  aspect?: string;
  aspectSentiment?: string;
}

export const insightsPath = (workspaceId: string, rest = '') =>
  `/api/workspaces/${encodeURIComponent(workspaceId)}/insights${rest}`;

function query(values: object): string {
  const parameters = new URLSearchParams();
  for (const [key, value] of Object.entries(values))
    if (value !== undefined && value !== '' && value !== null) parameters.set(key, String(value));
  const text = parameters.toString();
  return text ? `?${text}` : '';
}

function csrfToken(): string | undefined {
  const match = document.cookie.match(/(?:^|;\s*)(?:__Host-)?polett[_-]csrf=([^;]+)/);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}

export const insightsApi = {
  /** Uploads the file as the raw body; the server streams it to disk and answers a preview. */
  async upload(workspaceId: string, file: File, locale: string): Promise<ImportPreview> {
    const token = csrfToken();
    let response: Response;
    try {
      response = await fetch(`${insightsPath(workspaceId, '/imports')}${query({ fileName: file.name })}`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: {
          accept: 'application/json',
          'accept-language': locale,
          'content-type': 'application/octet-stream',
          ...(token ? { 'x-csrf-token': token } : {}),
        },
        body: file,
      });
    } catch (cause) {
      throw new ApiError(0, undefined, cause instanceof Error ? cause.message : String(cause));
    }
    // A proxy in front of Polett may answer a large upload with a page of its own, not JSON: the
    // status still says what happened.
    const body = (await response.json().catch(() => undefined)) as ImportPreview | ApiErrorBody | undefined;
    if (!response.ok) throw new ApiError(response.status, body as Partial<ApiErrorBody> | undefined);
    return body as ImportPreview;
  },
  confirm: (workspaceId: string, importId: string, mapping: ColumnMappingInput) =>
    api.post<{ jobId: string }>(
      insightsPath(workspaceId, `/imports/${encodeURIComponent(importId)}/confirm`),
      { mapping },
    ),
  importRecord: (workspaceId: string, importId: string) =>
    api.get<ImportRecord>(insightsPath(workspaceId, `/imports/${encodeURIComponent(importId)}`)),
  analyse: (workspaceId: string) => api.post<{ jobId: string }>(insightsPath(workspaceId, '/analyses'), {}),
  summary: (workspaceId: string) => api.get<InsightsSummary>(insightsPath(workspaceId, '/summary')),
  trends: (
    workspaceId: string,
    options: InsightsFilters & { bucket: 'day' | 'week' | 'month'; groupBy?: string },
  ) => api.get<{ points: TrendPoint[] }>(insightsPath(workspaceId, `/trends${query(options)}`)),
  compare: (
    workspaceId: string,
    periods: { beforeFrom: string; beforeTo: string; afterFrom: string; afterTo: string } & InsightsFilters,
  ) => api.get<Comparison>(insightsPath(workspaceId, `/compare${query(periods)}`)),
  rows: (workspaceId: string, filters: InsightsFilters & { limit?: number; offset?: number }) =>
    api.get<RowsPage>(insightsPath(workspaceId, `/rows${query(filters)}`)),
  alerts: (workspaceId: string) => api.get<{ alerts: InsightsAlert[] }>(insightsPath(workspaceId, '/alerts')),
  acknowledgeAlert: (workspaceId: string, alertId: string) =>
    api.post<null>(insightsPath(workspaceId, `/alerts/${encodeURIComponent(alertId)}/acknowledge`)),
  settings: (workspaceId: string) => api.get<InsightsSettings>(insightsPath(workspaceId, '/settings')),
  /** A new or changed alert webhook address answers its signing secret, once. */
  updateSettings: (workspaceId: string, update: InsightsSettingsUpdate) =>
    api.put<InsightsSettings & { alertWebhookSecret?: string }>(
      insightsPath(workspaceId, '/settings'),
      update,
    ),
  rotateAlertSecret: (workspaceId: string) =>
    api.post<{ secret: string }>(insightsPath(workspaceId, '/settings/alert-secret')),
  testAlertWebhook: (workspaceId: string) =>
    api.post<TestDelivery>(insightsPath(workspaceId, '/settings/alert-test')),
  exportUrl: (workspaceId: string, format: 'csv' | 'xlsx', filters: InsightsFilters) =>
    insightsPath(workspaceId, `/export${query({ ...filters, format })}`),
  jobEventsUrl: (workspaceId: string, jobId: string) =>
    `/api/workspaces/${encodeURIComponent(workspaceId)}/jobs/${encodeURIComponent(jobId)}/events`,
  job: (workspaceId: string, jobId: string) =>
    api.get<import('../components/job-progress.tsx').JobView>(
      `/api/workspaces/${encodeURIComponent(workspaceId)}/jobs/${encodeURIComponent(jobId)}`,
    ),
};
