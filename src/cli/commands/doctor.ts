/**
 * `polett doctor`: checks Node's version, the native modules, the data folder, the database, the
 * configuration, and every configured model and provider, and says for each problem how to fix it.
 */
import { accessSync, closeSync, constants, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { loadConfig, type PolettConfig, type ProviderConfig } from '../../config/index.js';
import { toPolettError, type Locale, type LocalizedText } from '../../errors.js';
import { ModelRegistry } from '../../models/index.js';
import { openStorage, type SqliteStorage } from '../../storage/index.js';
import { cliLocale } from '../output.js';

export interface DoctorCheck {
  name: string;
  /** False for a problem; a missing optional piece (a task with no model yet) is a warning, not a failure. */
  ok: boolean;
  warning?: boolean;
  /** What was found, or what is wrong and how to fix it. */
  detail: LocalizedText;
}

const MINIMUM_NODE_MAJOR = 20;

function check(name: string, ok: boolean, detail: LocalizedText): DoctorCheck {
  return { name, ok, detail };
}

function failure(name: string, error: unknown): DoctorCheck {
  return check(name, false, toPolettError(error).localized);
}

export interface DoctorOptions {
  env?: NodeJS.ProcessEnv;
  dataDir?: string;
  /** Probe remote providers over the network (on by default). */
  probeRemote?: boolean;
  fetch?: typeof fetch;
}

export async function runDoctorChecks(options: DoctorOptions = {}): Promise<DoctorCheck[]> {
  const env = options.env ?? process.env;
  const checks: DoctorCheck[] = [];

  const major = Number(process.versions.node.split('.')[0]);
  checks.push(
    check('node', major >= MINIMUM_NODE_MAJOR, {
      sv:
        major >= MINIMUM_NODE_MAJOR
          ? `Node ${process.versions.node}`
          : `Node ${process.versions.node} är för gammal; installera Node ${MINIMUM_NODE_MAJOR} eller senare.`,
      en:
        major >= MINIMUM_NODE_MAJOR
          ? `Node ${process.versions.node}`
          : `Node ${process.versions.node} is too old; install Node ${MINIMUM_NODE_MAJOR} or newer.`,
    }),
  );

  checks.push(...(await nativeModuleChecks()));

  let config: PolettConfig | undefined;
  try {
    config = loadConfig({ env, ...(options.dataDir ? { dataDir: options.dataDir } : {}) });
    checks.push(
      check('config', true, {
        sv: `Konfigurationen är giltig (${Object.keys(config.providers).length} leverantörer, ${Object.keys(config.models).length} modeller)`,
        en: `The configuration is valid (${Object.keys(config.providers).length} providers, ${Object.keys(config.models).length} models)`,
      }),
    );
  } catch (error) {
    checks.push(failure('config', error));
    return checks;
  }

  const dataDir = config.dataDir;
  try {
    mkdirSync(dataDir, { recursive: true });
    accessSync(dataDir, constants.W_OK);
    checks.push(check('data folder', true, { sv: `${dataDir} är skrivbar`, en: `${dataDir} is writable` }));
  } catch (error) {
    checks.push(
      check('data folder', false, {
        sv: `Datamappen ${dataDir} kan inte skrivas (${(error as Error).message}); ge Polett skrivrätt eller välj en annan med POLETT_DATA_DIR.`,
        en: `The data folder ${dataDir} is not writable (${(error as Error).message}); give Polett write access or choose another with POLETT_DATA_DIR.`,
      }),
    );
    return checks;
  }

  let storage: SqliteStorage | undefined;
  try {
    storage = openStorage({ dataDir, env });
    const health = storage.health();
    checks.push(
      check('database', true, {
        sv: `SQLite ${health.engineVersion}, ${health.journalMode}, schema v${health.schemaVersion}, FTS5, sqlite-vec ${health.vectorSearch}`,
        en: `SQLite ${health.engineVersion}, ${health.journalMode}, schema v${health.schemaVersion}, FTS5, sqlite-vec ${health.vectorSearch}`,
      }),
    );
  } catch (error) {
    checks.push(failure('database', error));
  }

  try {
    const registry = new ModelRegistry({ config, storage, env });
    checks.push(...modelChecks(registry));
    if (options.probeRemote !== false) {
      for (const [name, provider] of Object.entries(config.providers)) {
        if (provider.type === 'openai-compatible' || provider.type === 'anthropic') {
          checks.push(await probeProvider(name, provider, registry, options.fetch ?? fetch));
        }
      }
    }
    await registry.close();
  } catch (error) {
    checks.push(failure('models', error));
  } finally {
    storage?.close();
  }
  return checks;
}

async function nativeModuleChecks(): Promise<DoctorCheck[]> {
  const modules: Array<[string, () => Promise<string>]> = [
    [
      'better-sqlite3',
      async () => {
        const { default: Database } = await import('better-sqlite3');
        const database = new Database(':memory:');
        const version = (database.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
        database.close();
        return `SQLite ${version}`;
      },
    ],
    [
      'node-llama-cpp',
      async () => {
        const { getLlama } = await import('node-llama-cpp');
        const llama = await getLlama({ gpu: 'auto', build: 'never' });
        const gpu = llama.gpu === false ? 'CPU' : `GPU ${llama.gpu}`;
        await llama.dispose();
        return gpu;
      },
    ],
    [
      'onnxruntime-node',
      async () => {
        const onnx = await import('onnxruntime-node');
        return `onnxruntime ${onnx.env.versions?.common ?? ''}`.trim();
      },
    ],
  ];
  const results: DoctorCheck[] = [];
  for (const [name, load] of modules) {
    try {
      const detail = await load();
      results.push(check(name, true, { sv: detail, en: detail }));
    } catch (error) {
      const message = (error as Error).message.split('\n')[0];
      results.push(
        check(name, false, {
          sv: `Den inbyggda modulen ${name} kan inte laddas (${message}); kör \`npm install\` igen på den här maskinen.`,
          en: `The native module ${name} cannot be loaded (${message}); run \`npm install\` again on this machine.`,
        }),
      );
    }
  }
  return results;
}

function modelChecks(registry: ModelRegistry): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  for (const model of registry.describe()) {
    const name = `model ${model.alias}`;
    if (model.problem) {
      checks.push(check(name, false, model.problem));
      continue;
    }
    if (model.path && model.providerType === 'local-gguf') {
      const problem = ggufHeaderProblem(model.path);
      if (problem) {
        checks.push(check(name, false, problem));
        continue;
      }
    }
    const where = model.path ?? `${model.provider}/${model.model}`;
    checks.push(
      check(name, true, {
        sv: `${where} (${model.providerType}${model.remote ? ', fjärr' : ''}) för ${model.tasks.join(', ') || 'inga uppgifter'}`,
        en: `${where} (${model.providerType}${model.remote ? ', remote' : ''}) for ${model.tasks.join(', ') || 'no tasks'}`,
      }),
    );
  }
  for (const status of registry.taskStatus()) {
    if (!status.ready && status.hint) {
      // Polett runs without models (tier 1): a task without one is worth saying, not a failure.
      checks.push({ ...check(`task ${status.task}`, true, status.hint), warning: true });
    }
  }
  return checks;
}

/** A GGUF file starts with the magic `GGUF`; a truncated or foreign file is caught before loading. */
function ggufHeaderProblem(filePath: string): LocalizedText | undefined {
  const target = statSync(filePath).isDirectory() ? undefined : filePath;
  if (!target) return undefined;
  const header = Buffer.alloc(4);
  const descriptor = openSync(target, 'r');
  try {
    readSync(descriptor, header, 0, 4, 0);
  } finally {
    closeSync(descriptor);
  }
  if (header.toString('latin1') === 'GGUF') return undefined;
  return {
    sv: `${target} är ingen GGUF-fil (den börjar inte med "GGUF"); hämta den igen med \`polett models pull\`.`,
    en: `${target} is not a GGUF file (it does not start with "GGUF"); pull it again with \`polett models pull\`.`,
  };
}

async function probeProvider(
  name: string,
  provider: Extract<ProviderConfig, { type: 'openai-compatible' | 'anthropic' }>,
  registry: ModelRegistry,
  fetchFunction: typeof fetch,
): Promise<DoctorCheck> {
  const apiKey = registry.resolveApiKey(name, provider);
  const baseURL = (provider.baseURL ?? 'https://api.anthropic.com/v1').replace(/\/$/, '');
  const headers: Record<string, string> = { ...provider.headers };
  if (apiKey && provider.type === 'anthropic') {
    headers['x-api-key'] = apiKey;
    headers['anthropic-version'] = '2023-06-01';
  } else if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  const url = `${baseURL}/models`;
  try {
    const response = await fetchFunction(url, { headers, signal: AbortSignal.timeout(5000) });
    if (response.status === 401 || response.status === 403) {
      return check(`provider ${name}`, false, {
        sv: `${url} nekade API-nyckeln (HTTP ${response.status}); kontrollera nyckeln för leverantören ${name}.`,
        en: `${url} refused the API key (HTTP ${response.status}); check the key of the provider ${name}.`,
      });
    }
    return check(`provider ${name}`, response.ok, {
      sv: response.ok
        ? `${url} svarar`
        : `${url} svarade HTTP ${response.status}; kontrollera baseURL för ${name}.`,
      en: response.ok
        ? `${url} answers`
        : `${url} answered HTTP ${response.status}; check the baseURL of ${name}.`,
    });
  } catch (error) {
    const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    return check(`provider ${name}`, false, {
      sv: `${url} kan inte nås (${reason}); kontrollera adressen och nätverket för leverantören ${name}.`,
      en: `${url} cannot be reached (${reason}); check the address and the network for the provider ${name}.`,
    });
  }
}

export async function runDoctor(): Promise<void> {
  const locale: Locale = cliLocale();
  const checks = await runDoctorChecks();
  for (const result of checks) {
    const mark = !result.ok ? '✗' : result.warning ? '!' : '✓';
    process.stdout.write(`${mark} ${result.name}: ${result.detail[locale]}\n`);
  }
  const failed = checks.filter((result) => !result.ok).length;
  process.stdout.write(
    failed === 0
      ? locale === 'sv'
        ? 'Allt ser bra ut.\n'
        : 'Everything looks fine.\n'
      : locale === 'sv'
        ? `${failed} problem hittades.\n`
        : `${failed} problem(s) found.\n`,
  );
  if (failed > 0) process.exitCode = 1;
}
