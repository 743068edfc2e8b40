/**
 * Trends over the analysed feedback: volume and sentiment by day, week or month, split by source,
 * language, aspect or topic; two periods compared; and spikes found with a robust method.
 *
 * Spike detection: for each period, the baseline is the median of the previous `window` periods
 * and the spread their median absolute deviation (MAD). The robust z-score is
 * 0.6745 · (value − median) / MAD (0.6745 makes the MAD comparable to a standard deviation for
 * normal data). When the MAD is 0 (a flat baseline), 1.2533 × the mean absolute deviation is used,
 * and when that is 0 too, √median (a Poisson spread, at least 1). A period is a spike when its
 * z-score is at least `threshold` (3.5 by default, Iglewicz and Hoaglin's cut-off for outliers) and
 * its count at least `minimumCount`: a jump from 0 to 2 complaints is no alarm. Median and MAD
 * are not pulled up by earlier spikes, as a mean and standard deviation would be.
 */
import type { InsightsScope } from './feedback-store.js';

export type Bucket = 'day' | 'week' | 'month';
export type GroupBy = 'none' | 'source' | 'language' | 'aspect' | 'topic' | 'sentiment';

export interface FeedbackFilters {
  /** ISO dates (inclusive from, exclusive to) on the text's date, else its arrival. */
  from?: string;
  to?: string;
  source?: string;
  language?: string;
  minimumRating?: number;
  maximumRating?: number;
  topic?: string;
  sentiment?: string;
  aspect?: string;
  /** With `aspect`: only mentions of it with this sentiment. */
  aspectSentiment?: string;
}

export interface TrendPoint {
  period: string;
  group: string | null;
  count: number;
  positive: number;
  neutral: number;
  negative: number;
  /** Mean sentiment score of the texts that have one, -1 to 1 (null when none). */
  averageScore: number | null;
}

const WHEN = 'COALESCE(f.occurred_at, f.received_at)';

function bucketExpression(bucket: Bucket): string {
  switch (bucket) {
    case 'day':
      return `substr(${WHEN}, 1, 10)`;
    case 'week':
      // The Monday that starts the ISO week.
      return `date(substr(${WHEN}, 1, 10), '-' || ((CAST(strftime('%w', substr(${WHEN}, 1, 10)) AS INTEGER) + 6) % 7) || ' days')`;
    case 'month':
      return `substr(${WHEN}, 1, 7)`;
  }
}

/** WHERE clauses and their parameters for the filters, on `f` (feedback) with `s` (sentiment) joined. */
export function filterClauses(filters: FeedbackFilters): { sql: string; parameters: unknown[] } {
  const clauses: string[] = [];
  const parameters: unknown[] = [];
  if (filters.from) {
    clauses.push(`${WHEN} >= ?`);
    parameters.push(filters.from);
  }
  if (filters.to) {
    clauses.push(`${WHEN} < ?`);
    parameters.push(filters.to);
  }
  if (filters.source) {
    clauses.push('f.source = ?');
    parameters.push(filters.source);
  }
  if (filters.minimumRating !== undefined) {
    clauses.push('f.rating >= ?');
    parameters.push(filters.minimumRating);
  }
  if (filters.maximumRating !== undefined) {
    clauses.push('f.rating <= ?');
    parameters.push(filters.maximumRating);
  }
  if (filters.sentiment) {
    clauses.push('s.label = ?');
    parameters.push(filters.sentiment);
  }
  if (filters.language) {
    clauses.push(
      "EXISTS (SELECT 1 FROM insights_results l WHERE l.feedback_id = f.id AND l.analysis = 'language' AND l.label = ?)",
    );
    parameters.push(filters.language);
  }
  if (filters.topic) {
    clauses.push(
      "EXISTS (SELECT 1 FROM insights_results t WHERE t.feedback_id = f.id AND t.analysis = 'topic' AND t.label = ?)",
    );
    parameters.push(filters.topic);
  }
  if (filters.aspect) {
    clauses.push(
      `EXISTS (SELECT 1 FROM insights_aspects a WHERE a.feedback_id = f.id AND a.aspect = ?${filters.aspectSentiment ? ' AND a.sentiment = ?' : ''})`,
    );
    parameters.push(filters.aspect);
    if (filters.aspectSentiment) parameters.push(filters.aspectSentiment);
  }
  return { sql: clauses.map((clause) => ` AND ${clause}`).join(''), parameters };
}

