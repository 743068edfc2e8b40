/**
 * Tier-1 sentiment without labels or a model: the Swedish and English lexicon over the analysed
 * words (negation turns a word around, intensifiers double it, dampeners halve it), plus emojis
 * and emoticons. The score is squashed to -1…1; a small dead zone around zero is neutral.
 */
import { analyseText, type AnalysedText, type AnalysedWord } from '../text-features.js';

export type SentimentLabel = 'positive' | 'neutral' | 'negative';

export interface SentimentScore {
  label: SentimentLabel;
  /** -1 (very negative) to 1 (very positive). */
  score: number;
}

export const LEXICON_MODEL = 'lexicon-sv-en';
/** |score| below this is neutral: one mild word in a long text is not an opinion. */
const NEUTRAL_BAND = 0.2;

function squash(sum: number, evidence: number): SentimentScore {
  const score = evidence === 0 ? 0 : Math.tanh(sum / Math.sqrt(evidence + 1));
  const label: SentimentLabel =
    score > NEUTRAL_BAND ? 'positive' : score < -NEUTRAL_BAND ? 'negative' : 'neutral';
  return { label, score: Number(score.toFixed(4)) };
}

/** Sentiment of some analysed words (a whole text, or the sentence an aspect is in). */
export function scoreWords(words: readonly AnalysedWord[], extra: readonly number[] = []): SentimentScore {
  let sum = 0;
  let evidence = 0;
  for (const word of words)
    if (word.polarity !== 0) {
      sum += Math.sign(word.polarity) * word.emphasis;
      evidence += 1;
    }
  for (const polarity of extra)
    if (polarity !== 0) {
      sum += Math.sign(polarity);
      evidence += 1;
    }
  return squash(sum, evidence);
}

/** Sentiment of a whole text. */
export function lexiconSentiment(text: string | AnalysedText): SentimentScore {
  const analysed = typeof text === 'string' ? analyseText(text) : text;
  return scoreWords(analysed.words, [...analysed.emojiPolarities, ...analysed.emoticonPolarities]);
}
