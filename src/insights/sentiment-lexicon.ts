/**
 * Swedish and English sentiment words, intensifiers and negators: the language knowledge that the
 * tier-1 classifier adds on top of what it learns from the user's labels, and that the lexicon
 * sentiment (no labels, no model) scores with. Entries are Snowball stems for Swedish (matched
 * against stemmed tokens) and lower-case words for English, so inflections ("trevlig", "trevligt",
 * "trevliga") share one entry.
 */
import { stemmer as swedishStemmer } from '@orama/stemmers/swedish';

/** Words whose presence leans positive: everyday review and social-media Swedish, then English. */
const POSITIVE_WORDS = [
  // Swedish
  'bra', 'bäst', 'bättre', 'toppen', 'topp', 'super', 'utmärkt', 'fantastisk', 'fantastiskt', 'underbar',
  'underbart', 'härlig', 'härligt', 'trevlig', 'trevligt', 'vänlig', 'vänligt', 'snäll', 'snabb', 'snabbt',
  'smidig', 'smidigt', 'enkel', 'enkelt', 'proffsig', 'proffsigt', 'professionell', 'nöjd', 'nöjda', 'glad',
  'glada', 'tack', 'tacksam', 'rekommendera', 'rekommenderas', 'rekommenderar', 'perfekt', 'grym', 'grymt',
  'kanon', 'kanonbra', 'lysande', 'strålande', 'imponerad', 'imponerande', 'prisvärd', 'prisvärt', 'billig',
  'god', 'gott', 'goda', 'gillar', 'älskar', 'älska', 'kärlek', 'mysig', 'mysigt', 'fin', 'fint', 'fina',
  'vacker', 'vackert', 'trygg', 'tryggt', 'hjälpsam', 'hjälpsamma', 'tillmötesgående', 'punktlig', 'effektiv',
  'effektivt', 'kunnig', 'kunniga', 'noggrann', 'noggrant', 'positiv', 'positivt', 'bemötande', 'välkomnande',
  'fräsch', 'fräscht', 'ren', 'rent', 'lätt', 'grattis', 'lycka', 'lycklig', 'kul', 'roligt', 'rolig', 'skön',
  'skönt', 'najs', 'nice', 'awesome', 'wow', 'bravo', 'hurra', 'jättebra', 'superbra', 'klockren', 'felfri',
  'smaskig', 'utsökt', 'läcker', 'läckert', 'gedigen', 'pålitlig', 'seriös', 'snygg', 'snyggt', 'stolt',
  'glädje', 'förtjust', 'belåten', 'beröm', 'välgjord', 'prisvärda', 'vinnare', 'favorit',
  // English
  'good', 'great', 'excellent', 'amazing', 'awesome', 'love', 'loved', 'lovely', 'nice', 'friendly', 'fast',
  'quick', 'helpful', 'happy', 'pleased', 'recommend', 'recommended', 'perfect', 'best', 'better', 'fantastic',
  'wonderful', 'thanks', 'thank', 'easy', 'smooth', 'professional', 'reliable', 'cheap', 'beautiful', 'fine',
];

/** Words whose presence leans negative. */
const NEGATIVE_WORDS = [
  // Swedish
  'dålig', 'dåligt', 'dåliga', 'sämre', 'sämst', 'värdelös', 'värdelöst', 'usel', 'uselt', 'urusel', 'kass',
  'kasst', 'katastrof', 'katastrofal', 'besviken', 'besvikna', 'besvikelse', 'tyvärr', 'problem', 'fel',
  'felaktig', 'trasig', 'trasigt', 'sent', 'försenad', 'försening', 'långsam', 'långsamt', 'dyr',
  'dyrt', 'dyra', 'överpris', 'oförskämd', 'otrevlig', 'otrevligt', 'oprofessionell', 'slarvig', 'slarvigt',
  'klagomål', 'klaga', 'reklamation', 'reklamera', 'bedrägeri', 'bluff', 'lurad', 'lurade',
  'undvik', 'undvika', 'varnar', 'varning', 'arg', 'argt', 'irriterad', 'irriterande', 'ledsen', 'ledsna',
  'tråkig', 'tråkigt', 'hemsk', 'hemskt', 'fruktansvärd', 'fruktansvärt', 'förfärlig', 'skandal', 'skämt',
  'pinsamt', 'bedrövlig', 'bedrövligt', 'sorglig', 'sorgligt', 'orimlig', 'orimligt', 'ohjälpsam', 'ignorerade',
  'väntat', 'väntade', 'väntan', 'strul', 'krångel', 'krånglig', 'krångligt', 'struntar',
  'skit', 'skitdålig', 'fan', 'jävla', 'hata', 'hatar', 'avsky', 'äcklig', 'äckligt', 'smutsig', 'smutsigt',
  'ont', 'sjuk', 'rädd', 'orolig', 'oro', 'stress', 'stressad', 'trist', 'synd', 'tyvärr', 'misslyckad',
  'misslyckande', 'inkompetent', 'inkompetens', 'olustig', 'ångrar', 'ånger', 'förlorade', 'förlust', 'saknar',
  'saknades', 'skadad', 'skadat', 'skada', 'kaos', 'noll', 'sura', 'sur',
  // English
  'bad', 'worse', 'worst', 'terrible', 'awful', 'horrible', 'poor', 'disappointed', 'disappointing', 'slow',
  'late', 'broken', 'rude', 'expensive', 'never', 'avoid', 'scam', 'hate', 'angry', 'sad', 'problem', 'issue',
  'wrong', 'waste', 'refund', 'sorry', 'unfortunately', 'useless', 'annoying', 'delayed',
];

