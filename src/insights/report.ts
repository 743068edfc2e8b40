/**
 * A written report of a workspace's feedback: how much, how it feels, which aspects people praise
 * or complain about, month by month, the alerts, and the quotes behind the complaints. The same
 * summary renders as Markdown (the terminal) or a self-contained HTML page (to mail or print).
 */
import type { Locale } from '../errors.js';
import type { AlertRecord, InsightsScope } from './feedback-store.js';
import { timeSeries, type TrendPoint } from './trends.js';

export interface InsightsSummary {
  total: number;
  analysed: number;
  sentiment: { positive: number; neutral: number; negative: number };
  aspects: Array<{ aspect: string; positive: number; neutral: number; negative: number }>;
  months: TrendPoint[];
  alerts: AlertRecord[];
  /** Topics by size, each with its most typical quotes (closest to the topic's centre). */
  topics: Array<{ name: string; size: number; quotes: string[] }>;
  negativeQuotes: Array<{
    id: string;
    text: string;
    occurredAt: string | null;
    source: string | null;
    score: number;
  }>;
}

export function summariseInsights(scope: InsightsScope): InsightsSummary {
  const months = timeSeries(scope, { bucket: 'month' });
  const sentimentRows = scope.database
    .prepare(
      "SELECT label, COUNT(*) AS count FROM insights_results WHERE workspace_id = ? AND analysis = 'sentiment' GROUP BY label",
    )
    .all(scope.workspaceId) as Array<{ label: string; count: number }>;
  const sentiment = { positive: 0, neutral: 0, negative: 0 };
  for (const row of sentimentRows)
    if (row.label === 'positive' || row.label === 'neutral' || row.label === 'negative')
      sentiment[row.label] = row.count;
  const aspects = scope.database
    .prepare(
      `SELECT aspect, SUM(sentiment = 'positive') AS positive, SUM(sentiment = 'neutral') AS neutral,
         SUM(sentiment = 'negative') AS negative
       FROM insights_aspects WHERE workspace_id = ? GROUP BY aspect ORDER BY COUNT(*) DESC`,
    )
    .all(scope.workspaceId) as InsightsSummary['aspects'];
  const negativeQuotes = scope.database
    .prepare(
      `SELECT f.id, f.text, f.occurred_at AS occurredAt, f.source, s.score FROM insights_feedback f
       JOIN insights_results s ON s.feedback_id = f.id AND s.analysis = 'sentiment' AND s.label = 'negative'
       WHERE f.workspace_id = ? ORDER BY s.score ASC, f.rowid LIMIT 5`,
    )
    .all(scope.workspaceId) as InsightsSummary['negativeQuotes'];
  const topicRows = scope.database
    .prepare(
      `SELECT label, COUNT(*) AS size FROM insights_results
       WHERE workspace_id = ? AND analysis = 'topic' AND label IS NOT NULL GROUP BY label ORDER BY size DESC, label`,
    )
    .all(scope.workspaceId) as Array<{ label: string; size: number }>;
  const quotesOf = scope.database.prepare(
    `SELECT f.text FROM insights_results r JOIN insights_feedback f ON f.id = r.feedback_id
     WHERE r.workspace_id = ? AND r.analysis = 'topic' AND r.label = ? ORDER BY r.score DESC, f.rowid LIMIT 3`,
  );
  const topics = topicRows.map((row) => ({
    name: row.label,
    size: row.size,
    quotes: (quotesOf.all(scope.workspaceId, row.label) as Array<{ text: string }>).map(
      (quote) => quote.text,
    ),
  }));
  return {
    topics,
    total: scope.countFeedback(),
    analysed: sentimentRows.reduce((sum, row) => sum + row.count, 0),
    sentiment,
    aspects,
    months,
    alerts: scope.listAlerts(20),
    negativeQuotes,
  };
}

const TEXTS = {
  sv: {
    title: 'Insiktsrapport',
    totals: (total: number, analysed: number) => `${total} texter, varav ${analysed} analyserade.`,
    sentiment: 'Känsla',
    positive: 'positiva',
    neutral: 'neutrala',
    negative: 'negativa',
    aspects: 'Aspekter',
    aspect: 'aspekt',
    months: 'Per månad',
    month: 'månad',
    count: 'antal',
    alerts: 'Larm',
    noAlerts: 'Inga larm.',
    topics: 'Ämnen',
    topic: 'ämne',
    quotes: 'De mest negativa citaten',
  },
  en: {
    title: 'Insights report',
    totals: (total: number, analysed: number) => `${total} texts, ${analysed} of them analysed.`,
    sentiment: 'Sentiment',
    positive: 'positive',
    neutral: 'neutral',
    negative: 'negative',
    aspects: 'Aspects',
    aspect: 'aspect',
    months: 'By month',
    month: 'month',
    count: 'count',
    alerts: 'Alerts',
    noAlerts: 'No alerts.',
    topics: 'Topics',
    topic: 'topic',
    quotes: 'The most negative quotes',
  },
} as const;

function percent(part: number, whole: number): string {
  return whole === 0 ? '0 %' : `${Math.round((part / whole) * 100)} %`;
}

