/**
 * Feedback pushed as it arrives: by the REST API (a signed-in caller or an API key) and by a
 * signed webhook (a form tool, a review platform's integration). Both check each item like an
 * imported row, skip duplicates by id or content, and answer what went in.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { PolettError } from '../errors.js';
import type { InsightsScope, NewFeedback } from './feedback-store.js';
import { toFeedbackRow, type ImportProblem } from './import/feedback-import.js';

export const FeedbackItem = z.object({
  text: z.string().max(20_000),
  date: z.string().max(100).optional(),
  rating: z.union([z.number(), z.string().max(20)]).optional(),
  source: z.string().max(200).optional(),
  author: z.string().max(200).optional(),
  id: z.string().max(200).optional(),
  label: z.string().max(200).optional(),
  fields: z.record(z.string(), z.string().max(5000)).optional(),
});
export type FeedbackItem = z.infer<typeof FeedbackItem>;

export const FeedbackPushRequest = z.object({ items: z.array(FeedbackItem).min(1).max(1000) });

export interface FeedbackPushResult {
  received: number;
  inserted: number;
  duplicates: number;
  /** `line` is the item's position in `items`, from 1. */
  problems: ImportProblem[];
}

const ITEM_MAPPING = {
  text: 'text',
  date: 'date',
  rating: 'rating',
  source: 'source',
  author: 'author',
  id: 'id',
  label: 'label',
};

/** Stores pushed items in one transaction. */
export function pushFeedback(scope: InsightsScope, items: readonly FeedbackItem[]): FeedbackPushResult {
  const problems: ImportProblem[] = [];
  const rows: NewFeedback[] = [];
  for (const [index, item] of items.entries()) {
    const fields: Record<string, string> = { ...item.fields };
    for (const key of Object.keys(ITEM_MAPPING) as Array<keyof typeof ITEM_MAPPING>) {
      const value = item[key];
      if (value !== undefined) fields[key] = String(value);
    }
    const { row, problems: itemProblems } = toFeedbackRow(
      { line: index + 1, fields },
      ITEM_MAPPING,
      'day-first',
      null,
    );
    problems.push(...itemProblems);
    if (row) rows.push({ ...row, importLine: null });
  }
  const inserted = scope.database.transaction(() => scope.insertFeedback(rows))();
  return { received: items.length, inserted, duplicates: rows.length - inserted, problems };
}

/** How old a signed push may be: older ones are refused as possible replays. */
export const INBOUND_TOLERANCE_SECONDS = 300;

/**
 * Checks an inbound webhook's signature: `x-polett-signature: sha256=<hex>`, the HMAC-SHA256 of
 * `<timestamp>.<body>` keyed with the workspace's inbound secret, the same scheme Polett signs
 * its own webhooks with (src/platform/webhooks.ts).
 */
export function verifyInboundSignature(options: {
  secret: string | null;
  timestamp: string | undefined;
  signature: string | undefined;
  body: string;
  now?: number;
}): void {
  const refuse = (sv: string, en: string) =>
    new PolettError({ code: 'insights_webhook_signature_invalid', status: 403, message: { sv, en } });
  if (!options.secret)
    throw refuse(
      'Arbetsytan tar inte emot feedback via webhook; skapa en hemlighet under Insikter → Inställningar först.',
      'The workspace does not accept feedback by webhook; create a secret under Insights → Settings first.',
    );
  const timestamp = Number(options.timestamp);
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  if (!Number.isInteger(timestamp) || Math.abs(now - timestamp) > INBOUND_TOLERANCE_SECONDS)
    throw refuse(
      'Tidsstämpeln x-polett-timestamp saknas eller är mer än fem minuter fel; skicka med aktuell tid i sekunder.',
      'The x-polett-timestamp header is missing or more than five minutes off; send the current time in seconds.',
    );
  const expected = Buffer.from(
    `sha256=${createHmac('sha256', options.secret).update(`${timestamp}.${options.body}`).digest('hex')}`,
  );
  const given = Buffer.from(options.signature ?? '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw refuse(
      'Signaturen x-polett-signature stämmer inte; signera `<tidsstämpel>.<kropp>` med HMAC-SHA256 och arbetsytans hemlighet.',
      'The x-polett-signature does not match; sign `<timestamp>.<body>` with HMAC-SHA256 and the workspace secret.',
    );
}