const GROUP_JOINS: Record<GroupBy, { select: string; join: string }> = {
  none: { select: 'NULL', join: '' },
  source: { select: 'f.source', join: '' },
  sentiment: { select: 's.label', join: '' },
  language: {
    select: 'g.label',
    join: "LEFT JOIN insights_results g ON g.feedback_id = f.id AND g.analysis = 'language'",
  },
  topic: {
    select: 'g.label',
    join: "JOIN insights_results g ON g.feedback_id = f.id AND g.analysis = 'topic'",
  },
  aspect: { select: 'g.aspect', join: 'JOIN insights_aspects g ON g.feedback_id = f.id' },
};

/** Volume and sentiment per period (and group). For `aspect`, the sentiment is toward the aspect. */
export function timeSeries(
  scope: InsightsScope,
  options: { bucket: Bucket; groupBy?: GroupBy; filters?: FeedbackFilters },
): TrendPoint[] {
  const groupBy = options.groupBy ?? 'none';
  const { select, join } = GROUP_JOINS[groupBy];
  const { sql, parameters } = filterClauses(options.filters ?? {});
  const label = groupBy === 'aspect' ? 'g.sentiment' : 's.label';
  const score = groupBy === 'aspect' ? 'g.score' : 's.score';
  const rows = scope.database
    .prepare(
      `SELECT ${bucketExpression(options.bucket)} AS period, ${select} AS grouping, COUNT(*) AS count,
         SUM(${label} = 'positive') AS positive, SUM(${label} = 'neutral') AS neutral,
         SUM(${label} = 'negative') AS negative, AVG(${score}) AS average
       FROM insights_feedback f
       LEFT JOIN insights_results s ON s.feedback_id = f.id AND s.analysis = 'sentiment'
       ${join}
       WHERE f.workspace_id = ?${sql}
       GROUP BY period, grouping ORDER BY period, grouping`,
    )
    .all(scope.workspaceId, ...parameters) as Array<{
    period: string;
    grouping: string | null;
    count: number;
    positive: number | null;
    neutral: number | null;
    negative: number | null;
    average: number | null;
  }>;
  return rows.map((row) => ({
    period: row.period,
    group: row.grouping,
    count: row.count,
    positive: row.positive ?? 0,
    neutral: row.neutral ?? 0,
    negative: row.negative ?? 0,
    averageScore: row.average === null ? null : Number(row.average.toFixed(4)),
  }));
}

export interface PeriodSummary {
  count: number;
  negativeShare: number;
  positiveShare: number;
  averageScore: number | null;
}

export interface Mover {
  /** `aspect:leverans`, `topic:…`, `source:Google`. */
  key: string;
  before: PeriodSummary;
  after: PeriodSummary;
  /** Change in negative share, in points (−100…100). */
  negativeShareChange: number;
  volumeChange: number;
}

function summarise(points: TrendPoint[]): PeriodSummary {
  const count = points.reduce((sum, point) => sum + point.count, 0);
  const negative = points.reduce((sum, point) => sum + point.negative, 0);
  const positive = points.reduce((sum, point) => sum + point.positive, 0);
  const scored = points.filter((point) => point.averageScore !== null);
  const weight = scored.reduce((sum, point) => sum + point.count, 0);
  return {
    count,
    negativeShare: count === 0 ? 0 : negative / count,
    positiveShare: count === 0 ? 0 : positive / count,
    averageScore:
      weight === 0
        ? null
        : scored.reduce((sum, point) => sum + point.averageScore! * point.count, 0) / weight,
  };
}

