/**
 * Aspects of the business a text talks about, found by keywords (tier 1): each aspect has a name
 * and Swedish and English keywords that the user can edit. A keyword matches a word's stem, or
 * starts or ends a compound ("leveranstiden", "hemleverans"), which Swedish makes of everything.
 * The sentiment toward an aspect is the lexicon sentiment of the sentence it is named in.
 */
import { z } from 'zod';
import { analyseText, stemSwedish, type AnalysedWord } from '../text-features.js';
import { scoreWords, type SentimentScore } from './lexicon-sentiment.js';

export const AspectDefinition = z.object({
  name: z.string().min(1).max(60),
  keywords: z.array(z.string().min(2).max(60)).min(1).max(200),
});
export type AspectDefinition = z.infer<typeof AspectDefinition>;

/** The aspects a new workspace starts with. */
export const DEFAULT_ASPECTS: AspectDefinition[] = [
  {
    name: 'pris',
    keywords: [
      'pris',
      'priser',
      'prisvärd',
      'dyr',
      'dyrt',
      'dyra',
      'billig',
      'billigt',
      'billiga',
      'kostnad',
      'kostar',
      'avgift',
      'faktura',
      'rabatt',
      'price',
      'expensive',
      'cheap',
      'cost',
    ],
  },
  {
    name: 'leverans',
    keywords: [
      'leverans',
      'leverera',
      'levererad',
      'frakt',
      'paket',
      'försenad',
      'försening',
      'skickad',
      'postnord',
      'budbil',
      'delivery',
      'shipping',
      'parcel',
    ],
  },
  {
    name: 'service',
    keywords: [
      'service',
      'kundtjänst',
      'bemötande',
      'support',
      'hjälp',
      'hjälpsam',
      'svar',
      'svarade',
      'kundservice',
      'customer service',
      'helpful',
    ],
  },
  {
    name: 'kvalitet',
    keywords: [
      'kvalitet',
      'trasig',
      'hållbar',
      'material',
      'slitstark',
      'defekt',
      'fungerar',
      'quality',
      'broken',
      'durable',
    ],
  },
  {
    name: 'personal',
    keywords: [
      'personal',
      'personalen',
      'säljare',
      'anställd',
      'expedit',
      'servitör',
      'montör',
      'mäklare',
      'staff',
      'employee',
      'waiter',
    ],
  },
  {
    name: 'webbplats',
    keywords: [
      'hemsida',
      'webbplats',
      'webbsida',
      'sajt',
      'app',
      'appen',
      'inloggning',
      'webbshop',
      'nätbutik',
      'website',
      'site',
      'checkout',
    ],
  },
];

export interface AspectMention extends SentimentScore {
  aspect: string;
}

interface CompiledAspect {
  name: string;
  stems: Set<string>;
  /** Stems long enough to be trusted as the start of a longer word ("leveran" → "leveranstiden"). */
  prefixes: string[];
  /** Keywords long enough to be trusted as the end of a compound ("hemleverans"). */
  endings: string[];
}

export function compileAspects(aspects: readonly AspectDefinition[]): CompiledAspect[] {
  return aspects.map((aspect) => {
    const lowered = aspect.keywords.map((keyword) => keyword.toLowerCase().trim());
    const stems = lowered.map((keyword) => stemSwedish(keyword));
    return {
      name: aspect.name,
      stems: new Set(stems),
      // Snowball stems "leverans" to "leveran" but "leveransen" to "leverans": prefixes bridge that.
      prefixes: stems.filter((stem) => stem.length >= 4 && !stem.includes(' ')),
      endings: lowered.filter((keyword) => keyword.length >= 5 && !keyword.includes(' ')),
    };
  });
}

function mentions(aspect: CompiledAspect, word: AnalysedWord): boolean {
  if (aspect.stems.has(word.stem)) return true;
  return (
    aspect.prefixes.some((prefix) => word.word.startsWith(prefix)) ||
    aspect.endings.some((ending) => word.word.length > ending.length + 2 && word.word.endsWith(ending))
  );
}

/** The aspects a text names, each with the sentiment of the sentences that name it. */
export function findAspects(text: string, aspects: readonly CompiledAspect[]): AspectMention[] {
  const analysed = analyseText(text);
  const found: AspectMention[] = [];
  for (const aspect of aspects) {
    const sentences = new Set<number>();
    for (const word of analysed.words) if (mentions(aspect, word)) sentences.add(word.sentence);
    if (sentences.size === 0) continue;
    const words = analysed.words.filter((word) => sentences.has(word.sentence));
    found.push({ aspect: aspect.name, ...scoreWords(words) });
  }
  return found;
}
