/**
 * Passwords: argon2id (the library's default algorithm) with its default cost, OWASP's m=19 MiB and
 * t=2, and a salt per hash. A test checks the `$argon2id$` prefix so that a library change shows.
 */
import { hash, verify } from '@node-rs/argon2';
import { PolettError } from '../errors.js';

/** Shortest password accepted. Length matters more than character classes (NIST SP 800-63B). */
export const MINIMUM_PASSWORD_LENGTH = 10;

/** Refuses a password that is too short or too long, with one sentence in each language. */
export function checkPasswordPolicy(password: string, field = 'password'): void {
  if (password.length < MINIMUM_PASSWORD_LENGTH || password.length > 1024) {
    throw new PolettError({
      code: 'password_weak',
      status: 400,
      field,
      message: {
        sv: `Lösenordet måste ha minst ${MINIMUM_PASSWORD_LENGTH} tecken (högst 1024); välj ett längre, gärna en mening.`,
        en: `The password must have at least ${MINIMUM_PASSWORD_LENGTH} characters (at most 1024); choose a longer one, a sentence works well.`,
      },
    });
  }
}

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the time of one verification when no account matches, so that the answer's timing
 * does not tell an attacker which e-mail addresses have accounts.
 */
export async function verifyAgainstNothing(password: string): Promise<false> {
  dummyHash ??= hashPassword('polett-timing-equaliser');
  await verifyPassword(await dummyHash, password);
  return false;
}
