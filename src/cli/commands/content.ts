/**
 * `polett content generate --template NAME --field key=value ... [--variants N] [--json]`: writes
 * texts with the brand profile from the terminal, through the same studio the web app uses. The
 * workspace and the profile are chosen by `--workspace` and `--profile` (id, slug or name), or
 * taken when there is only one.
 */
import {
  openContentStudio,
  type CheckedText,
  type ContentStudio,
  type GenerationEvent,
} from '../../content/index.js';
import { PolettError, type Locale } from '../../errors.js';
import { openKnowledge } from '../../knowledge/index.js';
import { openPlatform } from '../../platform/index.js';
import { openPolett } from '../../polett.js';
import { cliLocale, say } from '../output.js';

export interface ContentGenerateOptions {
  template: string;
  field?: string[];
  variants?: string;
  json?: boolean;
  workspace?: string;
  profile?: string;
  language?: string;
  maxTokens?: string;
}

function optionError(field: string, sv: string, en: string): PolettError {
  return new PolettError({ code: 'cli_option_invalid', status: 400, field, message: { sv, en } });
}

/** `key=value` pairs into fields; a pair without `=` is refused naming it. */
export function parseFieldOptions(pairs: readonly string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0)
      throw optionError(
        'field',
        `--field "${pair}" saknar namn=värde; skriv till exempel --field topic="Nya bönor".`,
        `--field "${pair}" lacks name=value; write for example --field topic="New beans".`,
      );
    fields[pair.slice(0, equals).trim()] = pair.slice(equals + 1);
  }
  return fields;
}

function chooseWorkspace(polett: ReturnType<typeof openPolett>, wanted: string | undefined): string {
  const all = openPlatform(polett.storage).workspaces.listAll();
  const found = wanted
    ? all.find(
        (workspace) => workspace.id === wanted || workspace.slug === wanted || workspace.name === wanted,
      )
    : all.length === 1
      ? all[0]
      : undefined;
  if (found) return found.id;
  throw optionError(
    'workspace',
    wanted
      ? `Arbetsytan "${wanted}" finns inte; se \`polett workspaces list\`.`
      : `Det finns ${all.length} arbetsytor; välj en med --workspace (se \`polett workspaces list\`).`,
    wanted
      ? `The workspace "${wanted}" does not exist; see \`polett workspaces list\`.`
      : `There are ${all.length} workspaces; choose one with --workspace (see \`polett workspaces list\`).`,
  );
}

function chooseProfile(studio: ContentStudio, wanted: string | undefined): string {
  const profiles = studio.store.listProfiles();
  const found = wanted
    ? profiles.find((profile) => profile.id === wanted || profile.name === wanted)
    : profiles.length === 1
      ? profiles[0]
      : undefined;
  if (found) return found.id;
  throw optionError(
    'profile',
    profiles.length === 0
      ? 'Arbetsytan har ingen varumärkesprofil; skapa en på sidan Innehåll i webbappen först.'
      : `Välj en av profilerna med --profile: ${profiles.map((profile) => profile.name).join(', ')}.`,
    profiles.length === 0
      ? 'The workspace has no brand profile; create one on the Content page of the web app first.'
      : `Choose one of the profiles with --profile: ${profiles.map((profile) => profile.name).join(', ')}.`,
  );
}

function printChecked(variant: number, checked: CheckedText, count: number, locale: Locale): void {
  if (count > 1)
    process.stdout.write(`\n— ${say({ sv: 'Variant', en: 'Variant' }, locale)} ${variant + 1} —\n`);
  process.stdout.write(`${checked.text}\n`);
  for (const finding of checked.findings) process.stderr.write(`! ${finding.message[locale]}\n`);
}

export async function runContentGenerate(options: ContentGenerateOptions): Promise<void> {
  const locale = cliLocale();
  const variants = options.variants === undefined ? 1 : Number(options.variants);
  if (!Number.isInteger(variants) || variants < 1 || variants > 5)
    throw optionError(
      'variants',
      '--variants ska vara ett heltal från 1 till 5.',
      '--variants must be a whole number from 1 to 5.',
    );
  if (options.language !== undefined && options.language !== 'sv' && options.language !== 'en')
    throw optionError('language', '--language ska vara sv eller en.', '--language must be sv or en.');
  const maxOutputTokens = options.maxTokens === undefined ? undefined : Number(options.maxTokens);
  // The same bounds as the REST route's maxOutputTokens; NaN was silently ignored before.
  if (
    maxOutputTokens !== undefined &&
    !(Number.isInteger(maxOutputTokens) && maxOutputTokens >= 1 && maxOutputTokens <= 4000)
  )
    throw optionError(
      'maxTokens',
      '--max-tokens ska vara ett heltal från 1 till 4000.',
      '--max-tokens must be a whole number from 1 to 4000.',
    );
  const fields = parseFieldOptions(options.field ?? []);
  const polett = openPolett();
  try {
    // Facts come from the workspace's Knowledge, as in the web app.
    const knowledge = openKnowledge({
      database: polett.storage.database,
      models: polett.models,
      jobs: polett.jobs,
      dataDir: polett.config.dataDir,
    });
    const studio = openContentStudio({
      database: polett.storage.database,
      models: polett.models,
      jobs: polett.jobs,
      knowledgeFor: (workspaceId) => knowledge.searcherFor(workspaceId),
    }).forWorkspace(chooseWorkspace(polett, options.workspace));
    const templates = studio.store.listTemplates();
    const templateId =
      templates.find((template) => template.definition.name === options.template)?.id ?? options.template;
    const events = studio.prepareGeneration({
      profileId: chooseProfile(studio, options.profile),
      templateId,
      fields,
      variants,
      ...(options.language ? { language: options.language as 'sv' | 'en' } : {}),
      ...(maxOutputTokens ? { maxOutputTokens } : {}),
    });
    const collected: GenerationEvent[] = [];
    let failed = 0;
    for await (const event of events) {
      collected.push(event);
      // One variant streams to the terminal as it is written; several are printed as each ends.
      if (!options.json && variants === 1 && event.type === 'text-delta') process.stdout.write(event.delta);
      if (!options.json && event.type === 'variant-end') {
        if (variants === 1) {
          process.stdout.write('\n');
          for (const finding of event.findings) process.stderr.write(`! ${finding.message[locale]}\n`);
        } else printChecked(event.variant, event, variants, locale);
      }
      if (event.type === 'variant-error') {
        failed += 1;
        if (!options.json) process.stderr.write(`${event.message[locale]}\n`);
      }
    }
    if (options.json) {
      const sources = collected.find((event) => event.type === 'sources');
      const end = collected.find((event) => event.type === 'end');
      const errors = collected.filter((event) => event.type === 'variant-error');
      process.stdout.write(
        `${JSON.stringify({
          template: templateId,
          sources: sources?.type === 'sources' ? sources.sources : [],
          variants: end?.type === 'end' ? end.variants : [],
          errors,
        })}\n`,
      );
    }
    if (failed === variants) process.exitCode = 1;
  } finally {
    await polett.close();
  }
}
