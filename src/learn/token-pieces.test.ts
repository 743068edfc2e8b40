/**
 * Token pieces: bytes of a split character shown as ‹XX› and marked with the character they are
 * part of, on text of any length the route accepts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_TOKENIZE_CHARACTERS } from './schemas.js';
import { markSplitCharacters, tokenPiece, type TokenPiece } from './token-pieces.js';

/** One token per byte of the text, as a byte-level vocabulary falls back to for rare characters. */
function byteTokens(text: string): TokenPiece[] {
  return [...Buffer.from(text, 'utf8')].map((byte, index) => tokenPiece(index, Uint8Array.of(byte)));
}

describe('markSplitCharacters', () => {
  it('names the character each partial token is part of', () => {
    const pieces = [
      tokenPiece(1, new Uint8Array(Buffer.from('sm'))),
      tokenPiece(2, Uint8Array.of(0xc3)),
      tokenPiece(3, new Uint8Array([0xb6, ...Buffer.from('rgås')])),
    ];
    const marked = markSplitCharacters(pieces, 'smörgås');
    expect(marked.map((piece) => [piece.text, piece.complete, piece.partOf])).toEqual([
      ['sm', true, undefined],
      ['‹C3›', false, 'ö'],
      ['‹B6›rgås', false, 'ö'],
    ]);
  });

  // Every token of this text is partial. Matching each token against every character was
  // quadratic: a second for the route's longest text, per tokenizer, and a request may name
  // twelve; four times that text took about 15 seconds. Walking both in order takes milliseconds.
  const text = '𓀀𓁐'.repeat(MAX_TOKENIZE_CHARACTERS);
  let tokens: TokenPiece[] = [];
  beforeAll(() => {
    tokens = byteTokens(text);
  });

  it('marks a long text, all split into bytes, in one pass', { timeout: 5_000 }, () => {
    const marked = markSplitCharacters(tokens, text);
    expect(marked).toHaveLength(Buffer.byteLength(text));
    expect(marked.every((piece) => !piece.complete && piece.partOf !== undefined)).toBe(true);
    expect(marked.slice(0, 8).map((piece) => piece.partOf)).toEqual(['𓀀', '𓀀', '𓀀', '𓀀', '𓁐', '𓁐', '𓁐', '𓁐']);
    expect(marked.at(-1)!.partOf).toBe('𓁐');
  });
});
