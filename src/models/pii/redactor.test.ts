import { describe, expect, it } from 'vitest';
import { PiiSession, redactPii, restorePii } from './redactor.js';

const TODAY = new Date('2025-06-01T12:00:00Z');

/** A customer e-mail of the kind support receives, with every kind of personal data in it. */
function buildCustomerMessage(overrides: { email?: string; personnummer?: string } = {}): string {
  const email = overrides.email ?? 'åsa.öberg@exempel.se';
  const personnummer = overrides.personnummer ?? '811218-9876';
  return [
    `Hej! Jag heter Åsa och mitt personnummer är ${personnummer}.`,
    `Nå mig på ${email} eller 070-123 45 67 (jobbet: +46 8 123 456 78).`,
    'Återbetala till SE45 5000 0000 0583 9825 7466, eller bankgiro 5050-1055.',
    'Jag betalade med kortet 4111 1111 1111 1111 den 2024-05-17, ordernummer 4711-2024, 1 299 kr.',
    'Fakturan gick till vårt bolag, org.nr 556012-5790, Drottninggatan 1, 114 55 Stockholm.',
    `Min man har samordningsnummer 701063-2227. Skriv gärna till ${email} igen.`,
  ].join('\n');
}

describe('redactPii', () => {
  it('replaces every kind with a numbered placeholder and keeps the rest of the text', () => {
    const { text, entities } = redactPii(buildCustomerMessage(), { today: TODAY });
    expect(text).toBe(
      [
        'Hej! Jag heter Åsa och mitt personnummer är [PERSONNUMMER_1].',
        'Nå mig på [EMAIL_1] eller [PHONE_1] (jobbet: [PHONE_2]).',
        'Återbetala till [IBAN_1], eller bankgiro [BANKGIRO_1].',
        'Jag betalade med kortet [CARD_1] den 2024-05-17, ordernummer 4711-2024, 1 299 kr.',
        'Fakturan gick till vårt bolag, org.nr [ORGANISATIONSNUMMER_1], Drottninggatan 1, 114 55 Stockholm.',
        'Min man har samordningsnummer [SAMORDNINGSNUMMER_1]. Skriv gärna till [EMAIL_1] igen.',
      ].join('\n'),
    );
    expect(entities.map((entity) => entity.kind)).toEqual([
      'personnummer',
      'email',
      'phone',
      'phone',
      'iban',
      'bankgiro',
      'card',
      'organisationsnummer',
      'samordningsnummer',
      'email',
    ]);
  });

  it('reports where each original stood in the input', () => {
    const input = buildCustomerMessage();
    for (const entity of redactPii(input, { today: TODAY }).entities) {
      expect(input.slice(entity.start, entity.end)).toBe(entity.original);
    }
  });

  it('redacts only the kinds asked for', () => {
    const { text } = redactPii('Mejla anna@exempel.se eller ring 070-123 45 67.', { kinds: ['email'] });
    expect(text).toBe('Mejla [EMAIL_1] eller ring 070-123 45 67.');
  });

  it('returns the text itself when there is nothing to redact', () => {
    const text = 'Leverans 2024-05-17, order 123456, 1 299 kr till 114 55 Stockholm.';
    expect(redactPii(text)).toEqual({ text, entities: [] });
  });
});

describe('restorePii', () => {
  it('restores what was redacted, exactly', () => {
    const input = buildCustomerMessage();
    const { text, entities } = redactPii(input, { today: TODAY });
    for (const entity of entities) expect(text).not.toContain(entity.original);
    expect(restorePii(text, entities)).toBe(input);
  });

  it('round-trips many generated messages', () => {
    const emails = ['anna@exempel.se', 'örjan.ek@företag.se', 'x_y+z@sub.domän.nu'];
    const personnummer = ['811218-9876', '198112189876', '8112189876'];
    for (const email of emails) {
      for (const number of personnummer) {
        const input = buildCustomerMessage({ email, personnummer: number });
        const { text, entities } = redactPii(input, { today: TODAY });
        expect(text).not.toContain(email);
        expect(text).not.toContain(number);
        expect(restorePii(text, entities)).toBe(input);
      }
    }
  });

  it('leaves placeholders it does not know as they are', () => {
    const { entities } = redactPii('anna@exempel.se');
    expect(restorePii('[EMAIL_1] och [EMAIL_2] och [1]', entities)).toBe(
      'anna@exempel.se och [EMAIL_2] och [1]',
    );
  });

  it('escapes originals for JSON text', () => {
    const entities = [{ kind: 'email' as const, original: 'a"b@exempel.se', placeholder: '[EMAIL_1]' }];
    const restored = restorePii('{"to":"[EMAIL_1]"}', entities, { json: true });
    expect(JSON.parse(restored)).toEqual({ to: 'a"b@exempel.se' });
  });
});

describe('PiiSession', () => {
  it('gives the same original the same placeholder across the texts of one request', () => {
    const session = new PiiSession({ today: TODAY });
    expect(session.redact('Jag är anna@exempel.se.').text).toBe('Jag är [EMAIL_1].');
    expect(session.redact('Svara till bo@exempel.se, kopia anna@exempel.se.').text).toBe(
      'Svara till [EMAIL_2], kopia [EMAIL_1].',
    );
    expect(session.mappings).toEqual([
      { kind: 'email', original: 'anna@exempel.se', placeholder: '[EMAIL_1]' },
      { kind: 'email', original: 'bo@exempel.se', placeholder: '[EMAIL_2]' },
    ]);
    expect(session.restore('Jag mejlar [EMAIL_2] och [EMAIL_1].')).toBe(
      'Jag mejlar bo@exempel.se och anna@exempel.se.',
    );
  });

  it('never issues a placeholder the customer wrote, so restoring cannot rewrite their text', () => {
    const session = new PiiSession();
    const input = 'Mallen säger [EMAIL_1], men skriv till anna@exempel.se.';
    const { text } = session.redact(input);
    expect(text).toBe('Mallen säger [EMAIL_1], men skriv till [EMAIL_2].');
    expect(session.restore(text)).toBe(input);
  });

  it('honours reservations made before the text that contains the literal', () => {
    const session = new PiiSession();
    const later = 'Kunden skrev bokstavligen [PHONE_1].';
    session.reserve(later);
    expect(session.redact('Ring 070-123 45 67').text).toBe('Ring [PHONE_2]');
    expect(session.restore(session.redact(later).text)).toBe(later);
  });
});