export function renderMarkdownReport(summary: InsightsSummary, locale: Locale): string {
  const t = TEXTS[locale];
  const { positive, neutral, negative } = summary.sentiment;
  const analysed = positive + neutral + negative;
  const lines = [
    `# ${t.title}`,
    '',
    t.totals(summary.total, summary.analysed),
    '',
    `## ${t.sentiment}`,
    '',
    `- ${t.positive}: ${positive} (${percent(positive, analysed)})`,
    `- ${t.neutral}: ${neutral} (${percent(neutral, analysed)})`,
    `- ${t.negative}: ${negative} (${percent(negative, analysed)})`,
    '',
    `## ${t.aspects}`,
    '',
    `| ${t.aspect} | ${t.positive} | ${t.neutral} | ${t.negative} |`,
    '|---|---:|---:|---:|',
    ...summary.aspects.map((row) => `| ${row.aspect} | ${row.positive} | ${row.neutral} | ${row.negative} |`),
    '',
    `## ${t.months}`,
    '',
    `| ${t.month} | ${t.count} | ${t.positive} | ${t.negative} |`,
    '|---|---:|---:|---:|',
    ...summary.months.map(
      (point) => `| ${point.period} | ${point.count} | ${point.positive} | ${point.negative} |`,
    ),
    '',
    `## ${t.topics}`,
    '',
    ...summary.topics.flatMap((topic) => [
      `### ${topic.name} (${topic.size})`,
      '',
      ...topic.quotes.map((quote) => `> ${quote.replace(/\s+/g, ' ')}`),
      '',
    ]),
    `## ${t.alerts}`,
    '',
    ...(summary.alerts.length === 0
      ? [t.noAlerts]
      : summary.alerts.map((alert) => `- ${alert.message[locale]}`)),
    '',
    `## ${t.quotes}`,
    '',
    ...summary.negativeQuotes.map(
      (quote) => `> ${quote.text.replace(/\s+/g, ' ')}${quote.source ? ` — ${quote.source}` : ''}`,
    ),
    '',
  ];
  return lines.join('\n');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

export function renderHtmlReport(summary: InsightsSummary, locale: Locale): string {
  const t = TEXTS[locale];
  const { positive, neutral, negative } = summary.sentiment;
  const analysed = Math.max(1, positive + neutral + negative);
  const bar = (value: number, color: string, label: string) =>
    `<div class="bar" style="width:${((value / analysed) * 100).toFixed(1)}%;background:${color}" title="${escapeHtml(label)}"></div>`;
  const table = (head: string[], rows: Array<Array<string | number>>) =>
    `<table><thead><tr>${head.map((cell) => `<th scope="col">${escapeHtml(cell)}</th>`).join('')}</tr></thead><tbody>${rows
      .map(
        (row) =>
          `<tr>${row.map((cell, index) => (index === 0 ? `<th scope="row">${escapeHtml(String(cell))}</th>` : `<td>${cell}</td>`)).join('')}</tr>`,
      )
      .join('')}</tbody></table>`;
  return `<!doctype html>
<html lang="${locale}">
<head><meta charset="utf-8"><title>${t.title}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
table{border-collapse:collapse;margin:1rem 0}th,td{padding:.3rem .7rem;border-bottom:1px solid #ddd;text-align:right}
th[scope=row],thead th:first-child{text-align:left}.bars{display:flex;height:1.2rem;border-radius:.3rem;overflow:hidden}
blockquote{border-left:4px solid #b3261e;margin:1rem 0;padding:.2rem 1rem;background:#fbf1f0}
</style></head>
<body>
<h1>${t.title}</h1>
<p>${escapeHtml(t.totals(summary.total, summary.analysed))}</p>
<h2>${t.sentiment}</h2>
<div class="bars" role="img" aria-label="${escapeHtml(`${t.positive} ${positive}, ${t.neutral} ${neutral}, ${t.negative} ${negative}`)}">${bar(positive, '#2e7d32', t.positive)}${bar(neutral, '#9e9e9e', t.neutral)}${bar(negative, '#b3261e', t.negative)}</div>
${table(
  [t.sentiment, t.count],
  [
    [t.positive, positive],
    [t.neutral, neutral],
    [t.negative, negative],
  ],
)}
<h2>${t.aspects}</h2>
${table(
  [t.aspect, t.positive, t.neutral, t.negative],
  summary.aspects.map((row) => [row.aspect, row.positive, row.neutral, row.negative]),
)}
<h2>${t.months}</h2>
${table(
  [t.month, t.count, t.positive, t.negative],
  summary.months.map((point) => [point.period, point.count, point.positive, point.negative]),
)}
<h2>${t.topics}</h2>
${table(
  [t.topic, t.count],
  summary.topics.map((topic) => [topic.name, topic.size]),
)}
<h2>${t.alerts}</h2>
${summary.alerts.length === 0 ? `<p>${t.noAlerts}</p>` : `<ul>${summary.alerts.map((alert) => `<li>${escapeHtml(alert.message[locale])}</li>`).join('')}</ul>`}
<h2>${t.quotes}</h2>
${summary.negativeQuotes.map((quote) => `<blockquote>${escapeHtml(quote.text)}${quote.source ? ` <cite>— ${escapeHtml(quote.source)}</cite>` : ''}</blockquote>`).join('\n')}
</body>
</html>
`;
}
