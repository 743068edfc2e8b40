import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { PolettError, type LocalizedText } from '../errors.js';
import { configSchema, type PolettConfig } from './schema.js';

/** The configuration file's name inside the data folder. */
export const CONFIG_FILE_NAME = 'polett.json';

/**
 * Environment variables that override a key of the file. Each maps to a path in the configuration
 * and a parser; a value that does not parse is reported with the variable's name.
 */
const ENVIRONMENT_OVERRIDES: Record<string, { path: string[]; parse: (value: string) => unknown }> = {
  POLETT_PORT: { path: ['server', 'port'], parse: parseInteger },
  POLETT_HOST: { path: ['server', 'host'], parse: (value) => value },
  POLETT_LOCALE: { path: ['locale'], parse: (value) => value },
  POLETT_LOG_LEVEL: { path: ['logLevel'], parse: (value) => value },
  POLETT_FEEDBACK_UPLOAD_LIMIT_BYTES: { path: ['server', 'feedbackUploadLimitBytes'], parse: parseInteger },
};

function parseInteger(value: string): unknown {
  return /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
}

export interface LoadConfigOptions {
  /** Environment to read `POLETT_*` from; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Data folder; defaults to POLETT_DATA_DIR, then `./data`. */
  dataDir?: string;
  /** Create the data folder when it does not exist (true for `polett start`). */
  createDataDir?: boolean;
}

/** Resolves the data folder from the options and the environment. */
export function resolveDataDir(options: LoadConfigOptions = {}): string {
  const env = options.env ?? process.env;
  return path.resolve(options.dataDir ?? env.POLETT_DATA_DIR ?? path.join(process.cwd(), 'data'));
}

/**
 * Reads `polett.json` from the data folder, applies `POLETT_*` overrides and validates the result.
 * A wrong value throws one PolettError naming the key, the value and what is expected.
 */
export function loadConfig(options: LoadConfigOptions = {}): PolettConfig {
  const env = options.env ?? process.env;
  const dataDir = resolveDataDir(options);
  if (options.createDataDir) mkdirSync(dataDir, { recursive: true });
  const filePath = path.join(dataDir, CONFIG_FILE_NAME);
  return validateConfig(readConfigFile(filePath), { env, dataDir, filePath });
}

/** The file's content as written (no overrides applied); an empty object when there is no file. */
export function readConfigFile(filePath: string): Record<string, unknown> {
  if (!existsSync(filePath)) return {};
  const text = readFileSync(filePath, 'utf8').replace(/^\uFEFF/, '');
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error('the top level is not an object');
    }
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new PolettError({
      code: 'config_invalid',
      status: 400,
      field: filePath,
      message: {
        sv: `Konfigurationsfilen ${filePath} är inte giltig JSON (${(error as Error).message}); rätta filen eller ta bort den för att starta med standardvärden.`,
        en: `The configuration file ${filePath} is not valid JSON (${(error as Error).message}); fix the file or remove it to start on the defaults.`,
      },
      cause: error,
    });
  }
}

/** Applies the environment's overrides to a copy of the file's content and validates it. */
export function validateConfig(
  content: Record<string, unknown>,
  context: { env: NodeJS.ProcessEnv; dataDir: string; filePath: string },
): PolettConfig {
  const { env, dataDir, filePath } = context;
  const fileContent = structuredClone(content);
  const sources = new Map<string, string>();
  for (const [variable, override] of Object.entries(ENVIRONMENT_OVERRIDES)) {
    const value = env[variable];
    if (value === undefined || value === '') continue;
    setPath(fileContent, override.path, override.parse(value));
    sources.set(override.path.join('.'), variable);
  }

  const result = configSchema.safeParse(fileContent);
  if (!result.success) {
    throw configErrorFromIssues(result.error, fileContent, sources, filePath);
  }
  const config: PolettConfig = { ...result.data, dataDir };
  checkReferences(config, filePath);
  return config;
}

/**
 * Changes `polett.json` while Polett runs: the change is applied to the file's content, the whole
 * result validated (a wrong value throws and the file stays as it was), and only then written, to a
 * temporary file renamed over the old one so that no reader ever sees half a file.
 */
