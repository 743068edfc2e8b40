/**
 * Finds personal data in free text: Swedish identity and organisation numbers, e-mail addresses,
 * phone numbers, IBANs, bankgiro numbers and payment cards. Every numeric kind is validated by its
 * check digit (and a personnummer by its date), because Swedish customer text is full of numbers
 * that look alike — order numbers, prices, postal codes, dates — and redacting those would only
 * cost the model context. Pure functions, no state: the placeholders live in `redactor.ts`.
 */
import { passesIbanChecksum, passesLuhn } from './check-digits.js';

/** The kinds of personal data Polett recognises. */
export const PII_KINDS = [
  'personnummer',
  'samordningsnummer',
  'organisationsnummer',
  'email',
  'phone',
  'iban',
  'bankgiro',
  'card',
] as const;
export type PiiKind = (typeof PII_KINDS)[number];

/** One piece of personal data found in a text; `start` and `end` are UTF-16 offsets into it. */
export interface PiiMatch {
  kind: PiiKind;
  text: string;
  start: number;
  end: number;
}

export interface DetectPiiOptions {
  /** The kinds to look for. Defaults to all of `PII_KINDS`. */
  kinds?: readonly PiiKind[];
  /**
   * The day against which birth dates are judged plausible (a 12-digit personnummer cannot be
   * born in the future). Defaults to now; tests pin it.
   */
  today?: Date;
}

/**
 * A number starts where no letter or digit touches it, and where it does not continue a number
 * through a joining character (`2024-05-17`, `1.299`, `10:30`): that keeps the pieces of dates,
 * times and amounts from being read as numbers of their own.
 */
const NUMBER_START = String.raw`(?<![\p{L}\p{N}_]|\p{N}[\-/.,:])`;
const NUMBER_END = String.raw`(?![\p{L}\p{N}_]|[\-/.,:]\p{N})`;

const PERSONAL_NUMBER_PATTERN = new RegExp(
  String.raw`${NUMBER_START}(\d{8}|\d{6})[-+]?(\d{4})${NUMBER_END}`,
  'gu',
);
const ORGANISATION_NUMBER_PATTERN = new RegExp(
  String.raw`${NUMBER_START}(16)?(\d{6})-?(\d{4})${NUMBER_END}`,
  'gu',
);
// Groups of four with one consistent separator (4-4-4-4, 4-4-4-4-3, 4-4-4-1), the 4-6-5 and 4-6-4
// layouts of American Express and Diners, or the digits written together.
const CARD_PATTERN = new RegExp(
  String.raw`${NUMBER_START}(?:\d{4}([ -])\d{4}\1\d{4}\1\d{1,4}(?:\1\d{1,3})?|\d{4}([ -])\d{6}\2\d{4,5}|\d{13,19})${NUMBER_END}`,
  'gu',
);
const BANKGIRO_PATTERN = new RegExp(String.raw`${NUMBER_START}\d{3,4}-\d{4}${NUMBER_END}`, 'gu');
// A phone number candidate: `+` or a leading 0, then digit groups joined by single spaces or
// dashes, with the `(0)` that people put after a country code. Its length is settled in code.
const PHONE_CANDIDATE_PATTERN = new RegExp(
  String.raw`${NUMBER_START}(?:\+|(?=0))\d+(?:[ \u00a0]?\(0\)[ \u00a0]?\d+)?(?:[ \u00a0-]\d+)*`,
  'gu',
);
const EMAIL_PATTERN =
  /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}_%+-](?:[\p{L}\p{N}._%+-]*[\p{L}\p{N}_%+-])?@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+\p{L}{2,}(?![\p{L}\p{N}_-])/gu;
const IBAN_START_PATTERN = /(?<![\p{L}\p{N}])[A-Z]{2}\d{2}/gu;

/**
 * Words that name a number as the company's own reference: an order, an invoice, an article. A
 * bankgiro, card, phone or organisation number that directly follows one is taken to be that
 * reference. Stems that are identifiers on their own (`order 4711-2023`) come first; stems that
 * also introduce contact details (`bokning 08-123 45 67`, `kundtjänst …`) count only with a number
 * word or `#` after them (`bokningsnummer`, `kundnr`).
 */
