import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, setRequestLocale } from './client.ts';

afterEach(() => setRequestLocale('sv'));

describe('ApiError', () => {
  it('carries the server’s own sentence and code when the body has them', () => {
    const error = new ApiError(400, { error: { code: 'invalid_request', message: 'Fältet namn saknas.' } });
    expect(error.message).toBe('Fältet namn saknas.');
    expect(error.code).toBe('invalid_request');
  });

  it('says in one sentence, in the page’s language, what a failure without Polett’s body means', () => {
    expect(new ApiError(0, undefined, 'Failed to fetch').message).toBe(
      'Polett svarar inte (Failed to fetch); kontrollera nätverket och att servern är igång, och försök igen.',
    );
    expect(new ApiError(413, undefined).message).toMatch(/^Det som skickades är för stort/);
    expect(new ApiError(502, undefined).code).toBe('http_502');
    setRequestLocale('en');
    expect(new ApiError(504, undefined).message).toBe(
      'The server, or a proxy in front of it, does not answer right now (HTTP 504); try again in a moment.',
    );
    expect(new ApiError(418, undefined).message).toBe(
      'The server answered HTTP 418 without an explanation; try again, and contact the administrator if it happens again.',
    );
  });
});
