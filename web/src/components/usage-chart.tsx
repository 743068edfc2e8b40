import type { UsagePerDayAndTask } from '../api/polett.ts';
import { useLocale } from '../i18n/locale-context.tsx';

/**
 * A stacked bar chart in plain SVG: one bar per day, one colour per task. Hand-made rather than a
 * chart library because it is the app's only chart, and a library would triple the bundle and
 * the build time on a small server. The same numbers are in a table below for screen readers.
 */
const TASK_COLOURS = ['#1d4e89', '#d1495b', '#00798c', '#edae49', '#66a182', '#8d6a9f'];

export interface UsageChartProps {
  rows: UsagePerDayAndTask[];
  days: string[];
  measure: 'tokens' | 'cost';
  title: string;
}

function valueOf(row: UsagePerDayAndTask, measure: 'tokens' | 'cost'): number {
  return measure === 'tokens' ? row.inputTokens + row.outputTokens : row.cost;
}

export function tasksOf(rows: UsagePerDayAndTask[]): string[] {
  return [...new Set(rows.map((row) => row.task))].sort();
}

export function UsageChart({ rows, days, measure, title }: UsageChartProps) {
  const { t, formatNumber, formatCurrency, formatDate } = useLocale();
  const tasks = tasksOf(rows);
  const currency = rows.find((row) => row.currency)?.currency ?? 'USD';
  const format = (value: number) =>
    measure === 'tokens' ? formatNumber(value) : formatCurrency(value, currency);
  // Axis labels stay short so that they fit beside the bars: "6,3 tn", "0,015 US$".
  const formatTick = (value: number) =>
    measure === 'tokens'
      ? formatNumber(value, { notation: 'compact', maximumFractionDigits: 1 })
      : formatNumber(value, { style: 'currency', currency, maximumSignificantDigits: 2 });

  const totals = days.map((day) =>
    rows.filter((row) => row.day === day).reduce((sum, row) => sum + valueOf(row, measure), 0),
  );
  const maximum = Math.max(...totals, measure === 'tokens' ? 1 : 0.0001);

  const width = 480;
  const height = 200;
  const left = 84;
  const bottom = 24;
  const plotWidth = width - left - 8;
  const plotHeight = height - bottom - 8;
  const barWidth = plotWidth / days.length;
  const ticks = [0, 0.5, 1].map((fraction) => fraction * maximum);

  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={t('usage.chartLabel', { series: title })}
      >
        {ticks.map((tick) => {
          const y = 8 + plotHeight - (tick / maximum) * plotHeight;
          return (
            <g key={tick}>
              <line x1={left} x2={width - 8} y1={y} y2={y} className="gridline" />
              <text x={left - 6} y={y + 4} textAnchor="end" className="axis-label">
                {formatTick(tick)}
              </text>
            </g>
          );
        })}
        {days.map((day, dayIndex) => {
          let stacked = 0;
          return (
            <g key={day}>
              {tasks.map((task, taskIndex) => {
                const row = rows.find((candidate) => candidate.day === day && candidate.task === task);
                const value = row ? valueOf(row, measure) : 0;
                if (value === 0) return null;
                const barHeight = (value / maximum) * plotHeight;
                stacked += barHeight;
                return (
                  <rect
                    key={task}
                    x={left + dayIndex * barWidth + 1}
                    y={8 + plotHeight - stacked}
                    width={Math.max(barWidth - 2, 1)}
                    height={barHeight}
                    fill={TASK_COLOURS[taskIndex % TASK_COLOURS.length]}
                  >
                    <title>{`${formatDate(day)} · ${task}: ${format(value)}`}</title>
                  </rect>
                );
              })}
              {/* Every seventh day, counted back from today so that today is labelled. */}
              {(days.length - 1 - dayIndex) % 7 === 0 ? (
                <text
                  x={left + (dayIndex + 0.5) * barWidth}
                  y={height - 8}
                  textAnchor={dayIndex === days.length - 1 ? 'end' : 'middle'}
                  className="axis-label"
                >
                  {formatDate(day, { day: 'numeric', month: 'short' })}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <ul className="legend">
        {tasks.map((task, taskIndex) => (
          <li key={task}>
            <span
              className="swatch"
              style={{ background: TASK_COLOURS[taskIndex % TASK_COLOURS.length] }}
              aria-hidden="true"
            />
            {task}
          </li>
        ))}
      </ul>
    </figure>
  );
}

/** The ledger per task over the period, as a table: the chart's numbers for everyone. */
export function UsageTable({ rows }: { rows: UsagePerDayAndTask[] }) {
  const { t, formatNumber, formatCurrency } = useLocale();
  const tasks = tasksOf(rows);
  return (
    <table>
      <caption>{t('usage.perTask')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('tasks.task')}</th>
          <th scope="col" className="number">
            {t('usage.calls')}
          </th>
          <th scope="col" className="number">
            {t('usage.inputTokens')}
          </th>
          <th scope="col" className="number">
            {t('usage.outputTokens')}
          </th>
          <th scope="col" className="number">
            {t('usage.cost')}
          </th>
        </tr>
      </thead>
      <tbody>
        {tasks.map((task) => {
          const ofTask = rows.filter((row) => row.task === task);
          const sum = (pick: (row: UsagePerDayAndTask) => number) =>
            ofTask.reduce((total, row) => total + pick(row), 0);
          const currency = ofTask.find((row) => row.currency)?.currency;
          return (
            <tr key={task}>
              <th scope="row">{task}</th>
              <td className="number">{formatNumber(sum((row) => row.calls))}</td>
              <td className="number">{formatNumber(sum((row) => row.inputTokens))}</td>
              <td className="number">{formatNumber(sum((row) => row.outputTokens))}</td>
              <td className="number">
                {currency
                  ? formatCurrency(
                      sum((row) => row.cost),
                      currency,
                    )
                  : '–'}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
