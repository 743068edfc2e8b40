/**
 * Visitor tokens for the widget: short-lived, signed (HMAC-SHA256 with a key derived from the
 * installation's secret), and bound to one assistant and one visitor. The widget gets one when it
 * opens on an allowed origin and sends it with every message; a token of another assistant, an
 * expired one or a forged one is refused. No database lookup is needed to check one.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { PolettError } from '../errors.js';

/** How long a visitor token lasts; the widget asks for a new one before it runs out. */
export const VISITOR_TOKEN_SECONDS = 60 * 60;

export interface VisitorClaims {
  assistantId: string;
  visitorId: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

export const visitorTokenErrors = {
  invalid: () =>
    new PolettError({
      code: 'visitor_token_invalid',
      status: 401,
      field: 'authorization',
      message: {
        sv: 'Chattens besökarnyckel är ogiltig eller har gått ut; ladda om sidan för att börja om.',
        en: "The chat's visitor token is invalid or has expired; reload the page to start again.",
      },
    }),
  otherAssistant: () =>
    new PolettError({
      code: 'visitor_token_other_assistant',
      status: 403,
      field: 'authorization',
      message: {
        sv: 'Besökarnyckeln hör till en annan assistent; ladda om sidan.',
        en: 'The visitor token belongs to another assistant; reload the page.',
      },
    }),
};

export class VisitorTokens {
  constructor(
    private readonly key: Buffer,
    private readonly now: () => number = Date.now,
  ) {}

  issue(assistantId: string, visitorId: string = randomUUID()): { token: string; claims: VisitorClaims } {
    const claims: VisitorClaims = {
      assistantId,
      visitorId,
      expiresAt: Math.floor(this.now() / 1000) + VISITOR_TOKEN_SECONDS,
    };
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return { token: `${payload}.${this.sign(payload)}`, claims };
  }

  /** The claims of a valid token for `assistantId`; throws a 401 or 403 otherwise. */
  verify(token: string, assistantId: string): VisitorClaims {
    const [payload, signature, extra] = token.split('.');
    if (!payload || !signature || extra !== undefined) throw visitorTokenErrors.invalid();
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      throw visitorTokenErrors.invalid();
    let claims: VisitorClaims;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as VisitorClaims;
    } catch {
      throw visitorTokenErrors.invalid();
    }
    if (typeof claims.expiresAt !== 'number' || claims.expiresAt * 1000 <= this.now())
      throw visitorTokenErrors.invalid();
    if (claims.assistantId !== assistantId) throw visitorTokenErrors.otherAssistant();
    return claims;
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}