/**
 * Two periods side by side, overall and per aspect, topic and source; the movers are sorted by
 * how much their negative share changed (then by volume change).
 */
export function comparePeriods(
  scope: InsightsScope,
  before: { from: string; to: string },
  after: { from: string; to: string },
  filters: FeedbackFilters = {},
): { before: PeriodSummary; after: PeriodSummary; movers: Mover[] } {
  const series = (period: { from: string; to: string }, groupBy: GroupBy) =>
    timeSeries(scope, { bucket: 'month', groupBy, filters: { ...filters, ...period } });
  const movers: Mover[] = [];
  for (const groupBy of ['aspect', 'topic', 'source'] as const) {
    const beforePoints = series(before, groupBy);
    const afterPoints = series(after, groupBy);
    const groups = new Set(
      [...beforePoints, ...afterPoints].map((point) => point.group).filter((group) => group !== null),
    );
    for (const group of groups) {
      const beforeSummary = summarise(beforePoints.filter((point) => point.group === group));
      const afterSummary = summarise(afterPoints.filter((point) => point.group === group));
      movers.push({
        key: `${groupBy}:${group}`,
        before: beforeSummary,
        after: afterSummary,
        negativeShareChange: Number(
          ((afterSummary.negativeShare - beforeSummary.negativeShare) * 100).toFixed(1),
        ),
        volumeChange: afterSummary.count - beforeSummary.count,
      });
    }
  }
  movers.sort(
    (a, b) =>
      Math.abs(b.negativeShareChange) - Math.abs(a.negativeShareChange) ||
      Math.abs(b.volumeChange) - Math.abs(a.volumeChange),
  );
  return { before: summarise(series(before, 'none')), after: summarise(series(after, 'none')), movers };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export interface SpikeOptions {
  /** Previous periods that make the baseline (default 7). */
  window?: number;
  /** Robust z-score at or above which a period is a spike (default 3.5). */
  threshold?: number;
  /** Fewest texts in a period for it to count as a spike (default 5). */
  minimumCount?: number;
}

export interface Spike {
  index: number;
  value: number;
  expected: number;
  robustZ: number;
}

/** Spikes in a series of counts, by rolling median and MAD (see the module's comment). */
export function detectSpikes(values: readonly number[], options: SpikeOptions = {}): Spike[] {
  const { window = 7, threshold = 3.5, minimumCount = 5 } = options;
  const spikes: Spike[] = [];
  for (let index = window; index < values.length; index += 1) {
    const baseline = values.slice(index - window, index);
    const center = median(baseline);
    const deviations = baseline.map((value) => Math.abs(value - center));
    let spread = median(deviations) / 0.6745;
    if (spread === 0)
      spread = 1.2533 * (deviations.reduce((sum, value) => sum + value, 0) / deviations.length);
    if (spread === 0) spread = Math.max(1, Math.sqrt(center));
    const value = values[index]!;
    const robustZ = (value - center) / spread;
    if (robustZ >= threshold && value >= minimumCount)
      spikes.push({ index, value, expected: center, robustZ: Number(robustZ.toFixed(2)) });
  }
  return spikes;
}

/** Every day from the first to the last, so that quiet days count as zeros in the baseline. */
export function fillDays(
  points: ReadonlyArray<{ period: string; count: number }>,
): Array<{ period: string; count: number }> {
  if (points.length === 0) return [];
  const byDay = new Map(points.map((point) => [point.period, point.count]));
  const sorted = [...byDay.keys()].sort();
  const days: Array<{ period: string; count: number }> = [];
  const end = Date.parse(`${sorted.at(-1)!}T00:00:00Z`);
  for (let time = Date.parse(`${sorted[0]!}T00:00:00Z`); time <= end; time += 86_400_000) {
    const period = new Date(time).toISOString().slice(0, 10);
    days.push({ period, count: byDay.get(period) ?? 0 });
  }
  return days;
}
