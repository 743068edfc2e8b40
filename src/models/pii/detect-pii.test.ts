import { describe, expect, it } from 'vitest';
import { luhnCheckDigit, passesIbanChecksum, passesLuhn } from './check-digits.js';
import { detectPii, type PiiKind } from './detect-pii.js';

/** A fixed day, so that birth-date plausibility does not depend on when the tests run. */
const TODAY = new Date('2025-06-01T12:00:00Z');

/** Builds a personnummer (or samordningsnummer) with a correct Luhn check digit. */
function buildPersonnummer(options: { date: string; serial: string; separator?: '-' | '+' | '' }): string {
  const shortDate = options.date.slice(-6);
  const check = luhnCheckDigit(`${shortDate}${options.serial}`);
  return `${options.date}${options.separator ?? '-'}${options.serial}${check}`;
}

function found(text: string, kinds?: readonly PiiKind[]): string[] {
  return detectPii(text, { today: TODAY, ...(kinds ? { kinds } : {}) }).map(
    (match) => `${match.kind}:${match.text}`,
  );
}

describe('check digits', () => {
  it('computes the Luhn check digits of the fixtures instead of trusting memory', () => {
    expect(buildPersonnummer({ date: '811218', serial: '987' })).toBe('811218-9876');
    expect(buildPersonnummer({ date: '701063', serial: '222' })).toBe('701063-2227');
    expect(`556012579${luhnCheckDigit('556012579')}`).toBe('5560125790'); // Volvo AB
    expect(passesLuhn('50501055')).toBe(true); // bankgiro 5050-1055
    expect(passesLuhn('9912346')).toBe(true); // bankgiro 991-2346
    expect(passesLuhn('4111111111111111')).toBe(true); // Visa test card
    expect(passesLuhn('8112189875')).toBe(false);
    expect(passesLuhn('47112023')).toBe(false);
  });

  it('checks IBANs modulo 97', () => {
    expect(passesIbanChecksum('SE4550000000058398257466')).toBe(true);
    expect(passesIbanChecksum('DE89370400440532013000')).toBe(true);
    expect(passesIbanChecksum('GB82WEST12345698765432')).toBe(true);
    expect(passesIbanChecksum('SE4550000000058398257467')).toBe(false);
  });
});

describe('detectPii: Swedish identity numbers', () => {
  it.each([
    ['Mitt personnummer är 811218-9876, tack.', 'personnummer:811218-9876'],
    ['Personnummer 8112189876 utan bindestreck.', 'personnummer:8112189876'],
    ['Född 1981: 19811218-9876.', 'personnummer:19811218-9876'],
    ['Tolv siffror: 198112189876.', 'personnummer:198112189876'],
    ['Pnr:811218-9876', 'personnummer:811218-9876'],
  ])('finds a personnummer in %j', (text, expected) => {
    expect(found(text)).toEqual([expected]);
  });

  it('finds the plus form of someone who has turned 100', () => {
    const centenarian = buildPersonnummer({ date: '240229', serial: '123', separator: '+' });
    expect(found(`Farfar har ${centenarian} som personnummer.`)).toEqual([`personnummer:${centenarian}`]);
  });

  it('finds samordningsnummer (day plus 60)', () => {
    expect(found('Samordningsnummer: 701063-2227.')).toEqual(['samordningsnummer:701063-2227']);
    const twelveDigits = buildPersonnummer({ date: '19900391', serial: '457' });
    expect(found(`Han har ${twelveDigits}.`)).toEqual([`samordningsnummer:${twelveDigits}`]);
  });

  it('refuses numbers with a wrong check digit or an impossible date', () => {
    const impossibleDates = [
      buildPersonnummer({ date: '811318', serial: '987' }), // month 13
      buildPersonnummer({ date: '810230', serial: '987' }), // 30 February
      buildPersonnummer({ date: '810229', serial: '987' }), // 29 February, 1981 is no leap year
      buildPersonnummer({ date: '19810229', serial: '987' }),
      buildPersonnummer({ date: '20300101', serial: '123' }), // born in the future
      buildPersonnummer({ date: '811292', serial: '987' }), // day 92 is 32 for a samordningsnummer
    ];
    expect(found(['811218-9875', '198112189875', ...impossibleDates].join(' och '))).toEqual([]);
  });
});