export function updateConfigFile(
  options: { dataDir: string; env?: NodeJS.ProcessEnv },
  change: (content: Record<string, unknown>) => void,
): PolettConfig {
  const filePath = path.join(options.dataDir, CONFIG_FILE_NAME);
  const content = readConfigFile(filePath);
  change(content);
  const config = validateConfig(content, {
    env: options.env ?? process.env,
    dataDir: options.dataDir,
    filePath,
  });
  const temporary = `${filePath}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, filePath);
  return config;
}

function setPath(target: Record<string, unknown>, keys: string[], value: unknown): void {
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}

function valueAt(source: unknown, keys: PropertyKey[]): unknown {
  let node = source;
  for (const key of keys) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function configErrorFromIssues(
  error: z.ZodError,
  content: unknown,
  sources: Map<string, string>,
  filePath: string,
): PolettError {
  const issue = error.issues[0]!;
  const issuePath = issue.path.map(String);
  // An unknown key is reported on the key itself rather than on its parent object.
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) issuePath.push(issue.keys[0]!);
  const key = issuePath.join('.') || '(top level)';
  const value = valueAt(content, issuePath);
  const shownValue = value === undefined ? 'nothing' : JSON.stringify(value);
  const origin = sources.get(key) ?? `${filePath}`;
  const expected = describeExpectation(issue);
  return new PolettError({
    code: 'config_invalid',
    status: 400,
    field: key,
    message: {
      sv: `Konfigurationsnyckeln ${key} (från ${origin}) har värdet ${value === undefined ? 'inget' : shownValue}, men förväntat är: ${expected.sv}.`,
      en: `The configuration key ${key} (from ${origin}) has the value ${shownValue}, but expected: ${expected.en}.`,
    },
    cause: error,
  });
}

const TYPE_NAMES: Record<string, LocalizedText> = {
  object: { sv: 'ett objekt', en: 'an object' },
  array: { sv: 'en lista', en: 'a list' },
  string: { sv: 'en text', en: 'a string' },
  number: { sv: 'ett tal', en: 'a number' },
  boolean: { sv: 'true eller false', en: 'a boolean' },
};

/** What the key should hold, in words a person configuring Polett reads easily, in both languages. */
function describeExpectation(issue: z.core.$ZodIssue): LocalizedText {
  switch (issue.code) {
    case 'unrecognized_keys':
      return {
        sv: 'ingen sådan nyckel (ta bort den eller kontrollera stavningen)',
        en: 'no such key (remove it or check its spelling)',
      };
    case 'invalid_type':
      return TYPE_NAMES[issue.expected] ?? { sv: `typen ${issue.expected}`, en: `a ${issue.expected}` };
    case 'invalid_value': {
      const values = issue.values.map((value) => JSON.stringify(value)).join(', ');
      return { sv: `en av ${values}`, en: `one of ${values}` };
    }
    case 'too_big': {
      const limit = String(issue.maximum);
      const unit = issue.origin === 'string' ? { sv: ' tecken', en: ' characters' } : { sv: '', en: '' };
      return issue.inclusive
        ? { sv: `högst ${limit}${unit.sv}`, en: `at most ${limit}${unit.en}` }
        : { sv: `mindre än ${limit}${unit.sv}`, en: `less than ${limit}${unit.en}` };
    }
    case 'too_small': {
      const limit = String(issue.minimum);
      const unit = issue.origin === 'string' ? { sv: ' tecken', en: ' characters' } : { sv: '', en: '' };
      return issue.inclusive
        ? { sv: `minst ${limit}${unit.sv}`, en: `at least ${limit}${unit.en}` }
        : { sv: `mer än ${limit}${unit.sv}`, en: `more than ${limit}${unit.en}` };
    }
    case 'invalid_format':
      return { sv: `ett giltigt värde av formatet ${issue.format}`, en: `a valid ${issue.format}` };
    default:
      // zod's own sentence, in English: rare shapes that the cases above do not cover.
      return { sv: issue.message, en: issue.message };
  }
}

/** Models must name a configured provider, and tasks must name configured models. */
function checkReferences(config: PolettConfig, filePath: string): void {
  for (const [alias, model] of Object.entries(config.models)) {
    if (!(model.provider in config.providers)) {
      const known = Object.keys(config.providers).join(', ') || 'none configured';
      throw new PolettError({
        code: 'config_invalid',
        status: 400,
        field: `models.${alias}.provider`,
        message: {
          sv: `Konfigurationsnyckeln models.${alias}.provider i ${filePath} pekar på leverantören "${model.provider}", som inte finns under providers (kända: ${known}).`,
          en: `The configuration key models.${alias}.provider in ${filePath} names the provider "${model.provider}", which is not under providers (known: ${known}).`,
        },
      });
    }
  }
  for (const [task, aliases] of Object.entries(config.tasks)) {
    for (const alias of aliases ?? []) {
      if (!(alias in config.models)) {
        const known = Object.keys(config.models).join(', ') || 'none configured';
        throw new PolettError({
          code: 'config_invalid',
          status: 400,
          field: `tasks.${task}`,
          message: {
            sv: `Konfigurationsnyckeln tasks.${task} i ${filePath} nämner modellen "${alias}", som inte finns under models (kända: ${known}).`,
            en: `The configuration key tasks.${task} in ${filePath} names the model "${alias}", which is not under models (known: ${known}).`,
          },
        });
      }
    }
  }
}
