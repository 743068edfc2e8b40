import { describe, expect, it } from 'vitest';
import { detectLanguage } from './language.js';

describe('detectLanguage', () => {
  it.each([
    ['sv', 'Hej, jag vill returnera min beställning av en soffa.'],
    ['sv', 'Leveransen var snabb och personalen i kundtjänst var trevlig.'],
    ['no', 'Jeg vil gjerne returnere bestillingen min av en sofa.'],
    ['da', 'Jeg vil gerne returnere min bestilling af en sofa.'],
    ['en', 'I would like to return my order of a sofa.'],
    ['de', 'Ich möchte meine Bestellung eines Sofas zurückgeben.'],
    ['fi', 'Haluaisin palauttaa sohvatilaukseni.'],
  ])('tells %s in one sentence', (language, text) => {
    expect(detectLanguage(text)?.language).toBe(language);
  });

  it('answers undefined for text too short to tell', () => {
    expect(detectLanguage('Bra!')).toBeUndefined();
    expect(detectLanguage('12 345 67')).toBeUndefined();
  });

  it('looks at the start of a long text only, with a confidence between 0 and 1', () => {
    const text = `${'Vi levererar möbler till hela Sverige och hjälper dig att välja rätt. '.repeat(40)}${'This part is in English and comes far later. '.repeat(200)}`;
    const detected = detectLanguage(text);
    expect(detected?.language).toBe('sv');
    expect(detected?.confidence).toBeGreaterThan(0);
    expect(detected?.confidence).toBeLessThanOrEqual(1);
  });
});
