/**
 * Reading a customer's question: its content words (stemmed, stop words out), how well a passage
 * covers them, how close two questions are, and the two intents the assistant acts on before any
 * model runs — asking for a person, and trying to steer the assistant.
 */
import { stemmer as englishStemmer } from '@orama/stemmers/english';
import { stemmer as swedishStemmer } from '@orama/stemmers/swedish';

/** Words that carry no subject in a customer question, in Swedish and English. */
const STOP_WORDS = new Set(
  `och att det som en ett är på för med till av om har inte jag du ni vi de den han hon man kan
  vill ska skulle hur vad var när varför vilken vilket vilka finns får mig dig er oss min mitt mina
  din ditt dina er era ert sin sitt sina så då än eller men också bara nu här där just hej tack
  snälla undrar fråga lite mycket mer något några någon alla allt ha hade blir bli gör göra
  the a an and or of to in on for with is are was were be been do does did have has had i you we
  they he she it my your our can could would should will what how when where why which who whom
  there here not no yes please hi hello thanks thank me us them this that these those about at
  from by as if so just any some get got`
    .split(/\s+/)
    .filter(Boolean),
);

/** Lower-cased words of a text (letters and digits, å, ä, ö kept as the letters they are). */
export function wordsOf(text: string): string[] {
  return text.toLocaleLowerCase('sv').match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * The content stems of a text. Both stemmers run: a customer may write English in a Swedish
 * shop, and a stem that matches in either language is evidence.
 */
export function contentStems(text: string): Set<string> {
  const stems = new Set<string>();
  for (const word of wordsOf(text)) {
    if (STOP_WORDS.has(word) || word.length < 2) continue;
    stems.add(swedishStemmer(word));
    const english = englishStemmer(word);
    if (english !== word) stems.add(english);
  }
  return stems;
}

/**
 * How much of the question a passage covers, 0 to 1: the share of the question's content words
 * that the passage contains, where a word also counts when it is a part of a compound in the
 * passage ("retur" in "returpolicyn") or the passage's word is part of it.
 */
export function questionCoverage(question: string, passage: string): number {
  const wanted = [...new Set(wordsOf(question).filter((word) => !STOP_WORDS.has(word) && word.length >= 2))];
  if (wanted.length === 0) return 0;
  const passageWords = wordsOf(passage);
  const passageStems = new Set(passageWords.map((word) => swedishStemmer(word)));
  for (const word of passageWords) passageStems.add(englishStemmer(word));
  let covered = 0;
  for (const word of wanted) {
    const stem = swedishStemmer(word);
    if (passageStems.has(stem) || passageStems.has(englishStemmer(word))) {
      covered += 1;
      continue;
    }
    // Compounds: a stem of four letters or more inside a longer word, or the other way round.
    if (
      stem.length >= 4 &&
      passageWords.some(
        (candidate) =>
          candidate.length > stem.length + 2 &&
          (candidate.startsWith(stem) || candidate.endsWith(stem) || candidate.includes(stem)),
      )
    ) {
      covered += 0.75;
    }
  }
  return covered / wanted.length;
}

/** How close two questions are, 0 to 1 (Dice coefficient of their content stems). */
export function questionSimilarity(first: string, second: string): number {
  const a = contentStems(first);
  const b = contentStems(second);
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const stem of a) if (b.has(stem)) shared += 1;
  return (2 * shared) / (a.size + b.size);
}

const ASKS_FOR_PERSON = [
  // Swedish: "prata med en person/människa/handläggare", "kan jag få en riktig människa", "kundtjänst".
  /\b(prata|tala|snacka|chatta)\s+(med\s+)?(en\s+|någon\s+)?(riktig\s+|verklig\s+|levande\s+)?(person|människa|människor|handläggare|medarbetare|kundtjänst|supporten?|personal|agent|någon)\b/iu,
  /\b(riktig|verklig|levande)\s+(person|människa)\b/iu,
  /\b(koppla|skicka)\s+(mig\s+)?(vidare\s+)?till\s+(en\s+)?(person|människa|handläggare|kundtjänst|support)/iu,
  /\bvill\s+(ha|få)\s+(hjälp\s+av\s+)?(en\s+)?(person|människa|handläggare)\b/iu,
  // English.
  /\b(talk|speak|chat)\s+(to|with)\s+(a\s+|an\s+|some\s*one\s*|somebody\s*)?(real\s+|live\s+|actual\s+)?(human|person|agent|representative|someone|somebody|staff|support)\b/iu,
  /\b(real|live|actual)\s+(human|person|agent)\b/iu,
  /\b(human|agent|operator|representative)\s*,?\s*please\b/iu,
  /\bconnect\s+me\s+(to|with)\b/iu,
];

