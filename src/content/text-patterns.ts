/**
 * Small text helpers the rule checks, the fixes and the fact check share: emojis, sentences and
 * words, all Unicode-aware so that å, ä and ö are letters.
 */

/**
 * One emoji, including skin tones, variation selectors and ZWJ sequences (👩‍💻), so that removing
 * it leaves no invisible remainder. Keycaps and flags are pictographic too.
 */
export const EMOJI_PATTERN =
  /(?:\p{Extended_Pictographic}|\p{Regional_Indicator})(?:\uFE0F|\p{Emoji_Modifier})?(?:\u200D(?:\p{Extended_Pictographic})(?:\uFE0F|\p{Emoji_Modifier})?)*/gu;

export function findEmojis(text: string): Array<{ start: number; end: number; emoji: string }> {
  return [...text.matchAll(new RegExp(EMOJI_PATTERN.source, 'gu'))].map((match) => ({
    start: match.index,
    end: match.index + match[0].length,
    emoji: match[0],
  }));
}

/** A sentence with where it stands in the text. */
export interface SentenceSpan {
  start: number;
  end: number;
  text: string;
}

/**
 * Splits into sentences with `Intl.Segmenter`, which knows that "t.ex." and "kl. 9" do not end a
 * sentence in most cases; a line break also ends one, since posts and ads use lines as sentences.
 */
export function splitSentences(text: string, locale: 'sv' | 'en' = 'sv'): SentenceSpan[] {
  const segmenter = new Intl.Segmenter(locale, { granularity: 'sentence' });
  const sentences: SentenceSpan[] = [];
  for (const segment of segmenter.segment(text)) {
    let offset = segment.index;
    for (const line of segment.segment.split('\n')) {
      const trimmedStart = line.length - line.trimStart().length;
      const trimmed = line.trim();
      if (trimmed.length > 0) {
        const start = offset + trimmedStart;
        sentences.push({ start, end: start + trimmed.length, text: trimmed });
      }
      offset += line.length + 1;
    }
  }
  return sentences;
}

export function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Collapses the double spaces and space-before-punctuation that a removal leaves behind. */
export function tidyWhitespace(text: string): string {
  return text
    .replace(/[ \t]{2,}/g, ' ')
    .replace(/ +([,.!?;:])/g, '$1')
    .replace(/^[ \t]+|[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Keeps the capital of the word being replaced: "Billig" → "Prisvärd". */
export function matchCase(original: string, replacement: string): string {
  if (original.length > 1 && original === original.toUpperCase() && /\p{L}/u.test(original))
    return replacement.toUpperCase();
  const first = original[0];
  if (first !== undefined && first !== first.toLowerCase())
    return replacement.charAt(0).toUpperCase() + replacement.slice(1);
  return replacement;
}