/** Words that make the next word count more: "mycket bra", "really bad". */
export const INTENSIFIERS = new Set([
  'mycket', 'väldigt', 'jätte', 'super', 'otroligt', 'extremt', 'riktigt', 'verkligen', 'helt', 'totalt',
  'oerhört', 'enormt', 'sjukt', 'grymt', 'galet', 'så', 'hur', 'mest', 'mer', 'alldeles', 'ytterst', 'himla',
  'very', 'really', 'so', 'extremely', 'totally', 'absolutely', 'incredibly', 'super', 'too', 'most',
]);

/** Words that make the next word count less: "ganska bra", "lite dyrt". */
export const DAMPENERS = new Set(['ganska', 'lite', 'något', 'relativt', 'hyfsat', 'rätt', 'quite', 'fairly', 'somewhat', 'slightly', 'bit']);

/**
 * Words that turn what follows around: "inte bra", "inget vidare", "aldrig igen", "utan problem",
 * "not good". Their scope ends at punctuation, a clause-joining conjunction or a few words.
 */
export const NEGATORS = new Set([
  'inte', 'ej', 'icke', 'aldrig', 'ingen', 'inget', 'inga', 'knappast', 'knappt', 'varken', 'utan', 'int', 'nt', 'not', 'no', 'never', 'nothing', 'none', 'neither', 'nor', 'without', 'dont', 'cant',
  'wont', 'isnt', 'wasnt', 'didnt', 'doesnt', 'aint',
]);

/** Conjunctions and words that end a negation's scope: "inte billigt men bra". */
export const SCOPE_ENDERS = new Set(['men', 'fast', 'dock', 'och', 'but', 'however', 'although', 'and']);

/** Prefixes of Swedish compounds that intensify the rest: "jättebra", "supersnabb", "skitdåligt". */
export const INTENSIFYING_PREFIXES = ['jätte', 'super', 'mega', 'skit', 'kanon', 'sjukt', 'asgrym', 'as', 'toppen', 'hyper', 'ur'];

/** Emojis that lean one way; the rest are kept as tokens and learnt from the labels. */
const POSITIVE_EMOJIS = [
  '😀', '😃', '😄', '😁', '😆', '😊', '🙂', '😍', '🥰', '😘', '😻', '🤩', '😎', '👍', '👏', '🙌', '💪', '🎉', '🥳',
  '❤', '💕', '💖', '💗', '💙', '💚', '💛', '💜', '🧡', '😂', '🤣', '😉', '😋', '🌞', '☀', '✨', '⭐', '🌟', '💯',
  '🙏', '👌', '🤗', '😇', '😌', '🔥', '♥',
];
const NEGATIVE_EMOJIS = [
  '😞', '😟', '😠', '😡', '🤬', '😢', '😭', '😩', '😫', '😤', '😒', '🙄', '😕', '🙁', '☹', '😣', '😖', '😔', '👎',
  '💔', '🤮', '🤢', '😱', '😰', '😨', '😬', '😑', '😐', '🤦', '😓', '😪', '💩',
];

/** Emoticons written with punctuation, with the lean of each. */
export const EMOTICONS: ReadonlyArray<{ pattern: RegExp; polarity: 1 | -1 }> = [
  { pattern: /(?:^|\s)[:;=8][-']?[)\]dDpP*](?=\s|$|[!.,])/g, polarity: 1 },
  { pattern: /(?:^|\s)[xX][dD]+(?=\s|$|[!.,])/g, polarity: 1 },
  { pattern: /<3+/g, polarity: 1 },
  { pattern: /(?:^|\s)[:;=][-']?[(\[/\\|sS](?=\s|$|[!.,])/g, polarity: -1 },
  { pattern: /(?:^|\s):'\(/g, polarity: -1 },
];

/** Strip the variation selector and skin tone so "❤️" and "❤" are one emoji. */
function emojiKey(emoji: string): string {
  return emoji.replace(/[\uFE0F\u{1F3FB}-\u{1F3FF}]/gu, '');
}

const WORD_SCORES = new Map<string, number>();
const STEM_SCORES = new Map<string, number>();
const EMOJI_SCORES = new Map<string, number>();
for (const [words, score] of [
  [POSITIVE_WORDS, 2],
  [NEGATIVE_WORDS, -2],
] as const)
  for (const word of words) {
    WORD_SCORES.set(word, score);
    STEM_SCORES.set(swedishStemmer(word), score);
  }
for (const emoji of POSITIVE_EMOJIS) EMOJI_SCORES.set(emojiKey(emoji), 2);
for (const emoji of NEGATIVE_EMOJIS) EMOJI_SCORES.set(emojiKey(emoji), -2);
// Negators carry no lean of their own: "inget" in "inget fel" is not a complaint.
for (const negator of NEGATORS) {
  WORD_SCORES.delete(negator);
  STEM_SCORES.delete(swedishStemmer(negator));
}

/** Lexicon score of one emoji, -2 to 2; 0 when it is not in the tables. */
export function emojiScore(emoji: string): number {
  return EMOJI_SCORES.get(emojiKey(emoji)) ?? 0;
}

/** Lexicon score of a lower-case word (by the word, else by its stem), -2 to 2; 0 when unknown. */
export function wordScore(word: string, stem: string): number {
  return WORD_SCORES.get(word) ?? STEM_SCORES.get(stem) ?? 0;
}
