import { describe, expect, it } from 'vitest';
import {
  characterGrams,
  foldSwedish,
  stemSwedish,
  swedishAnalyzer,
  SwedishAnalyzer,
  SwedishLexicon,
  swedishWords,
} from './swedish.js';

describe('Swedish folding and words', () => {
  it('folds case and decorative accents but keeps å, ä and ö as letters', () => {
    expect(foldSwedish('Åsa ÄTER Öl på Café Bröd')).toBe('åsa äter öl på cafe bröd');
    expect(foldSwedish('Ærø Øresund Müsli naïve')).toBe('ärö öresund musli naive');
    // får, fär and för are three words: none may fold into another.
    expect(new Set(['får', 'fär', 'för'].map(foldSwedish)).size).toBe(3);
  });

  it('finds words with their offsets', () => {
    const words = swedishWords('Kundtjänsten, öppen 8–17!');
    expect(words.map((word) => word.surface)).toEqual(['Kundtjänsten', 'öppen', '8', '17']);
    expect(words[1]).toMatchObject({ folded: 'öppen', start: 14, end: 19 });
  });

  it('stems with the Snowball Swedish stemmer', () => {
    expect(stemSwedish('tjänsterna')).toBe('tjänst');
    expect(stemSwedish('betalningar')).toBe('betalning');
    expect(stemSwedish('2024')).toBe('2024');
  });

  it('makes character 4-grams across word boundaries', () => {
    expect(characterGrams('Kund tjänst')).toEqual([
      '_kun',
      'kund',
      'und_',
      'nd_t',
      'd_tj',
      '_tjä',
      'tjän',
      'jäns',
      'änst',
      'nst_',
    ]);
    expect(characterGrams('ö')).toEqual(['_ö_']);
  });
});

describe('compound splitting by morphology', () => {
  // A small vocabulary of its own: the splitter knows words, not compounds.
  const words = new Set([
    'kund',
    'tjänst',
    'retur',
    'policy',
    'arbete',
    'givare',
    'avgift',
    'skola',
    'gård',
    'ansvar',
    'svar',
    'vaccin',
    'ring',
    'för',
    'genom',
    'kassa',
    'försäkring',
    'barn',
  ]);
  const lexicon = new SwedishLexicon(words, { functionWords: new Set(['för', 'genom', 'och']) });

  it('splits at linking sounds and dropped vowels, and stems the inflected head', () => {
    expect(lexicon.split('kundtjänsten')).toEqual(['kund', 'tjänst']);
    expect(lexicon.split('returpolicy')).toEqual(['retur', 'policy']);
    expect(lexicon.split('försäkringskassan')).toEqual(['försäkring', 'kassa']);
    expect(lexicon.split('skolgården')).toEqual(['skola', 'gård']);
  });

  it('leaves known words, derivations and function-word particles whole', () => {
    expect(lexicon.split('ansvar')).toBeUndefined(); // not ans + var
    expect(lexicon.split('vaccinering')).toBeUndefined(); // vaccin + -ering, not vaccin + ring
    expect(lexicon.root('vaccinering')).toBe('vaccin');
    expect(lexicon.split('genomföra')).toBeUndefined();
    expect(lexicon.split('kund')).toBeUndefined();
  });

  it('gives a word its stem, compound parts and root as terms', () => {
    const analyzer = new SwedishAnalyzer(lexicon);
    expect(analyzer.termsOfWord('kundtjänsten')).toEqual(['kundtjänst', 'kund', 'tjänst']);
    expect(analyzer.termsOfWord('vaccinering')).toEqual(['vaccinering', 'vaccin']);
    expect(analyzer.analyze('Barnen ringde kundtjänsten')).toEqual({
      stems: ['barn', 'ring', 'kundtjänst'],
      compoundParts: ['kund', 'tjänst'],
    });
  });

  it('splits real compounds with the hunspell dictionary of dictionary-sv', async () => {
    const analyzer = await swedishAnalyzer();
    expect(analyzer.termsOfWord('kundtjänsten')).toEqual(expect.arrayContaining(['kund', 'tjänst']));
    expect(analyzer.termsOfWord('returpolicyn')).toEqual(expect.arrayContaining(['retur', 'policy']));
    expect(analyzer.termsOfWord('arbetsgivaravgifter')).toEqual(expect.arrayContaining(['avgift']));
    expect(analyzer.termsOfWord('ansvar')).toEqual(['ansv']);
  });
});
