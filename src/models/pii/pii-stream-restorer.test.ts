import { describe, expect, it } from 'vitest';
import { PiiStreamRestorer } from './pii-stream-restorer.js';
import { PiiSession } from './redactor.js';

function buildSession(): PiiSession {
  const session = new PiiSession();
  session.redact('Personnummer 811218-9876, e-post åsa@exempel.se, telefon 070-123 45 67.');
  // Ten phone numbers, so that [PHONE_1] is a prefix of [PHONE_10].
  for (let index = 2; index <= 10; index++) session.redact(`+46 70 123 45 ${String(index).padStart(2, '0')}`);
  return session;
}

function streamThrough(
  session: PiiSession,
  deltas: readonly string[],
): { output: string; emitted: string[] } {
  const restorer = session.createStreamRestorer();
  const emitted = deltas.map((delta) => restorer.push(delta));
  emitted.push(restorer.flush());
  return { output: emitted.join(''), emitted };
}

describe('PiiStreamRestorer', () => {
  const answer =
    'Tack! [PERSONNUMMER_1] är registrerat, vi mejlar [EMAIL_1] och ringer [PHONE_1] eller [PHONE_10] [sic].';

  it('restores a placeholder split across two deltas', () => {
    const session = buildSession();
    const { output, emitted } = streamThrough(session, ['Ditt nummer [PERSON', 'NUMMER_1] är klart.']);
    expect(emitted[0]).toBe('Ditt nummer ');
    expect(emitted[1]).toBe('811218-9876 är klart.');
    expect(output).toBe('Ditt nummer 811218-9876 är klart.');
  });

  it('gives the same text for every split point', () => {
    const session = buildSession();
    const expected = session.restore(answer);
    expect(expected).toContain('811218-9876');
    for (let split = 0; split <= answer.length; split++) {
      expect(streamThrough(session, [answer.slice(0, split), answer.slice(split)]).output).toBe(expected);
    }
  });

  it('gives the same text one character at a time, and three at a time', () => {
    const session = buildSession();
    const expected = session.restore(answer);
    expect(streamThrough(session, [...answer]).output).toBe(expected);
    const threes = answer.match(/[\s\S]{1,3}/g) ?? [];
    expect(streamThrough(session, threes).output).toBe(expected);
  });

  it('holds back only what could still become a known placeholder', () => {
    const restorer = buildSession().createStreamRestorer();
    expect(restorer.push('Lista [1] och [EMA')).toBe('Lista [1] och ');
    expect(restorer.holding).toBe(true);
    expect(restorer.push('IL_9] okänd')).toBe('[EMAIL_9] okänd');
    expect(restorer.push('[PHONE_1')).toBe('');
    expect(restorer.push('0]')).toBe('+46 70 123 45 10');
    expect(restorer.push('[PHONE_1')).toBe('');
    expect(restorer.push('] slut')).toBe('070-123 45 67 slut');
    expect(restorer.holding).toBe(false);
  });

  it('releases an unfinished placeholder as it was at the end of the stream', () => {
    const restorer = buildSession().createStreamRestorer();
    expect(restorer.push('Avbrutet [EMAIL')).toBe('Avbrutet ');
    expect(restorer.flush()).toBe('[EMAIL');
  });

  it('escapes originals inside streamed JSON', () => {
    // The detector never takes a quote into an original; the escaping guards against one anyway.
    const restorer = new PiiStreamRestorer(new Map([['[EMAIL_1]', 'a"b@exempel.se']]), { json: true });
    const json = [restorer.push('{"to":"[EMA'), restorer.push('IL_1]"}'), restorer.flush()].join('');
    expect(JSON.parse(json)).toEqual({ to: 'a"b@exempel.se' });
  });
});
