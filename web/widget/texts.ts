/** The widget's texts, Swedish and English. */
export type WidgetLocale = 'sv' | 'en';

export const TEXTS = {
  sv: {
    open: 'Chatta med oss',
    close: 'Stäng chatten',
    title: 'Kundtjänst',
    placeholder: 'Skriv din fråga …',
    send: 'Skicka',
    person: 'Prata med en person',
    sources: 'Källor',
    helpful: 'Bra svar',
    notHelpful: 'Dåligt svar',
    thanks: 'Tack för ditt omdöme!',
    you: 'Du',
    assistant: 'Assistenten',
    agent: 'Medarbetare',
    writing: 'Skriver …',
    unavailable: 'Chatten är inte tillgänglig just nu. Försök igen senare.',
    failed: 'Det gick inte att skicka meddelandet. Försök igen.',
    tooLong: 'Meddelandet är för långt ({limit} tecken högst).',
    waiting: 'En medarbetare har fått din fråga och svarar här.',
    messages: 'Meddelanden',
  },
  en: {
    open: 'Chat with us',
    close: 'Close the chat',
    title: 'Customer service',
    placeholder: 'Write your question …',
    send: 'Send',
    person: 'Talk to a person',
    sources: 'Sources',
    helpful: 'Helpful answer',
    notHelpful: 'Unhelpful answer',
    thanks: 'Thank you for your feedback!',
    you: 'You',
    assistant: 'Assistant',
    agent: 'Colleague',
    writing: 'Writing …',
    unavailable: 'The chat is not available right now. Please try again later.',
    failed: 'The message could not be sent. Please try again.',
    tooLong: 'The message is too long ({limit} characters at most).',
    waiting: 'A colleague has your question and will answer here.',
    messages: 'Messages',
  },
} as const satisfies Record<WidgetLocale, Record<string, string>>;

export type TextKey = keyof (typeof TEXTS)['sv'];
