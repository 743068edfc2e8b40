/**
 * Dates as feedback exports write them: ISO 8601, Swedish "2024-03-05 14:02", "5 mars 2024" (and
 * English "March 5, 2024"), numeric European or US dates, and Unix epochs in seconds or
 * milliseconds. date-fns parses the patterns and month names (Swedish and English locales).
 *
 * Numeric dates such as 03/05/2024 are ambiguous. The rule: one order is chosen per column, from
 * its values — a first part above 12 proves day-first, a second part above 12 proves month-first;
 * when no value decides, day-first (the European and Swedish order) unless the user says US. Times
 * without a zone are read as UTC, so an import gives the same result on every server.
 */
import { isValid, parse, parseISO } from 'date-fns';
import { enGB, sv } from 'date-fns/locale';

export type NumericDateOrder = 'day-first' | 'month-first';

const ISO_PATTERN = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const NUMERIC_PATTERN =
  /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?:[ T,]+(\d{1,2})[:.](\d{2})(?::(\d{2}))?)?$/;
const EPOCH_PATTERN = /^\d{10}(?:\d{3})?$/;

/** Month-name patterns tried in order, in Swedish and English. */
const NAMED_MONTH_FORMATS = [
  'd MMMM yyyy HH:mm',
  'd MMMM yyyy',
  'd MMM yyyy HH:mm',
  'd MMM yyyy',
  'd MMM. yyyy',
  'MMMM d, yyyy HH:mm',
  'MMMM d, yyyy',
  'MMM d, yyyy',
  'MMMM d yyyy',
];

/** Local date-fns result → the same wall-clock time in UTC. */
function asUtc(local: Date): Date {
  return new Date(
    Date.UTC(
      local.getFullYear(),
      local.getMonth(),
      local.getDate(),
      local.getHours(),
      local.getMinutes(),
      local.getSeconds(),
    ),
  );
}

function validUtc(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
): Date | undefined {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59)
    return undefined;
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  return date.getUTCDate() === day ? date : undefined;
}

/**
 * The order numeric dates of one column are written in, decided by its values (see the module's
 * comment); `fallback` when none decides.
 */
export function decideNumericDateOrder(
  values: Iterable<string>,
  fallback: NumericDateOrder = 'day-first',
): NumericDateOrder {
  for (const value of values) {
    const match = NUMERIC_PATTERN.exec(value.trim());
    if (!match) continue;
    if (Number(match[1]) > 12) return 'day-first';
    if (Number(match[2]) > 12) return 'month-first';
  }
  return fallback;
}

/** Parses one date; undefined when it is not a date in any supported format. */
export function parseFeedbackDate(raw: string, order: NumericDateOrder = 'day-first'): Date | undefined {
  const value = raw.trim().replace(/\s+/g, ' ');
  if (value === '') return undefined;
  if (EPOCH_PATTERN.test(value)) {
    const number = Number(value);
    const date = new Date(value.length === 13 ? number : number * 1000);
    return isValid(date) ? date : undefined;
  }
  if (ISO_PATTERN.test(value)) {
    const hasZone = /(?:Z|[+-]\d{2}:?\d{2})$/.test(value) && value.length > 10;
    const parsed = parseISO(value.replace(' ', 'T'));
    if (!isValid(parsed)) return undefined;
    return hasZone ? parsed : asUtc(parsed);
  }
  const numeric = NUMERIC_PATTERN.exec(value);
  if (numeric) {
    const first = Number(numeric[1]);
    const second = Number(numeric[2]);
    let year = Number(numeric[3]);
    if (numeric[3]!.length === 2) year += year < 70 ? 2000 : 1900;
    const [day, month] = order === 'day-first' ? [first, second] : [second, first];
    return validUtc(
      year,
      month,
      day,
      Number(numeric[4] ?? 0),
      Number(numeric[5] ?? 0),
      Number(numeric[6] ?? 0),
    );
  }
  // "den 5 mars 2024 kl. 14:02" → "5 mars 2024 14:02"
  const named = value
    .replace(/^(?:den|the)\s+/i, '')
    .replace(/\s*(?:kl\.?|klockan|at)\s*/i, ' ')
    .replace(/(\d)(?:st|nd|rd|th|:e|:a)\b/i, '$1')
    .toLowerCase();
  for (const locale of [sv, enGB])
    for (const format of NAMED_MONTH_FORMATS) {
      const parsed = parse(named, format, new Date(2000, 0, 1), { locale });
      if (isValid(parsed)) return asUtc(parsed);
    }
  return undefined;
}
