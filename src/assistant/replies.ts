/**
 * What the assistant says when it does not generate: in the conversation's language, as a person
 * at the company would put it. `{title}` and the like are filled in by `reply`.
 */
import type { Locale } from '../errors.js';

const REPLIES = {
  faqIntro: {
    sv: 'Det här står i {title}:',
    en: 'This is what {title} says:',
  },
  faqAlso: {
    sv: 'Det här kan också hjälpa, från {title}:',
    en: 'This may help too, from {title}:',
  },
  faqOffer: {
    sv: 'Svarade det på din fråga? Annars kopplar jag gärna in en medarbetare.',
    en: 'Did that answer your question? If not, I am happy to bring in a colleague.',
  },
  abstain: {
    sv: 'Jag hittar inget säkert svar på det i våra dokument, och jag vill inte gissa. Jag har lämnat din fråga till en medarbetare, som svarar här så snart som möjligt.',
    en: 'I cannot find a reliable answer to that in our documents, and I do not want to guess. I have passed your question to a colleague, who will answer here as soon as possible.',
  },
  unsupported: {
    sv: 'Jag hittar inte stöd för allt det här i våra dokument, så dubbelkolla gärna med en medarbetare.',
    en: 'I cannot find support for all of this in our documents, so please check with a colleague.',
  },
  handover: {
    sv: 'Jag kopplar dig till en medarbetare. Skriv gärna vad det gäller så länge; svaret kommer här i chatten.',
    en: 'I am connecting you with a colleague. Feel free to describe your question in the meantime; the answer will appear here in the chat.',
  },
  refusal: {
    sv: 'Det kan jag tyvärr inte hjälpa till med. Jag svarar på frågor om {company} utifrån våra egna dokument – vad vill du veta?',
    en: 'I am afraid I cannot help with that. I answer questions about {company} from our own documents – what would you like to know?',
  },
  handedBack: {
    sv: 'Du pratar nu med assistenten igen. Fråga gärna vidare!',
    en: 'You are now talking with the assistant again. Feel free to ask more!',
  },
  closed: {
    sv: 'Konversationen är avslutad. Skriv igen om du har fler frågor.',
    en: 'The conversation is closed. Write again if you have more questions.',
  },
} as const satisfies Record<string, { sv: string; en: string }>;

export type ReplyKey = keyof typeof REPLIES;

export function reply(key: ReplyKey, locale: Locale, values: Record<string, string> = {}): string {
  return REPLIES[key][locale].replace(
    /\{(\w+)\}/g,
    (placeholder, name: string) => values[name] ?? placeholder,
  );
}
