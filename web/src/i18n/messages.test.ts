import { describe, expect, it } from 'vitest';
import { messages, translate, type MessageKey } from './messages.ts';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

describe('the web app’s texts', () => {
  it('has every text in Swedish and English, with the same placeholders in both', () => {
    for (const [key, text] of Object.entries(messages)) {
      expect(text.sv.trim(), `${key} (sv)`).not.toBe('');
      expect(text.en.trim(), `${key} (en)`).not.toBe('');
      expect(placeholders(text.sv), key).toEqual(placeholders(text.en));
    }
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('sv', 'signedInAs', { name: 'Astrid' })).toBe('Inloggad som Astrid');
    expect(translate('en', 'signedInAs', { name: 'Astrid' })).toBe('Signed in as Astrid');
    expect(translate('en', 'signedInAs')).toBe('Signed in as {name}');
  });

  it('names every capability in the menu in both languages', () => {
    const navigation: MessageKey[] = [
      'nav.assistant',
      'nav.inbox',
      'nav.knowledge',
      'nav.content',
      'nav.insights',
      'nav.learn',
      'nav.models',
      'nav.settings',
    ];
    expect(navigation.map((key) => messages[key].sv)).toEqual([
      'Assistent',
      'Inkorg',
      'Kunskap',
      'Innehåll',
      'Insikter',
      'Lär dig',
      'Modeller',
      'Inställningar',
    ]);
    expect(navigation.map((key) => messages[key].en)).toEqual([
      'Assistant',
      'Inbox',
      'Knowledge',
      'Content',
      'Insights',
      'Learn',
      'Models',
      'Settings',
    ]);
  });
});
