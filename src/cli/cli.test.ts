/**
 * The CLI as a user runs it: a real process on a fresh data folder, reading its output and exit code.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from '../../test-support/paths.js';
import { startFakeHub, type FakeHub } from '../models/hub/testing/fake-hub.js';
import { buildGgufBytes } from '../models/hub/testing/gguf-bytes.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../../test-support/fake-openai-server.js';

const CLI = path.join(REPOSITORY_ROOT, 'test-support', 'run-cli.ts');

let dataDir: string;
let hub: FakeHub;
let upstream: FakeOpenAIServer;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'polett-cli-'));
  hub = await startFakeHub({
    repositories: [
      {
        id: 'polett-test/tiny-GGUF',
        files: [
          { path: 'README.md', content: '# tiny' },
          { path: 'tiny-Q8_0.gguf', content: buildGgufBytes({ name: 'Tiny', paddingBytes: 200_000 }) },
        ],
      },
    ],
  });
  upstream = await startFakeOpenAIServer();
});

afterAll(async () => {
  await hub.close();
  await upstream.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface CliResult {
  stdout: string;
  stderr: string;
  code: number;
}

async function polett(args: string[], env: Record<string, string> = {}, input?: string): Promise<CliResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: REPOSITORY_ROOT,
    env: { ...process.env, POLETT_DATA_DIR: dataDir, POLETT_LOCALE: 'en', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(input ?? '');
  const code = await new Promise<number>((resolve) =>
    child.on('close', (exitCode) => resolve(exitCode ?? 1)),
  );
  return { stdout, stderr, code };
}

describe('the polett command', () => {
  it('pull says in one sentence that the hub cannot be reached, naming the host and both ways out', async () => {
    const result = await polett(['models', 'pull', 'Qwen/Qwen2.5-0.5B-Instruct-GGUF'], {
      HF_ENDPOINT: 'http://127.0.0.1:9',
    });
    expect(result.code).toBe(1);
    const message = result.stderr.trim();
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toContain('127.0.0.1');
    expect(message).toContain('polett models add');
    expect(message).toContain('HF_ENDPOINT');
  });

  it('pulls a model from the hub (a mirror through HF_ENDPOINT), registers it, and lists it', async () => {
    const pulled = await polett(
      ['models', 'pull', 'polett-test/tiny-GGUF/tiny-Q8_0.gguf', '--name', 'tiny'],
      {
        HF_ENDPOINT: hub.url,
      },
    );
    expect(pulled.stderr).not.toMatch(/error/i);
    expect(pulled.code).toBe(0);
    expect(pulled.stdout).toContain('Done: tiny');
    const listed = await polett(['models', 'list', '--json']);
    const models = JSON.parse(listed.stdout) as Array<{
      alias: string;
      providerType: string;
      tasks: string[];
    }>;
    expect(models).toEqual([
      expect.objectContaining({ alias: 'tiny', providerType: 'local-gguf', tasks: ['chat'] }),
    ]);
  });

  it('shows the catalogue of Swedish-capable models per task', async () => {
    const result = await polett(['models', 'catalogue', 'embed']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('multilingual-e5-small');
    expect(result.stdout).toContain('polett models pull');
  });

  it('add refuses a file that is not a model, in one sentence', async () => {
    const garbage = path.join(dataDir, 'garbage.gguf');
    writeFileSync(garbage, 'not a model at all');
    const result = await polett(['models', 'add', garbage]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('creates an API key and shows it once', async () => {
    const result = await polett(['keys', 'create', 'webbplatsen']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^plt_[A-Za-z0-9_-]{20,}$/);
    expect(result.stderr).toContain('not shown again');
    const listed = await polett(['keys', 'list']);
    expect(listed.stdout).toContain('webbplatsen');
    const misspelt = await polett(['keys', 'create', 'fel', '--scope', 'inferense']);
    expect(misspelt.code).toBe(1);
    expect(misspelt.stderr).toContain('inference, read, write, admin');
    expect(listed.stdout).not.toContain(result.stdout.trim());
  });

  it('creates a key bound to a workspace, and points to the list when the workspace is wrong', async () => {
    const owner = await polett(
      [
        'users',
        'create-owner',
        '--email',
        'agare@exempel.se',
        '--name',
        'Åsa Ägare',
        '--workspace',
        'Kaffebönan',
      ],
      {},
      'ett långt lösenord 123\n',
    );
    expect(owner.code).toBe(0);
    const workspaces = await polett(['workspaces', 'list']);
    const slug = /kaffebonan|kaffeb\S*/i.exec(workspaces.stdout)?.[0];
    expect(slug).toBeDefined();
    const created = await polett(['keys', 'create', 'rapporter', '--workspace', slug!, '--scope', 'read']);
    expect(created.code).toBe(0);
    expect(created.stdout.trim()).toMatch(/^plt_/);
    const wrong = await polett(['keys', 'create', 'x', '--workspace', 'finns-inte']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('polett workspaces list');
  });

  it('chats with a configured model, streamed, from a pipe', async () => {
    const chatDir = mkdtempSync(path.join(tmpdir(), 'polett-cli-chat-'));
    writeFileSync(
      path.join(chatDir, 'polett.json'),
      JSON.stringify({
        providers: { upstream: { type: 'openai-compatible', baseURL: upstream.url } },
        models: { ok: { provider: 'upstream', model: 'ok' } },
        tasks: { chat: ['ok'] },
      }),
    );
    const result = await polett(['chat'], { POLETT_DATA_DIR: chatDir }, 'Hej!');
    rmSync(chatDir, { recursive: true, force: true });
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe('Hej från servern!');
  });

  it('doctor checks the installation and says what is missing', async () => {
    const result = await polett(['doctor']);
    expect(result.stdout).toMatch(/✓ node/);
    expect(result.stdout).toMatch(/✓ better-sqlite3/);
    expect(result.stdout).toMatch(/✓ database: SQLite .* wal/);
    expect(result.stdout).toMatch(/! task embed: No model for "embed"/);
  });

  it('stops start-up with one sentence naming a wrong configuration value', async () => {
    const result = await polett(['start'], { POLETT_PORT: 'åttio' });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      'The configuration key server.port (from POLETT_PORT) has the value "åttio", but expected: a number.',
    );
  });

  it('starts the server, which answers on its health route with no model configured', async () => {
    const emptyDir = mkdtempSync(path.join(tmpdir(), 'polett-cli-start-'));
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'start'], {
      cwd: REPOSITORY_ROOT,
      env: { ...process.env, POLETT_DATA_DIR: emptyDir, POLETT_PORT: '0', POLETT_LOCALE: 'en' },
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /running at (http:\/\/\S+) /.exec(output);
          if (match) resolve(match[1]!);
        });
        child.on('exit', () => reject(new Error(`polett start exited: ${output}`)));
      });
      const response = await fetch(`${url}/health`);
      expect(response.status).toBe(200);
      expect(((await response.json()) as { status: string }).status).toBe('ok');
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.on('close', resolve));
      rmSync(emptyDir, { recursive: true, force: true });
    }
  });
});
