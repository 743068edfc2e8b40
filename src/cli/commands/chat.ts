import { createInterface } from 'node:readline/promises';
import { streamText, type ModelMessage } from 'ai';
import { openPolett } from '../../polett.js';
import { cliLocale, say } from '../output.js';

export interface ChatOptions {
  model?: string;
  system?: string;
  maxTokens?: string;
}

/**
 * `polett chat`: a streaming chat in the terminal with any configured model. With a pipe instead
 * of a terminal on standard input, the whole input is one message and the command answers once.
 */
export async function runChat(options: ChatOptions): Promise<void> {
  const locale = cliLocale();
  const polett = openPolett();
  try {
    const model = options.model
      ? polett.models.languageModel({ alias: options.model })
      : polett.models.languageModel({ task: 'chat' });
    const messages: ModelMessage[] = [];
    const maxOutputTokens = options.maxTokens ? Number(options.maxTokens) : undefined;

    const answer = async (text: string) => {
      messages.push({ role: 'user', content: text });
      const result = streamText({
        model,
        messages,
        maxRetries: 0,
        ...(options.system ? { system: options.system } : {}),
        ...(maxOutputTokens ? { maxOutputTokens } : {}),
        onError: () => {},
      });
      let reply = '';
      for await (const part of result.fullStream) {
        if (part.type === 'text-delta') {
          reply += part.text;
          process.stdout.write(part.text);
        } else if (part.type === 'error') {
          throw part.error;
        }
      }
      process.stdout.write('\n');
      messages.push({ role: 'assistant', content: reply });
    };

    if (!process.stdin.isTTY) {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (text) await answer(text);
      return;
    }

    const readline = createInterface({ input: process.stdin, output: process.stdout });
    process.stdout.write(
      say(
        {
          sv: `Chatt med ${model.modelId}. Skriv ditt meddelande; avsluta med /exit eller Ctrl+D.\n`,
          en: `Chat with ${model.modelId}. Type your message; leave with /exit or Ctrl+D.\n`,
        },
        locale,
      ),
    );
    try {
      for (;;) {
        let line: string;
        try {
          line = (await readline.question('> ')).trim();
        } catch {
          break;
        }
        if (line === '/exit' || line === '/quit') break;
        if (line) await answer(line);
      }
    } finally {
      readline.close();
    }
  } finally {
    await polett.close();
  }
}