const NUMBER_WORD = String.raw`(?:nummer|numret|nr|no|number|id)`;
const REFERENCE_CONTEXT_PATTERN = new RegExp(
  String.raw`(?:^|[^\p{L}])(?:(?:order|faktura|invoice|ärende|artikel|referens|ref|kvitto|ocr|ticket|tracking|kolli)(?:[- .]?${NUMBER_WORD})?|(?:beställnings?|boknings?|kund|art|serie|serial|paket|sändnings?|spårnings?)(?:[- .]?${NUMBER_WORD}|\s*#))\.?\s*[:#]?\s*$`,
  'iu',
);
const BANKGIRO_CONTEXT_PATTERN =
  /(?:^|[^\p{L}])(?:bankgiro|bg)(?:[- ]?(?:nummer|numret|nr))?\.?\s*[:#]?\s*$/iu;
/** How far back the context words are looked for. */
const CONTEXT_WINDOW = 40;

/** Which kind wins when two matches cover the same characters (the longer match wins first). */
const PRIORITY: readonly PiiKind[] = [
  'personnummer',
  'samordningsnummer',
  'iban',
  'email',
  'card',
  'organisationsnummer',
  'bankgiro',
  'phone',
];

/**
 * IBAN lengths by country, from the SWIFT IBAN registry: the length is what ends an IBAN written
 * in groups. Kept as one string of country code and length so that it reads as a table.
 */
const IBAN_LENGTHS: ReadonlyMap<string, number> = new Map(
  [
    'AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DJ27 DK18',
    'DO28 EE20 EG29 ES24 FI18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HN28 HR21 HU28 IE22 IL23',
    'IQ23 IS26 IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 LY25 MC27 MD24 ME22 MK19 MN20 MR27',
    'MT31 MU30 NI28 NL18 NO15 OM23 PK24 PL28 PS29 QA29 RO24 RS22 RU33 SA24 SC31 SD18 SE24 SI19 SK24',
    'SM27 SO23 ST25 SV28 TL23 TN24 TR26 UA29 VA22 VG24 XK20 YE30',
  ]
    .join(' ')
    .split(' ')
    .map((entry) => [entry.slice(0, 2), Number(entry.slice(2))] as const),
);

/**
 * Finds the personal data in a text, longest match first where two overlap, in reading order.
 *
 * @example detectPii('Ring 070-123 45 67') // [{ kind: 'phone', text: '070-123 45 67', start: 5, end: 18 }]
 */
export function detectPii(text: string, options: DetectPiiOptions = {}): PiiMatch[] {
  const kinds = new Set(options.kinds ?? PII_KINDS);
  const today = options.today ?? new Date();
  const candidates: PiiMatch[] = [];

  if (kinds.has('personnummer') || kinds.has('samordningsnummer')) {
    for (const match of text.matchAll(PERSONAL_NUMBER_PATTERN)) {
      const kind = classifyPersonalNumber(match[1] ?? '', match[2] ?? '', today);
      if (kind !== undefined && kinds.has(kind)) candidates.push(toMatch(kind, match));
    }
  }
  if (kinds.has('organisationsnummer')) {
    for (const match of text.matchAll(ORGANISATION_NUMBER_PATTERN)) {
      if (
        isOrganisationNumber(`${match[2] ?? ''}${match[3] ?? ''}`) &&
        !followsReference(text, match.index)
      ) {
        candidates.push(toMatch('organisationsnummer', match));
      }
    }
  }
  if (kinds.has('card')) {
    for (const match of text.matchAll(CARD_PATTERN)) {
      if (isCardNumber(digitsOf(match[0])) && !followsReference(text, match.index)) {
        candidates.push(toMatch('card', match));
      }
    }
  }
  if (kinds.has('bankgiro')) {
    for (const match of text.matchAll(BANKGIRO_PATTERN)) {
      if (isBankgiro(match[0], text, match.index)) candidates.push(toMatch('bankgiro', match));
    }
  }
  if (kinds.has('phone')) candidates.push(...findPhoneNumbers(text));
  if (kinds.has('email')) {
    for (const match of text.matchAll(EMAIL_PATTERN)) candidates.push(toMatch('email', match));
  }
  if (kinds.has('iban')) candidates.push(...findIbans(text));

  return selectNonOverlapping(candidates);
}

function toMatch(kind: PiiKind, match: RegExpExecArray | RegExpMatchArray): PiiMatch {
  const start = match.index ?? 0;
  return { kind, text: match[0], start, end: start + match[0].length };
}

function digitsOf(text: string): string {
  return text.replace(/\D/g, '');
}

/** True when the text just before `start` names the number as an order, invoice or similar reference. */
function followsReference(text: string, start: number): boolean {
  return REFERENCE_CONTEXT_PATTERN.test(text.slice(Math.max(0, start - CONTEXT_WINDOW), start));
}

/**
 * A personnummer is a date (YYMMDD or YYYYMMDD), a three-digit birth number and a Luhn check
 * digit over the ten-digit form; a samordningsnummer is the same with 60 added to the day.
 */
function classifyPersonalNumber(
  datePart: string,
  serialPart: string,
  today: Date,
): 'personnummer' | 'samordningsnummer' | undefined {
  const fullYear = datePart.length === 8;
  const shortDate = fullYear ? datePart.slice(2) : datePart;
  if (!passesLuhn(`${shortDate}${serialPart}`)) return undefined;

  const month = Number(shortDate.slice(2, 4));
  const rawDay = Number(shortDate.slice(4, 6));
  const coordination = rawDay > 60;
  const day = coordination ? rawDay - 60 : rawDay;
  if (month < 1 || month > 12 || day < 1) return undefined;

  if (fullYear) {
    // A twelve-digit form carries its century: the person must be born between 1870 and today.
    const year = Number(datePart.slice(0, 4));
    if (year < 1870 || day > daysInMonth(year, month)) return undefined;
    if (
      Date.UTC(year, month - 1, day) >
      Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate())
    ) {
      return undefined;
    }
  } else {
    // The century is not written; 29 February is plausible in any year divisible by four
    // (2000 was a leap year even though 1900 was not).
    const shortYear = Number(shortDate.slice(0, 2));
    const maximumDay = month === 2 ? (shortYear % 4 === 0 ? 29 : 28) : daysInMonth(2001, month);
    if (day > maximumDay) return undefined;
  }
  return coordination ? 'samordningsnummer' : 'personnummer';
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * An organisationsnummer has a group digit (never 0 or 4) first, a third digit of at least 2 so
 * that it can never be mistaken for a birth date, and a Luhn check digit.
 */
function isOrganisationNumber(digits: string): boolean {
  const groupDigit = digits[0];
  const thirdDigit = Number(digits[2]);
  return groupDigit !== '0' && groupDigit !== '4' && thirdDigit >= 2 && passesLuhn(digits);
}

/** Card numbers are 13 to 19 digits, issued under 2 (Mastercard), 3 (Amex, Diners, JCB), 4 (Visa), 5 or 6. */
function isCardNumber(digits: string): boolean {
  return digits.length >= 13 && digits.length <= 19 && /^[2-6]/.test(digits) && passesLuhn(digits);
}

/**
 * A bankgiro number is 7 or 8 digits written NNN-NNNN or NNNN-NNNN with a Luhn check digit. The
 * shape is also the shape of year ranges (`2019-2023`), opening hours (`0800-1700`) and order
 * numbers, so those are refused unless the word bankgiro (or BG) stands right before the number.
 */
function isBankgiro(candidate: string, text: string, start: number): boolean {
  const digits = digitsOf(candidate);
  if (digits.startsWith('0') || !passesLuhn(digits)) return false;
  const before = text.slice(Math.max(0, start - CONTEXT_WINDOW), start);
  if (BANKGIRO_CONTEXT_PATTERN.test(before)) return true;
  if (REFERENCE_CONTEXT_PATTERN.test(before)) return false;
  const [first = '', second = ''] = candidate.split('-');
  const isYear = (part: string) => part.length === 4 && Number(part) >= 1800 && Number(part) <= 2099;
  const isClockTime = (part: string) =>
    part.length === 4 && Number(part.slice(0, 2)) <= 24 && Number(part.slice(2)) <= 59;
  if (isYear(first) && isYear(second)) return false;
  if (isClockTime(first) && isClockTime(second)) return false;
  return true;
}

/**
 * Phone numbers: Swedish ones written nationally (`070-123 45 67`, `08-123 456 78`), with the
 * country code (`+46 70 123 45 67`, `0046 8 123 456 78`, `+46 (0)70…`), and other countries' in
 * E.164 form (`+44 20 7946 0958`). A candidate that runs into following digits is shortened a
 * group at a time until it is a valid number, because a phone number is often followed by another.
 */
/** The longest a written phone number gets: 15 digits, a prefix, `(0)` and a separator between each. */
const MAXIMUM_PHONE_LENGTH = 36;

function findPhoneNumbers(text: string): PiiMatch[] {
  const found: PiiMatch[] = [];
  for (const match of text.matchAll(PHONE_CANDIDATE_PATTERN)) {
    const start = match.index;
    if (followsReference(text, start)) continue;
    // Only the first characters can belong to one number; a long run of digit groups (a table
    // row, a list of amounts) must not make this quadratic.
    const groupEnds = [...match[0].slice(0, MAXIMUM_PHONE_LENGTH).matchAll(/\(0\)|\d+/g)]
      .filter((group) => group[0] !== '(0)')
      .map((group) => group.index + group[0].length);
    for (let index = groupEnds.length - 1; index >= 0; index--) {
      const end = start + (groupEnds[index] ?? 0);
      const candidate = text.slice(start, end);
      if (isPhoneNumber(candidate) && !/^(?:[\p{L}\p{N}_]|[-/.,:]\p{N})/u.test(text.slice(end, end + 2))) {
        found.push({ kind: 'phone', text: candidate, start, end });
        break;
      }
    }
  }
  return found;
}

function isPhoneNumber(candidate: string): boolean {
  const withoutTrunkZero = candidate.replace(/[ \u00a0]?\(0\)[ \u00a0]?/, ' ');
  const groups = withoutTrunkZero.split(/[ \u00a0-]/);
  const digits = digitsOf(withoutTrunkZero);

  if (candidate.startsWith('+') || candidate.startsWith('00')) {
    const international = candidate.startsWith('+') ? digits : digits.slice(2);
    if (international.startsWith('46')) {
      // People often keep the trunk zero after +46 (`+46 070…`); the number is the same.
      return isSwedishSignificantNumber(international.slice(2).replace(/^0/, ''));
    }
    // E.164: a country code that never starts with 0, at most 15 digits in all.
    return /^[1-9]\d{7,14}$/.test(international);
  }

  if (groups.length > 1) {
    // Written nationally in groups, the first group is the area code with its zero: 08, 0xx or
    // 0xxx. The subscriber number after it never starts with 0 and has at least five digits.
    // Together these refuse dates (01-05-2024) and opening hours (0800-1700).
    const [areaCode = '', subscriberStart = ''] = groups;
    if (areaCode.length < 2 || areaCode.length > 4) return false;
    if (areaCode.length === 2 && areaCode !== '08') return false;
    if (subscriberStart.startsWith('0') || digits.length - areaCode.length < 5) return false;
  }
  return isSwedishSignificantNumber(digits.slice(1));
}

/** The Swedish national significant number (after 0 or +46): 7 to 9 digits; mobile numbers (7…) have 9. */
function isSwedishSignificantNumber(digits: string): boolean {
  if (!/^[1-9]\d{6,8}$/.test(digits)) return false;
  return !digits.startsWith('7') || digits.length === 9;
}

/**
 * IBANs are found by their country code and check digits, then read for exactly the country's
 * length, skipping the single spaces of the printed form, and confirmed by the mod 97 checksum.
 */
function findIbans(text: string): PiiMatch[] {
  const found: PiiMatch[] = [];
  for (const match of text.matchAll(IBAN_START_PATTERN)) {
    const start = match.index;
    const length = IBAN_LENGTHS.get(match[0].slice(0, 2));
    if (length === undefined) continue;
    let compact = '';
    let position = start;
    while (compact.length < length && position < text.length) {
      const character = text.charAt(position);
      if (/[A-Z0-9]/.test(character)) {
        compact += character;
        position++;
      } else if (character === ' ' && /[A-Z0-9]/.test(text.charAt(position + 1))) {
        position++;
      } else {
        break;
      }
    }
    if (compact.length !== length || /[\p{L}\p{N}]/u.test(text.charAt(position))) continue;
    if (passesIbanChecksum(compact)) {
      found.push({ kind: 'iban', text: text.slice(start, position), start, end: position });
    }
  }
  return found;
}

/** Keeps the longest of overlapping matches (then the higher priority), in reading order. */
function selectNonOverlapping(candidates: PiiMatch[]): PiiMatch[] {
  const ranked = [...candidates].sort(
    (left, right) =>
      right.end - right.start - (left.end - left.start) ||
      PRIORITY.indexOf(left.kind) - PRIORITY.indexOf(right.kind) ||
      left.start - right.start,
  );
  // Kept sorted by start, so that each overlap test is one binary search: a long tool result can
  // hold thousands of matches.
  const chosen: PiiMatch[] = [];
  for (const candidate of ranked) {
    let low = 0;
    let high = chosen.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((chosen[middle]?.start ?? 0) < candidate.start) low = middle + 1;
      else high = middle;
    }
    const previous = chosen[low - 1];
    const next = chosen[low];
    if (
      (previous === undefined || previous.end <= candidate.start) &&
      (next === undefined || next.start >= candidate.end)
    ) {
      chosen.splice(low, 0, candidate);
    }
  }
  return chosen;
}
