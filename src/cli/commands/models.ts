import { embedMany, generateText } from 'ai';
import type { OnnxDtype } from '../../config/index.js';
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
      const state = model.problem?.[locale] ?? (locale === 'sv' ? 'klar' : 'ready');
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

/** `polett models catalogue [task]`: recommended Hugging Face models that handle Swedish. */
export async function runModelsCatalogue(
  task: string | undefined,
  options: { json?: boolean },
): Promise<void> {
  const { MODEL_CATALOGUE } = await import('../../models/catalogue.js');
  const locale = cliLocale();
  const entries = MODEL_CATALOGUE.filter((entry) => task === undefined || entry.task === task);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
    return;
  }
  const { pullReferenceFor } = await import('../../models/catalogue.js');
  for (const entry of entries) {
    process.stdout.write(
      `${entry.task.padEnd(8)} ${entry.id}  ~${entry.approximateSizeMegabytes} MB  ${entry.licence}  ` +
        `${locale === 'sv' ? 'svenska' : 'Swedish'}: ${entry.swedish}\n` +
        `         ${entry.description[locale]}\n` +
        `         polett models pull ${pullReferenceFor(entry)}\n`,
    );
  }
}

function formatMegabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/**
 * `polett models pull <owner/repo>[/<file>]`: downloads into the data folder with a progress bar,
 * resuming an earlier interrupted pull, and registers the model once its size and hash match.
 */
export async function runModelsPull(
  reference: string,
  options: { name?: string; quantization?: string; dtype?: string },
): Promise<void> {
  const locale = cliLocale();
  const { createCliProgressReporter } = await import('../../models/hub/index.js');
  const { pullAndRegisterModel } = await import('../../models/local-models.js');
  const polett = openPolett();
  const reporter = createCliProgressReporter({ locale });
  const controller = new AbortController();
  const onInterrupt = () => controller.abort();
  process.once('SIGINT', onInterrupt);
  try {
    const { record, result } = await pullAndRegisterModel(polett.storage, {
      reference,
      name: options.name,
      modelsDirectory: polett.models.modelsDirectory,
      onProgress: reporter.onProgress,
      signal: controller.signal,
      ...(options.quantization ? { quantization: options.quantization } : {}),
      ...(options.dtype ? { onnxDtype: options.dtype as OnnxDtype } : {}),
      ...(process.stdin.isTTY ? { chooseFile: chooseFileInteractively } : {}),
    });
    reporter.stop();
    process.stdout.write(
      say(
        {
          sv: `Klart: ${record.name} (${formatMegabytes(result.sizeBytes)}, ${formatMegabytes(result.downloadedBytes)} hämtat nu) i ${result.localPath}. Prova med \`polett models test ${record.name}\`.\n`,
          en: `Done: ${record.name} (${formatMegabytes(result.sizeBytes)}, ${formatMegabytes(result.downloadedBytes)} fetched now) in ${result.localPath}. Try it with \`polett models test ${record.name}\`.\n`,
        },
        locale,
      ),
    );
  } finally {
    reporter.stop();
    process.off('SIGINT', onInterrupt);
    await polett.close();
  }
}

async function chooseFileInteractively(
  choices: Array<{ file: string; sizeBytes: number; quantization?: string }>,
): Promise<string | undefined> {
  const { createInterface } = await import('node:readline/promises');
  const locale = cliLocale();
  process.stderr.write(
    say({ sv: 'Förrådet har flera varianter:\n', en: 'The repository has several variants:\n' }, locale),
  );
  choices.forEach((choice, index) =>
    process.stderr.write(`  ${index + 1}. ${choice.file}  ${formatMegabytes(choice.sizeBytes)}\n`),
  );
  const readline = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await readline.question(say({ sv: 'Välj nummer: ', en: 'Choose a number: ' }, locale));
    return choices[Number(answer.trim()) - 1]?.file;
  } finally {
    readline.close();
  }
}

/** `polett models add <folder or file>`: registers a local model, for air-gapped sites. */
export async function runModelsAdd(target: string, options: { name?: string }): Promise<void> {
  const locale = cliLocale();
  const { registerLocalModel } = await import('../../models/local-models.js');
  const polett = openPolett();
  try {
    const record = await registerLocalModel(polett.storage, { path: target, name: options.name });
    process.stdout.write(
      say(
        {
          sv: `Registrerad: ${record.name} (${record.format}, ${formatMegabytes(record.sizeBytes)}) från ${record.path}.\n`,
          en: `Registered: ${record.name} (${record.format}, ${formatMegabytes(record.sizeBytes)}) from ${record.path}.\n`,
        },
        locale,
      ),
    );
  } finally {
    await polett.close();
  }
}

/** `polett models remove <name>`: forgets a registered local model (its files stay where they are). */
export async function runModelsRemove(name: string): Promise<void> {
  const polett = openPolett();
  try {
    const removed = polett.storage.localModels.remove(name);
    process.stdout.write(
      say(
        removed
          ? {
              sv: `${name} är borttagen ur registret; filerna ligger kvar.\n`,
              en: `${name} is removed from the registry; its files stay.\n`,
            }
          : {
              sv: `Ingen registrerad modell heter ${name}; se \`polett models list\`.\n`,
              en: `No registered model is called ${name}; see \`polett models list\`.\n`,
            },
      ),
    );
    if (!removed) process.exitCode = 1;
  } finally {
    await polett.close();
  }
}
