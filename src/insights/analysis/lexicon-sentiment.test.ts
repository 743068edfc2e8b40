import { describe, expect, it } from 'vitest';
import { compileAspects, DEFAULT_ASPECTS, findAspects } from './aspects.js';
import { lexiconSentiment } from './lexicon-sentiment.js';

describe('lexicon sentiment (tier 1, no model)', () => {
  it('reads Swedish and English, negation, intensifiers and emojis', () => {
    expect(lexiconSentiment('Mycket trevlig personal och snabb leverans!').label).toBe('positive');
    expect(lexiconSentiment('Inte bra alls, inget vidare.').label).toBe('negative');
    expect(lexiconSentiment('Leveransen kom i tisdags.').label).toBe('neutral');
    expect(lexiconSentiment('Terrible service, never again').label).toBe('negative');
    expect(lexiconSentiment('😡😡').label).toBe('negative');
    const plain = lexiconSentiment('bra').score;
    expect(lexiconSentiment('jättebra').score).toBeGreaterThan(plain);
  });
});

describe('keyword aspects', () => {
  const aspects = compileAspects(DEFAULT_ASPECTS);

  it('finds aspects in compounds and gives each the sentiment of its own sentence', () => {
    const found = findAspects(
      'Leveranstiden var alldeles för lång och dålig. Men personalen var jättetrevlig!',
      aspects,
    );
    expect(found.map((mention) => [mention.aspect, mention.label])).toEqual([
      ['leverans', 'negative'],
      ['personal', 'positive'],
    ]);
  });

  it('takes an edited aspect list', () => {
    const custom = compileAspects([{ name: 'parkering', keywords: ['parkering', 'p-plats'] }]);
    expect(findAspects('Parkeringen var inte bra', custom)).toEqual([
      expect.objectContaining({ aspect: 'parkering', label: 'negative' }),
    ]);
    expect(findAspects('Parkeringen var inte bra', aspects)).toEqual([]);
  });
});
