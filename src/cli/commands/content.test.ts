/**
 * `polett content generate` as a user runs it: a real process on a data folder with a workspace
 * and a brand profile, first without a chat model (one sentence naming the model needed), then
 * with the tiny GGUF model (random text: the variants, JSON output and rule findings are tested).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPolett, buildUser, buildWorkspace } from '../../../test-support/builders.js';
import { REPOSITORY_ROOT, TEST_MODELS_DIR } from '../../../test-support/paths.js';
import { TINY_GGUF_BPE_MODEL } from '../../../test-support/tiny-gguf.js';
import { openContentStore, type CheckedText } from '../../content/index.js';
import type { PolettConfigInput } from '../../config/index.js';
import { openPlatform } from '../../platform/index.js';

const CLI = path.join(REPOSITORY_ROOT, 'test-support', 'run-cli.ts');
const removals: Array<() => Promise<void>> = [];

async function buildDataFolder(config: PolettConfigInput): Promise<string> {
  const polett = buildPolett(config);
  const platform = openPlatform(polett.storage);
  const workspace = buildWorkspace(platform, { owner: await buildUser(platform), name: 'Kaffekvarnen' });
  openContentStore(polett.storage.database)
    .forWorkspace(workspace.id)
    .createProfile({
      name: 'Kaffekvarnen',
      rules: { requiredPhrases: ['Rostat i Göteborg'], emojis: false },
    });
  // Keep the folder: close only the database here, remove the folder after the tests.
  await polett.models.close();
  polett.storage.close();
  removals.push(() => polett.close().catch(() => undefined));
  return polett.dataDir;
}

async function polett(dataDir: string, args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: REPOSITORY_ROOT,
    env: { ...process.env, POLETT_DATA_DIR: dataDir, POLETT_LOCALE: 'en' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number>((resolve) =>
    child.on('close', (exitCode) => resolve(exitCode ?? 1)),
  );
  return { stdout, stderr, code };
}

let tierOne: string;
let withModel: string;

beforeAll(async () => {
  tierOne = await buildDataFolder({});
  withModel = await buildDataFolder({
    providers: { local: { type: 'local-gguf', contextSize: 4096 } },
    models: { tiny: { provider: 'local', model: path.join(TEST_MODELS_DIR, TINY_GGUF_BPE_MODEL) } },
    tasks: { chat: ['tiny'] },
  });
});

afterAll(async () => {
  for (const remove of removals) await remove();
});

describe('polett content generate', () => {
  it('says in one sentence which model is needed when none serves chat', async () => {
    const result = await polett(tierOne, [
      'content',
      'generate',
      '--template',
      'linkedin-post',
      '--field',
      'topic=Nya bönor',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('Writing texts needs a chat model');
  });

  it('refuses a --max-tokens that is not a whole number from 1 to 4000', async () => {
    const result = await polett(tierOne, ['content', 'generate', '-t', 'x-post', '--max-tokens', 'många']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('--max-tokens must be a whole number from 1 to 4000.');
  });

  it('refuses a field the template does not have, naming its fields', async () => {
    const result = await polett(tierOne, [
      'content',
      'generate',
      '--template',
      'x-post',
      '--field',
      'price=99',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      'The template "X post" has no field "price"; its fields are topic, keyPoints, callToAction.',
    );
  });

  it('writes variants with the tiny model and prints one JSON object with their findings', async () => {
    const result = await polett(withModel, [
      'content',
      'generate',
      '--template',
      'x-post',
      '--field',
      'topic=Nya bönor från Etiopien',
      '--variants',
      '2',
      '--max-tokens',
      '6',
      '--json',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout) as { template: string; variants: CheckedText[] };
    expect(output.template).toBe('x-post');
    expect(output.variants).toHaveLength(2);
    for (const variant of output.variants) {
      expect(typeof variant.text).toBe('string');
      expect(variant.findings.map((finding) => finding.rule)).toContain('required-phrase');
    }
  });
});
