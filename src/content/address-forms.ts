/**
 * Du or ni: finding how a Swedish text addresses its reader, and turning one form into the other.
 *
 * The forms: du, dig, din, ditt, dina (and the spoken dej) against ni, er, ert, era (and the old
 * eder, edert). Choices that keep false hits down, since a wrong flag costs the editor's trust:
 * - Only Swedish texts are checked; English "era" and "Din" mean something else.
 * - A word in capitals only ("NI", "ER") is taken for an abbreviation (Northern Ireland, the
 *   chemical Ni) and skipped; "Ni" and "Er" with one capital are the polite form or a sentence
 *   start, and count.
 * - "era" after an article or adjective ("en ny era", "den eran") is the noun (epoch), not "your".
 * - "er" / "Er" as "you" (object) or "your" (possessive) is told apart when converting: before a
 *   word that can be a noun it is the possessive ("er beställning" → "din beställning"),
 *   otherwise the object ("vi hjälper er" → "vi hjälper dig").
 * Verbs do not change between du and ni in Swedish ("du är", "ni är"), so replacing the pronouns
 * is the whole edit; a plural meaning ("ni alla") becomes singular, which is what a brand that
 * chose du wants.
 */
export type AddressFormName = 'du' | 'ni';

export interface AddressFormMatch {
  form: AddressFormName;
  /** The word as written ("Ni", "dina"). */
  word: string;
  start: number;
  end: number;
}

const DU_WORDS = new Set(['du', 'dig', 'dej', 'din', 'ditt', 'dina']);
const NI_WORDS = new Set(['ni', 'er', 'ert', 'era', 'eder', 'edert']);
/** Words before "era" that make it the noun "era" (epoch). */
const BEFORE_ERA_NOUN = new Set(['en', 'ny', 'nya', 'den', 'denna', 'vår', 'sin', 'hela', 'ett']);
/** Words after "er" that show it is the object, not the possessive: prepositions, adverbs, conjunctions. */
const NOT_A_NOUN_AFTER = new Set([
  'att',
  'och',
  'eller',
  'men',
  'som',
  'med',
  'till',
  'för',
  'på',
  'i',
  'av',
  'om',
  'från',
  'hos',
  'när',
  'så',
  'gärna',
  'snart',
  'igen',
  'nu',
  'också',
  'även',
  'direkt',
  'alla',
  'själva',
  'själv',
  'här',
  'där',
  'välkomna',
  'välkommen',
  'redan',
  'inte',
  'aldrig',
  'alltid',
  'mer',
  'mycket',
  'tillbaka',
  'ut',
  'in',
  'upp',
  'ner',
  'hem',
  'därför',
  'då',
  'ju',
  'väl',
  'bara',
  'under',
  'efter',
  'innan',
]);

const WORD_PATTERN = /[\p{L}]+/gu;

/** Every du- and ni-form in a Swedish text, with the false hits above left out. */
export function findAddressForms(text: string): AddressFormMatch[] {
  const words = [...text.matchAll(WORD_PATTERN)];
  const found: AddressFormMatch[] = [];
  words.forEach((match, index) => {
    const word = match[0];
    const lower = word.toLocaleLowerCase('sv');
    if (word.length > 1 && word === word.toLocaleUpperCase('sv')) return;
    let form: AddressFormName | undefined;
    if (DU_WORDS.has(lower)) form = 'du';
    else if (NI_WORDS.has(lower)) form = 'ni';
    if (!form) return;
    if (lower === 'era') {
      const previous = words[index - 1]?.[0].toLocaleLowerCase('sv');
      if (previous && BEFORE_ERA_NOUN.has(previous)) return;
    }
    found.push({ form, word, start: match.index, end: match.index + word.length });
  });
  return found;
}

function keepCase(original: string, replacement: string): string {
  const first = original[0];
  return first !== undefined && first !== first.toLocaleLowerCase('sv')
    ? replacement.charAt(0).toLocaleUpperCase('sv') + replacement.slice(1)
    : replacement;
}

/** The word after position `end`, lower-cased, when only spaces stand between. */
function nextWord(text: string, end: number): string | undefined {
  const match = /^[ \t]+([\p{L}]+)/u.exec(text.slice(end));
  return match?.[1]?.toLocaleLowerCase('sv');
}

function replacementFor(match: AddressFormMatch, text: string, target: AddressFormName): string {
  const lower = match.word.toLocaleLowerCase('sv');
  if (target === 'du') {
    switch (lower) {
      case 'ni':
        return 'du';
      case 'ert':
      case 'edert':
        return 'ditt';
      case 'era':
        return 'dina';
      default: {
        // er / eder: possessive before a noun, else the object.
        const next = nextWord(text, match.end);
        return next !== undefined && !NOT_A_NOUN_AFTER.has(next) && !DU_WORDS.has(next) && !NI_WORDS.has(next)
          ? 'din'
          : 'dig';
      }
    }
  }
  switch (lower) {
    case 'du':
      return 'ni';
    case 'ditt':
      return 'ert';
    case 'dina':
      return 'era';
    default:
      // dig, dej and din all become "er".
      return 'er';
  }
}

/** Replaces every form other than `target` by its `target` equivalent, keeping capitals. */
export function convertAddressForm(text: string, target: AddressFormName): string {
  const matches = findAddressForms(text).filter((match) => match.form !== target);
  let result = '';
  let position = 0;
  for (const match of matches) {
    result += text.slice(position, match.start) + keepCase(match.word, replacementFor(match, text, target));
    position = match.end;
  }
  return result + text.slice(position);
}
