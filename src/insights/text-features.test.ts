import { describe, expect, it } from 'vitest';
import { analyseText, characterNgramKey, extractFeatures } from './text-features.js';

function featureNames(text: string): Array<string | number> {
  return [...extractFeatures(text).keys()];
}

describe('Swedish-aware text features', () => {
  it('turns the words after a negator around until punctuation or "men"', () => {
    const words = analyseText('Inte bra alls, men personalen var trevlig.').words;
    const bra = words.find((word) => word.word === 'bra')!;
    const trevlig = words.find((word) => word.word === 'trevlig')!;
    expect(bra.negated).toBe(true);
    expect(bra.polarity).toBeLessThan(0);
    expect(trevlig.negated).toBe(false);
    expect(trevlig.polarity).toBeGreaterThan(0);
    expect(featureNames('inget vidare')).toContain('w:¬vid');
    expect(featureNames('inte bra')).toEqual(expect.arrayContaining(['w:¬bra', 's:negated-']));
  });

  it('stems inflections to one word and splits intensifying compounds', () => {
    expect(featureNames('Leveransen var sen')).toContain('w:leverans');
    expect(featureNames('Leveranser')).toContain('w:leverans');
    const names = featureNames('Jättebra service!!!');
    expect(names).toEqual(expect.arrayContaining(['w:bra', 's:intense+', 's:exclamations']));
  });

  it('reads emojis, emoticons, capitals and stretched words as signals', () => {
    expect(featureNames('Tack 😍')).toEqual(expect.arrayContaining(['e:😍', 's:emoji+']));
    expect(featureNames('Usch 😡')).toContain('s:emoji-');
    expect(featureNames('Hmm :(')).toContain('s:emoticon-');
    expect(featureNames('Toppen :)')).toContain('s:emoticon+');
    expect(featureNames('SÅ DÅLIGT braaaa')).toEqual(
      expect.arrayContaining(['s:capitals', 's:stretched', 'w:bra']),
    );
  });

  it('weighs the clause after "men" as the verdict and keeps character n-grams of compounds', () => {
    expect(featureNames('Bra mat men dålig service')).toContain('s:contrast-');
    const names = featureNames('kundtjänstpersonalen');
    expect(names).toEqual(
      expect.arrayContaining(['tjä', 'pers', 'onal', ' kund', 'len '].map(characterNgramKey)),
    );
    expect(names).not.toContain(characterNgramKey('kundtjänstpersonalen'));
  });

  it('ignores links and @-mentions', () => {
    const names = featureNames('@namn kolla https://t.co/abc123');
    expect(
      names.some((name) => typeof name === 'string' && (name.includes('t.co') || name.includes('namn'))),
    ).toBe(false);
    expect(names).not.toContain(characterNgramKey('namn'));
  });
});
