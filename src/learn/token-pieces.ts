/**
 * How one token is shown to a person. Tokenizers work on bytes: a token may hold half of an
 * "å" (two bytes in UTF-8), and byte-level vocabularies spell a space as "Ġ", SentencePiece ones
 * as "▁". Each token is turned back into its bytes, the whole characters among them are shown as
 * text, and a byte that is only part of a character is shown as ‹C3›: honest about what the
 * tokenizer really cut, instead of a replacement character.
 */

export interface TokenPiece {
  /** The token's id in its vocabulary. */
  id: number;
  /** The token's text: whole characters as they are, bytes of a split character as ‹XX›. */
  text: string;
  /** The same with whitespace made visible: a space is ␣, a line break ↵, a tab ⇥. */
  display: string;
  /** The token's bytes in hex, e.g. `c3a5`. */
  bytes: string;
  /** False when the token holds only part of a character's bytes. */
  complete: boolean;
  /** A control token of the vocabulary (`<|im_start|>`, `<bos>`), not text. */
  special?: boolean;
  /** For a token that is not `complete`: the character(s) of the text its bytes are part of. */
  partOf?: string;
}

const VISIBLE_WHITESPACE: Record<string, string> = { ' ': '␣', '\n': '↵', '\t': '⇥', '\r': '␍' };

/** Length of the UTF-8 sequence a lead byte starts, or 0 for a byte that cannot start one. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

const strictDecoder = new TextDecoder('utf-8', { fatal: true });

function hexByte(byte: number): string {
  return `‹${byte.toString(16).toUpperCase().padStart(2, '0')}›`;
}

/** A token's text from its bytes, whole characters decoded and stray bytes as ‹XX›. */
export function readableBytes(bytes: Uint8Array): { text: string; complete: boolean } {
  let text = '';
  let complete = true;
  let index = 0;
  while (index < bytes.length) {
    const length = sequenceLength(bytes[index]!);
    if (length > 0 && index + length <= bytes.length) {
      try {
        text += strictDecoder.decode(bytes.subarray(index, index + length));
        index += length;
        continue;
      } catch {
        // An invalid sequence: fall through and show its first byte alone.
      }
    }
    text += hexByte(bytes[index]!);
    complete = false;
    index += 1;
  }
  return { text, complete };
}

/** Whitespace made visible for display. */
export function visibleWhitespace(text: string): string {
  return text.replace(/[ \n\t\r]/g, (character) => VISIBLE_WHITESPACE[character] ?? character);
}

/** A piece from a token's id and bytes. */
export function tokenPiece(id: number, bytes: Uint8Array, special = false): TokenPiece {
  const { text, complete } = special
    ? { text: Buffer.from(bytes).toString('utf8'), complete: true }
    : readableBytes(bytes);
  const piece: TokenPiece = {
    id,
    text,
    display: special ? text : visibleWhitespace(text),
    bytes: Buffer.from(bytes).toString('hex'),
    complete,
  };
  if (special) piece.special = true;
  return piece;
}

let byteLevelDecodeTable: Map<string, number> | undefined;

/**
 * GPT-2's byte-to-character table reversed: byte-level BPE vocabularies (GPT-2, Llama 3, Qwen,
 * SmolLM) store each byte as a printable character, a space being "Ġ" (U+0120).
 */
function byteLevelTable(): Map<string, number> {
  if (byteLevelDecodeTable !== undefined) return byteLevelDecodeTable;
  const printable: number[] = [];
  for (let byte = 0x21; byte <= 0x7e; byte += 1) printable.push(byte);
  for (let byte = 0xa1; byte <= 0xac; byte += 1) printable.push(byte);
  for (let byte = 0xae; byte <= 0xff; byte += 1) printable.push(byte);
  const table = new Map<string, number>();
  for (const byte of printable) table.set(String.fromCodePoint(byte), byte);
  let next = 0;
  for (let byte = 0; byte < 256; byte += 1) {
    if (!printable.includes(byte)) {
      table.set(String.fromCodePoint(256 + next), byte);
      next += 1;
    }
  }
  byteLevelDecodeTable = table;
  return table;
}

/** The bytes of a byte-level BPE token string (`ĠpÃ¥` → ` på`). */
export function byteLevelTokenBytes(token: string): Uint8Array {
  const table = byteLevelTable();
  const bytes: number[] = [];
  for (const character of token) {
    const byte = table.get(character);
    if (byte === undefined) return new Uint8Array(Buffer.from(token, 'utf8'));
    bytes.push(byte);
  }
  return Uint8Array.from(bytes);
}

/** The bytes of a SentencePiece token string: "▁" is a space and `<0xC3>` one raw byte. */
export function sentencePieceTokenBytes(token: string): Uint8Array {
  const byteToken = /^<0x([0-9A-Fa-f]{2})>$/.exec(token);
  if (byteToken) return Uint8Array.of(Number.parseInt(byteToken[1]!, 16));
  return new Uint8Array(Buffer.from(token.replace(/▁/g, ' '), 'utf8'));
}

/**
 * Marks each token that holds only part of a character with the character it came from: "‹C3›"
 * alone says little, "part of å" says what happened. Works when the tokens' bytes add up to the
 * text (no control tokens added), which is how the Learn tokenizers split; otherwise the tokens
 * are returned as they are.
 */
export function markSplitCharacters(tokens: TokenPiece[], text: string): TokenPiece[] {
  if (tokens.every((token) => token.complete)) return tokens;
  const textBytes = Buffer.from(text, 'utf8');
  const tokenBytes = Buffer.concat(tokens.map((token) => Buffer.from(token.bytes, 'hex')));
  if (!tokenBytes.equals(textBytes)) return tokens;
  // The byte offset where each character starts, and the character.
  const characters: Array<{ start: number; end: number; character: string }> = [];
  let offset = 0;
  for (const character of text) {
    const length = Buffer.byteLength(character, 'utf8');
    characters.push({ start: offset, end: offset + length, character });
    offset += length;
  }
  // Tokens and characters both run in text order: one pointer walks the characters alongside
  // the tokens (searching all characters for each token is quadratic on a long text).
  let tokenStart = 0;
  let firstCharacter = 0;
  return tokens.map((token) => {
    const tokenEnd = tokenStart + token.bytes.length / 2;
    while (firstCharacter < characters.length && characters[firstCharacter]!.end <= tokenStart)
      firstCharacter += 1;
    let marked = token;
    if (!token.complete) {
      const overlapping: string[] = [];
      for (let index = firstCharacter; index < characters.length; index += 1) {
        const entry = characters[index]!;
        if (entry.start >= tokenEnd) break;
        if (entry.start < tokenStart || entry.end > tokenEnd) overlapping.push(entry.character);
      }
      if (overlapping.length > 0) marked = { ...token, partOf: overlapping.join('') };
    }
    tokenStart = tokenEnd;
    return marked;
  });
}
