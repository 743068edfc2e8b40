import { describe, expect, it } from 'vitest';
import { analyseText, characterNgramKey, collectFeatures, extractFeatures } from './text-features.js';
import { TfidfVectorizer } from './tfidf-vectorizer.js';

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

  it('classifies through the fast path (remembered words, no map of counts) exactly as through the counts', () => {
    const texts = [
      'Inte bra alls, men personalen var trevlig.',
      'Jättebra service!!! Braaaa 😊 :)',
      'Leveransen kom aldrig… INTE NÖJD. Kundtjänsten svarade inte',
      'Det är ju’nte dåligt, ganska okej faktiskt <3',
      'Supersnabb leverans, mycket prisvärd. Rekommenderas! https://example.se @butiken',
      'xD så dålig kvalitet :( men fin färg',
    ];
    const vectorizer = TfidfVectorizer.fit(texts.map(extractFeatures), { sublinearTermFrequency: true });
    // Twice over: the second pass reads every word from the caches the first pass filled.
    for (const text of [...texts, ...texts, 'Aldrig mer! Jättedyrt och inte prisvärt']) {
      const counted = vectorizer.transform(extractFeatures(text));
      const collected = vectorizer.transformCollected((sink) => collectFeatures(text, sink));
      expect(Array.from(collected.indices)).toEqual(Array.from(counted.indices));
      expect(Array.from(collected.values)).toEqual(Array.from(counted.values));
    }
  });
});
