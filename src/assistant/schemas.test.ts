/** The assistant's settings as an admin types them, read the way the widget's routes compare them. */
import { describe, expect, it } from 'vitest';
import { assistantSettingsSchema } from './schemas.js';

describe('assistant settings', () => {
  it('keeps allowed origins in the form browsers send in the Origin header', () => {
    const { allowedOrigins } = assistantSettingsSchema.parse({
      name: 'Kundtjänst',
      allowedOrigins: ['https://Åre-Cykel.se', 'https://www.example.se:443', 'https://example.se/'],
    });
    // A Swedish domain arrives in punycode; a default port and a trailing slash are not sent.
    expect(allowedOrigins).toEqual([
      'https://xn--re-cykel-8za.se',
      'https://www.example.se',
      'https://example.se',
    ]);
  });

  it('refuses what is not an origin', () => {
    for (const origin of ['inte en webbplats', 'https://example.se/sida', 'ftp://example.se']) {
      expect(assistantSettingsSchema.safeParse({ name: 'X', allowedOrigins: [origin] }).success, origin).toBe(
        false,
      );
    }
  });

  it('takes only http(s) webhook addresses', () => {
    expect(
      assistantSettingsSchema.safeParse({ name: 'X', webhookUrl: 'https://hd.example.se/hook' }).success,
    ).toBe(true);
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'ftp://hd.example.se/hook'])
      expect(assistantSettingsSchema.safeParse({ name: 'X', webhookUrl: url }).success, url).toBe(false);
  });
});