/** Whether the customer asks to talk to a person. */
export function asksForPerson(text: string): boolean {
  return ASKS_FOR_PERSON.some((pattern) => pattern.test(text));
}

const STEERING_ATTEMPTS = [
  // "Ignore (all) previous/earlier instructions", in both languages.
  /\b(ignore|disregard|forget|override)\b.{0,40}\b(instructions?|rules?|prompts?|guidelines|directions)\b/iu,
  /\b(ignorera|strunta\s+i|glöm|bortse\s+från)\b.{0,40}\b(instruktion\w*|regl\w*|prompt\w*|riktlinje\w*|direktiv\w*)\b/iu,
  // Asking for the instructions themselves.
  /\b(system\s*prompt|systemprompt\w*|system\s+message|your\s+(instructions|prompt|rules)|dina\s+(instruktioner|regler|direktiv))\b/iu,
  /\b(reveal|show|print|repeat|output|tell\s+me)\b.{0,30}\b(your|the\s+system|the\s+hidden|the\s+initial|the\s+original)\s+(instructions|prompt|rules)\b/iu,
  /\b(repeat|print|output)\b.{0,20}\b(everything|all|the\s+text|the\s+words)\s+(above|before)\b/iu,
  /\b(visa|skriv\s+ut|upprepa|avslöja|berätta)\b.{0,30}\b(dina|systemets|de\s+dolda|de\s+ursprungliga)\s+(instruktioner|prompt\w*|regler)\b/iu,
  /\b(upprepa|skriv\s+ut)\b.{0,20}\ballt(\s+som\s+står)?\s+ovan(för)?\b/iu,
  // Role play to shed the persona.
  /\b(you\s+are\s+now|from\s+now\s+on\s+you|act\s+as|pretend\s+(to\s+be|you\s+are)|developer\s+mode|jailbreak)/iu,
  /\bDAN\b/u,
  /\b(du\s+är\s+nu|från\s+och\s+med\s+nu\s+är\s+du|låtsas\s+(att\s+du|vara)|spela\s+rollen)\b/iu,
  // Other customers' data.
  /\b(other|previous|all)\s+(customers?|users?|conversations?)\b.{0,40}\b(data|messages?|conversations?|details|e-?mails?|orders?)\b/iu,
  /\b(data|messages?|conversations?|details|e-?mails?|e-?mail\s+addresses|addresses|orders?|names|phone\s+numbers)\b.{0,30}\b(other|previous|all)\s+(customers?|users?|visitors?)\b/iu,
  // As in English, only together with what would be theirs: "brukar andra kunder köpa hjälm?" is
  // an ordinary question. Letter lookarounds rather than \b, which knows no å, ä or ö.
  /(?<![\p{L}\p{N}])(andra|tidigare|alla)\s+(kund(er|ers|erna|ernas)?|användar(e|es|na|nas)|besökar(e|es|na|nas)|konversationer|chattar)(?![\p{L}\p{N}]).{0,40}(?<![\p{L}\p{N}])(uppgifter\p{L}*|data|meddelanden\p{L}*|konversation\p{L}*|chatt\p{L}*|adress\p{L}*|e-?post\p{L}*|mejl\p{L}*|namn\p{L}*|telefonnummer\p{L}*|personnummer\p{L}*|beställning\p{L}*|order\p{L}*|kontaktuppgifter\p{L}*|frågat|frågade|skrivit|skrev|sagt|berättat|chattat)(?![\p{L}\p{N}])/iu,
  /(?<![\p{L}\p{N}])(uppgifter\p{L}*|data|meddelanden\p{L}*|konversationer\p{L}*|adress\p{L}*|e-?postadress\p{L}*|mejladress\p{L}*|namn\p{L}*|telefonnummer\p{L}*|personnummer\p{L}*|beställningar\p{L}*|kontaktuppgifter\p{L}*)(?![\p{L}\p{N}]).{0,30}(?<![\p{L}\p{N}])(om|från|till|för|på)\s+(andra|tidigare|alla)\s+(kund\p{L}*|användar\p{L}*|besökar\p{L}*)/iu,
];

/** Whether a customer message tries to steer the assistant away from its role or its data. */
export function looksLikeSteering(text: string): boolean {
  return STEERING_ATTEMPTS.some((pattern) => pattern.test(text));
}
