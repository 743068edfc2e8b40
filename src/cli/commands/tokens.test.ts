/**
 * `polett tokens` as a user runs it: a real process on a data folder whose polett.json prices a
 * model.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from '../../../test-support/paths.js';
import type { TokensResponse } from '../../learn/index.js';

const CLI = path.join(REPOSITORY_ROOT, 'test-support', 'run-cli.ts');
const dataDir = mkdtempSync(path.join(tmpdir(), 'polett-tokens-'));
writeFileSync(
  path.join(dataDir, 'polett.json'),
  JSON.stringify({
    providers: { openai: { type: 'openai-compatible', baseURL: 'http://127.0.0.1:9/v1' } },
    models: {
      gpt: {
        provider: 'openai',
        model: 'gpt-4o-mini',
        contextWindow: 128000,
        price: { inputPerMillion: 0.15, outputPerMillion: 0.6, currency: 'USD' },
      },
    },
  }),
);
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function polett(
  args: string[],
  locale = 'en',
): Promise<{ stdout: string; stderr: string; code: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: REPOSITORY_ROOT,
    env: { ...process.env, POLETT_DATA_DIR: dataDir, POLETT_LOCALE: locale },
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

describe('polett tokens', () => {
  it('prints one JSON object with the tokens and the cost at the configured price', async () => {
    const result = await polett(['tokens', 'Hej på dig, Göteborg!', '--tokenizer', 'o200k', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout) as TokensResponse;
    expect(body.results).toHaveLength(1);
    const [o200k] = body.results;
    expect(o200k!.tokens.map((token) => token.text).join('')).toBe('Hej på dig, Göteborg!');
    expect(body.costs).toEqual([
      expect.objectContaining({
        alias: 'gpt',
        tokenizer: 'o200k',
        tokenCount: o200k!.tokenCount,
        contextWindow: 128000,
      }),
    ]);
  });

  it('prints the tokens readably in Swedish, and one sentence for an unknown tokenizer', async () => {
    const readable = await polett(['tokens', 'Hej på dig', '-t', 'cl100k'], 'sv');
    expect(readable.code).toBe(0);
    expect(readable.stdout).toMatch(/OpenAI cl100k_base \(cl100k\): \d+ token för 10 tecken/);
    expect(readable.stdout).toContain('[␣på]');
    expect(readable.stdout).toMatch(
      /gpt \(gpt-4o-mini\): \d+ token, 0,0000\d+ USD, 0,00\d+ % av 128\s000 token/,
    );
    const unknown = await polett(['tokens', 'Hej', '--tokenizer', 'gpt-9']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe(
      'There is no tokenizer called "gpt-9". Choose one of: o200k, cl100k, llama3, qwen3, gemma3.',
    );
  });
});