describe('detectPii: organisations, payments, contacts', () => {
  it('finds organisation numbers with and without the 16 prefix', () => {
    expect(found('Volvo AB har organisationsnummer 556012-5790 (16556012-5790, 5560125790).')).toEqual([
      'organisationsnummer:556012-5790',
      'organisationsnummer:16556012-5790',
      'organisationsnummer:5560125790',
    ]);
    expect(found('Fel kontrollsiffra: 556012-5791.')).toEqual([]);
  });

  it('finds e-mail addresses amid Swedish text', () => {
    expect(found('Hör av dig till åsa.öberg@företag.se så återkommer vi på måndag.')).toEqual([
      'email:åsa.öberg@företag.se',
    ]);
    expect(found('Skriv till kundtjänst@exempel.se. Älskar er!')).toEqual(['email:kundtjänst@exempel.se']);
    expect(found('Mejla anna.svensson+order@mail.example.com, tack')).toEqual([
      'email:anna.svensson+order@mail.example.com',
    ]);
  });

  it.each([
    '070-123 45 67',
    '0701234567',
    '070 123 45 67',
    '070-1234567',
    '+46 70 123 45 67',
    '+46701234567',
    '+46 (0)70-123 45 67',
    '0046 70 123 45 67',
    '08-123 456 78',
    '08-12 34 56',
    '031-12 34 56',
    '0410-123 45',
    '+46 8 123 456 78',
    '+442079460958',
    '+1 415 555 2671',
  ])('finds the phone number %s', (phone) => {
    expect(found(`Ring mig på ${phone} efter lunch.`)).toEqual([`phone:${phone}`]);
  });

  it('stops a phone number where the next number begins', () => {
    expect(found('Ring 08-123 45 67 12 gånger')).toEqual(['phone:08-123 45 67']);
    expect(found('Tel 070-123 45 67, 2 st')).toEqual(['phone:070-123 45 67']);
  });

  it('finds IBANs printed in groups or written together', () => {
    expect(found('IBAN: SE45 5000 0000 0583 9825 7466 BIC ESSESESS')).toEqual([
      'iban:SE45 5000 0000 0583 9825 7466',
    ]);
    expect(found('Konto SE4550000000058398257466.')).toEqual(['iban:SE4550000000058398257466']);
    expect(found('Tysk: DE89 3704 0044 0532 0130 00, brittisk: GB82 WEST 1234 5698 7654 32.')).toEqual([
      'iban:DE89 3704 0044 0532 0130 00',
      'iban:GB82 WEST 1234 5698 7654 32',
    ]);
    expect(found('Fel: SE45 5000 0000 0583 9825 7467')).toEqual([]);
  });

  it('finds bankgiro numbers', () => {
    expect(found('Betala till bankgiro 5050-1055 eller 991-2346.')).toEqual([
      'bankgiro:5050-1055',
      'bankgiro:991-2346',
    ]);
    expect(found('Fel kontrollsiffra 5050-1056.')).toEqual([]);
  });

  it('finds card numbers that pass the Luhn check', () => {
    expect(
      found(
        'Kort 4111 1111 1111 1111, 4111-1111-1111-1111, 4111111111111111, 5555 5555 5555 4444, 3782 822463 10005.',
      ),
    ).toEqual([
      'card:4111 1111 1111 1111',
      'card:4111-1111-1111-1111',
      'card:4111111111111111',
      'card:5555 5555 5555 4444',
      'card:3782 822463 10005',
    ]);
    expect(found('Kort 4111 1111 1111 1112')).toEqual([]);
  });

  it('only looks for the kinds asked for', () => {
    const text = 'anna@exempel.se, 811218-9876, 070-123 45 67';
    expect(found(text, ['email'])).toEqual(['email:anna@exempel.se']);
    expect(found(text, ['personnummer', 'phone'])).toEqual([
      'personnummer:811218-9876',
      'phone:070-123 45 67',
    ]);
  });
});

describe('detectPii: what is not personal data', () => {
  it.each([
    ['dates', 'Leverans 2024-05-17, 17/5 2024, 17.5.2024, 01-05-2024 eller 08-05-2024.'],
    ['ISO timestamps', 'Skapad 2024-05-17T10:30:00+02:00 och 2024-05-17T08:30:00Z, 20240517T103000.'],
    ['times and opening hours', 'Öppet kl 08:00–17:00, 08.00-17.00, 0800-1700, 1000-1600 och 10:30.'],
    ['years and year ranges', 'Grundat 1998, verksamt 2019-2023 och 2013-2023.'],
    // 4711-2024 passes the Luhn check: only the word before it says it is not a bankgiro.
    ['order numbers', 'Gäller order 123456, ordernummer 4711-2023 och ordernr: 4711-2024.'],
    ['invoice and article numbers', 'Faktura 5050-1055, artikelnr 4111 1111 1111 1111, OCR 556012-5790.'],
    ['prices', 'Pris 1 299 kr, 12 999:-, 1299,00 kr och 24 995 SEK.'],
    ['postal codes', 'Adress: Drottninggatan 1, 114 55 Stockholm, 411 04 Göteborg.'],
    ['numbers failing their check digit', 'Nummer 811218-9875, 556012-5791, 4111 1111 1111 1112, 5050-1056.'],
    ['short numbers', 'Rum 0412, kod 0800 och 08-17.'],
  ])('leaves %s alone', (_label, text) => {
    expect(found(text)).toEqual([]);
  });

  it('still finds a phone number after "bokning" or "kundtjänst", which introduce contact details', () => {
    expect(found('Bokning 08-123 45 67, kundtjänst: 070-123 45 67')).toEqual([
      'phone:08-123 45 67',
      'phone:070-123 45 67',
    ]);
  });

  it('reads a year range or opening hours as bankgiro only when the word bankgiro says so', () => {
    // Both pass the Luhn check, which is what makes them dangerous.
    expect(passesLuhn('20132023')).toBe(true);
    expect(passesLuhn('10001600')).toBe(true);
    expect(found('Verksamt 2013-2023, öppet 1000-1600.')).toEqual([]);
    expect(found('Bankgiro: 2013-2023, BG 1000-1600')).toEqual(['bankgiro:2013-2023', 'bankgiro:1000-1600']);
  });
});
