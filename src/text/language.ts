/**
 * Language detection for documents and customer texts. tinyld is trained on short texts (reviews,
 * messages) as well as long ones and tells Swedish from Norwegian and Danish better than trigram
 * detectors on a sentence; below a few words no detector is reliable, so we answer "unknown".
 */
import { detectAll } from 'tinyld';

export interface DetectedLanguage {
  /** ISO 639-1, such as `sv` or `en`. */
  language: string;
  /** tinyld's score of the best language, 0 to 1. */
  confidence: number;
}

/** Fewer letters than this and the answer is undefined: "Bra!" is no evidence of anything. */
const MINIMUM_LETTERS = 12;

/** Swedish, English and the neighbours a Swedish company's customers write in. */
const LIKELY_LANGUAGES = ['sv', 'en', 'no', 'da', 'fi', 'de', 'fr', 'es', 'nl', 'pl', 'is', 'it', 'ar', 'ru'];

/**
 * The language of a text, or undefined when the text is too short or the detector unsure. Only
 * languages a Swedish company's customers plausibly write in are considered, which keeps short
 * Swedish texts from being taken for Low German or Frisian.
 */
export function detectLanguage(text: string): DetectedLanguage | undefined {
  const sample = text.length > 2000 ? text.slice(0, 2000) : text;
  const letters = sample.match(/\p{L}/gu)?.length ?? 0;
  if (letters < MINIMUM_LETTERS) return undefined;
  const [best] = detectAll(sample, { only: LIKELY_LANGUAGES });
  if (!best || best.accuracy <= 0) return undefined;
  return { language: best.lang, confidence: Math.min(1, best.accuracy) };
}
