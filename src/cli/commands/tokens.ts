/**
 * `polett tokens "<text>" [--tokenizer NAME] [--json]`: a text split into tokens by real
 * tokenizers, with counts, what it costs at each configured model's price and how much of each
 * context window it fills.
 */
import { PolettError, type Locale } from '../../errors.js';
import {
  costsOfText,
  ESTIMATE_NOTE,
  learnModelsFrom,
  TokenizerRegistry,
  type ModelCost,
  type TokenizedText,
  type TokensResponse,
} from '../../learn/index.js';
import { openPolett } from '../../polett.js';
import { cliLocale, say } from '../output.js';

function formatNumber(value: number, locale: Locale, maximumFractionDigits = 0): string {
  return new Intl.NumberFormat(locale === 'sv' ? 'sv-SE' : 'en-GB', { maximumFractionDigits }).format(value);
}

/** Small amounts (a sentence costs millionths of a dollar) keep three significant digits. */
function formatAmount(value: number, locale: Locale): string {
  const language = locale === 'sv' ? 'sv-SE' : 'en-GB';
  return value !== 0 && Math.abs(value) < 1
    ? new Intl.NumberFormat(language, { maximumSignificantDigits: 3 }).format(value)
    : new Intl.NumberFormat(language, { maximumFractionDigits: 2 }).format(value);
}

function tokenLines(result: TokenizedText, locale: Locale): string {
  const header = say(
    {
      sv: `${result.label} (${result.tokenizer}): ${formatNumber(result.tokenCount, locale)} token för ${formatNumber(result.characterCount, locale)} tecken`,
      en: `${result.label} (${result.tokenizer}): ${formatNumber(result.tokenCount, locale)} tokens for ${formatNumber(result.characterCount, locale)} characters`,
    },
    locale,
  );
  const pieces = result.tokens.map((token) => `[${token.display}]${token.id}`).join(' ');
  return `${header}\n  ${pieces}\n`;
}

function costLine(cost: ModelCost, locale: Locale): string {
  const price =
    cost.inputCost === null
      ? say({ sv: 'inget pris angivet', en: 'no price configured' }, locale)
      : `${formatAmount(cost.inputCost, locale)} ${cost.currency ?? ''}`.trim();
  const fill =
    cost.contextFill === null
      ? say({ sv: 'kontextfönster okänt', en: 'context window unknown' }, locale)
      : say(
          {
            sv: `${formatAmount(cost.contextFill * 100, locale)} % av ${formatNumber(cost.contextWindow ?? 0, locale)} token`,
            en: `${formatAmount(cost.contextFill * 100, locale)}% of ${formatNumber(cost.contextWindow ?? 0, locale)} tokens`,
          },
          locale,
        );
  const estimate = cost.estimated ? ` (${say(ESTIMATE_NOTE, locale)})` : '';
  return `  ${cost.alias} (${cost.model}): ${formatNumber(cost.tokenCount, locale)} ${say({ sv: 'token', en: 'tokens' }, locale)}, ${price}, ${fill}${estimate}\n`;
}

export async function runTokens(
  text: string,
  options: { tokenizer?: string[]; json?: boolean },
): Promise<void> {
  const locale = cliLocale();
  if (text.length === 0) {
    throw new PolettError({
      code: 'learn_text_empty',
      status: 400,
      field: 'text',
      message: {
        sv: 'Texten är tom. Skriv texten inom citattecken: polett tokens "Hej världen".',
        en: 'The text is empty. Put the text in quotes: polett tokens "Hello world".',
      },
    });
  }
  const polett = openPolett();
  try {
    const models = learnModelsFrom(polett.config, polett.models);
    const tokenizers = new TokenizerRegistry(() => models.localGguf());
    const results = await tokenizers.tokenizeWithEach(text, options.tokenizer ?? []);
    const counts = new Map(results.map((result) => [result.tokenizer, result.tokenCount]));
    const costs = await costsOfText(text, models.priced(), tokenizers, counts);
    if (options.json) {
      const response: TokensResponse = { results, costs };
      process.stdout.write(`${JSON.stringify(response)}\n`);
      return;
    }
    for (const result of results) process.stdout.write(tokenLines(result, locale));
    if (costs.length > 0) {
      process.stdout.write(
        say({ sv: '\nKostnad som indata per modell:\n', en: '\nCost as input per model:\n' }, locale),
      );
      for (const cost of costs) process.stdout.write(costLine(cost, locale));
    }
  } finally {
    await polett.close();
  }
}
