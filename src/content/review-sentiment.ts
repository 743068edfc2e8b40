/**
 * The sentiment of a customer review, so that the reply fits it: an apology and a way forward for
 * a negative review, thanks for a positive one. A stated rating decides (1–2 negative, 3 mixed,
 * 4–5 positive), since the customer said it themselves; otherwise a small Swedish and English
 * lexicon counts positive and negative words, with a negation just before a word turning it round.
 * Tier 1 needs no model for this; Insights will bring a better analyser, and this stays the fallback.
 */
export type ReviewSentiment = 'positive' | 'negative' | 'mixed';

const POSITIVE = [
  'bra',
  'bäst',
  'god',
  'gott',
  'goda',
  'trevlig',
  'snabb',
  'snabbt',
  'nöjd',
  'nöjda',
  'fantastisk',
  'underbar',
  'härlig',
  'perfekt',
  'rekommenderar',
  'tack',
  'älskar',
  'utmärkt',
  'vänlig',
  'smidig',
  'great',
  'good',
  'excellent',
  'love',
  'perfect',
  'friendly',
  'fast',
  'recommend',
  'happy',
  'amazing',
  'delicious',
];
const NEGATIVE = [
  'dålig',
  'dåligt',
  'dåliga',
  'sämst',
  'sen',
  'sent',
  'försenad',
  'trasig',
  'trasigt',
  'otrevlig',
  'missnöjd',
  'besviken',
  'besvikelse',
  'aldrig',
  'fel',
  'kall',
  'kallt',
  'långsam',
  'dyr',
  'dyrt',
  'klagomål',
  'bad',
  'terrible',
  'awful',
  'late',
  'broken',
  'rude',
  'disappointed',
  'never',
  'wrong',
  'cold',
  'slow',
  'worst',
];
const NEGATIONS = new Set(['inte', 'ej', 'icke', 'aldrig', 'not', "don't", 'never', 'no']);

export function reviewSentiment(review: string, rating?: string): ReviewSentiment {
  const stars = rating ? Number.parseFloat(rating.replace(',', '.')) : Number.NaN;
  if (Number.isFinite(stars)) return stars <= 2 ? 'negative' : stars < 4 ? 'mixed' : 'positive';
  const words = [...review.toLocaleLowerCase('sv').matchAll(/[\p{L}']+/gu)].map((match) => match[0]);
  let score = 0;
  words.forEach((word, index) => {
    const sign = NEGATIONS.has(words[index - 1] ?? '') ? -1 : 1;
    if (POSITIVE.includes(word)) score += sign;
    else if (NEGATIVE.includes(word) && !NEGATIONS.has(word)) score -= sign;
  });
  return score > 0 ? 'positive' : score < 0 ? 'negative' : 'mixed';
}

/** What the reply should do, per sentiment, in the reply's language. */
export const SENTIMENT_GUIDANCE: Record<ReviewSentiment, { sv: string; en: string }> = {
  negative: {
    sv: 'Recensionen är negativ: be om ursäkt utan undanflykter, bemöt det konkreta klagomålet, erbjud en väg framåt (kontakt, åtgärd) och var inte defensiv.',
    en: 'The review is negative: apologise without excuses, address the specific complaint, offer a way forward (contact, remedy) and do not be defensive.',
  },
  mixed: {
    sv: 'Recensionen är blandad: tacka för det positiva, ta det negativa på allvar och säg vad företaget gör åt det.',
    en: 'The review is mixed: thank them for the positive, take the negative seriously and say what you will do about it.',
  },
  positive: {
    sv: 'Recensionen är positiv: tacka varmt och personligt, nämn något de lyfte fram och välkomna dem tillbaka.',
    en: 'The review is positive: thank them warmly and personally, mention something they highlighted and welcome them back.',
  },
};
