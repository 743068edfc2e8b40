import { embedMany, generateText } from 'ai';
import { openPolett } from '../../polett.js';
import { cliLocale, say } from '../output.js';

/** `polett models list`: every model alias, its provider, tasks and whether it is ready. */
export async function runModelsList(options: { json?: boolean }): Promise<void> {
  const polett = openPolett();
  try {
    const models = polett.models.describe();
    if (options.json) {
      process.stdout.write(`${JSON.stringify(models, null, 2)}\n`);
      return;
    }
    const locale = cliLocale();
    if (models.length === 0) {
      process.stdout.write(
        say(
          {
            sv: 'Inga modeller ännu. Se `polett models catalogue` och hämta en med `polett models pull`, eller lägg till en fjärrleverantör i polett.json.\n',
            en: 'No models yet. See `polett models catalogue` and pull one with `polett models pull`, or add a remote provider to polett.json.\n',
          },
          locale,
        ),
      );
      return;
    }
    for (const model of models) {
      const state = model.problem ?? (locale === 'sv' ? 'klar' : 'ready');
      const tasks = model.tasks.join(',') || '-';
      process.stdout.write(
        `${model.alias}  ${model.providerType}${model.remote ? ' (remote)' : ''}  ${model.path ?? model.model}  [${tasks}]  ${state}\n`,
      );
    }
  } finally {
    await polett.close();
  }
}

/** `polett models test <alias>`: loads the model, runs one call of the kind it serves, prints the timing. */
export async function runModelsTest(alias: string): Promise<void> {
  const locale = cliLocale();
  const polett = openPolett();
  try {
    const description = polett.models.describe().find((model) => model.alias === alias);
    const startedAt = performance.now();
    const embedsOnly = description?.providerType === 'local-onnx';
    if (embedsOnly) {
      const { embeddings } = await embedMany({
        model: polett.models.embeddingModel({ alias }),
        values: ['Hur lång är leveranstiden till Göteborg?'],
        maxRetries: 0,
      });
      const milliseconds = Math.round(performance.now() - startedAt);
      process.stdout.write(
        say(
          {
            sv: `${alias}: inbäddning med ${embeddings[0]?.length ?? 0} dimensioner på ${milliseconds} ms (laddning inräknad).\n`,
            en: `${alias}: embedding of ${embeddings[0]?.length ?? 0} dimensions in ${milliseconds} ms (loading included).\n`,
          },
          locale,
        ),
      );
      return;
    }
    const result = await generateText({
      model: polett.models.languageModel({ alias }),
      prompt: 'Säg hej på svenska.',
      maxOutputTokens: 16,
      maxRetries: 0,
    });
    const milliseconds = Math.round(performance.now() - startedAt);
    process.stdout.write(
      say(
        {
          sv: `${alias}: ${result.usage.outputTokens ?? 0} token på ${milliseconds} ms (laddning inräknad): ${JSON.stringify(result.text)}\n`,
          en: `${alias}: ${result.usage.outputTokens ?? 0} tokens in ${milliseconds} ms (loading included): ${JSON.stringify(result.text)}\n`,
        },
        locale,
      ),
    );
  } finally {
    await polett.close();
  }
}
