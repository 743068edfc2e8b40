/**
 * Check-digit algorithms of the identifiers Polett redacts. A number that fails its check digit
 * is left alone: it is far more often an order number or an amount than a mistyped identifier,
 * and redacting it would cost the model context for nothing.
 */

/** True when the digits pass the Luhn (mod 10) check: personnummer, organisationsnummer, bankgiro, cards. */
export function passesLuhn(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let index = 0; index < digits.length; index++) {
    // Counted from the right, every second digit is doubled; the check digit itself is not.
    let value = digits.charCodeAt(digits.length - 1 - index) - 48;
    if (index % 2 === 1) {
      value *= 2;
      if (value > 9) value -= 9;
    }
    sum += value;
  }
  return sum % 10 === 0;
}

/** The Luhn check digit that completes the given digits. */
export function luhnCheckDigit(digitsWithoutCheck: string): number {
  for (let candidate = 0; candidate <= 9; candidate++) {
    if (passesLuhn(`${digitsWithoutCheck}${candidate}`)) return candidate;
  }
  // Unreachable for a string of digits: exactly one of the ten candidates passes.
  throw new Error(`Not a string of digits: ${digitsWithoutCheck}`);
}

/**
 * True when a compact IBAN (no spaces, upper case) passes the ISO 13616 mod 97 check: the first
 * four characters move to the end, letters become 10..35, and the number modulo 97 must be 1.
 */
export function passesIbanChecksum(compactIban: string): boolean {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(compactIban)) return false;
  const rearranged = compactIban.slice(4) + compactIban.slice(0, 4);
  let remainder = 0;
  for (const character of rearranged) {
    const code = character.charCodeAt(0);
    const value = code >= 65 ? String(code - 55) : character;
    // Digit by digit keeps the running number far below 2^53.
    for (const digit of value) remainder = (remainder * 10 + (digit.charCodeAt(0) - 48)) % 97;
  }
  return remainder === 1;
}
