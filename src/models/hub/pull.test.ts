import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PolettError } from '../../errors.js';
import { pullModel, type PullModelOptions, type PullProgress } from './pull.js';
import { startFakeHub, type FakeHub } from './testing/fake-hub.js';
import { buildGgufBytes } from './testing/gguf-bytes.js';

const GGUF = buildGgufBytes({ name: 'Tiny Q4', paddingBytes: 300_000 });
const GGUF_Q8 = buildGgufBytes({ name: 'Tiny Q8', paddingBytes: 500_000 });
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

let hub: FakeHub;
let modelsDirectory: string;
const savedEnvironment = { ...process.env };

beforeAll(async () => {
  hub = await startFakeHub({
    validTokens: ['hf_valid_without_grants'],
    repositories: [
      {
        id: 'acme/tiny-GGUF',
        files: [
          { path: 'README.md', content: '# Tiny\n' },
          { path: 'tiny-Q4_K_M.gguf', content: GGUF },
        ],
      },
      {
        id: 'acme/multi-GGUF',
        files: [
          { path: 'tiny-Q4_K_M.gguf', content: GGUF },
          { path: 'tiny-Q8_0.gguf', content: GGUF_Q8 },
          { path: 'mmproj-tiny-f16.gguf', content: buildGgufBytes({ name: 'projector' }) },
        ],
      },
      {
        id: 'acme/split-GGUF',
        files: [
          { path: 'big-Q4_K_M-00001-of-00002.gguf', content: GGUF.slice(0, 1000) },
          { path: 'big-Q4_K_M-00002-of-00002.gguf', content: GGUF.slice(1000, 3000) },
        ],
      },
      {
        id: 'acme/tiny-onnx',
        files: [
          { path: 'README.md', content: '# Tiny ONNX\n' },
          { path: 'config.json', content: '{"model_type":"bert","architectures":["BertModel"]}' },
          { path: 'tokenizer.json', content: '{"version":"1.0"}' },
          { path: 'tokenizer_config.json', content: '{}' },
          { path: 'special_tokens_map.json', content: '{}' },
          { path: '1_Pooling/config.json', content: '{"pooling_mode_mean_tokens":true}' },
          { path: 'onnx/model.onnx', content: new Uint8Array(4000).fill(1) },
          { path: 'onnx/model.onnx_data', content: new Uint8Array(9000).fill(2) },
          { path: 'onnx/model_quantized.onnx', content: new Uint8Array(2000).fill(3) },
          { path: 'onnx/model_fp16.onnx', content: new Uint8Array(3000).fill(4) },
          { path: 'onnx/sentence_transformers.onnx', content: new Uint8Array(1000).fill(5) },
        ],
      },
      {
        id: 'acme/safetensors-only',
        files: [
          { path: 'config.json', content: '{}' },
          { path: 'model.safetensors', content: new Uint8Array(100), lfs: true },
        ],
      },
      {
        id: 'acme/gated-GGUF',
        gated: true,
        grantedTokens: ['hf_granted'],
        files: [{ path: 'gated-Q4_K_M.gguf', content: GGUF }],
      },
      {
        id: 'acme/private-GGUF',
        private: true,
        grantedTokens: ['hf_granted'],
        files: [{ path: 'private-Q4_K_M.gguf', content: GGUF }],
      },
    ],
  });
});

afterAll(async () => {
  await hub.close();
});

beforeEach(async () => {
  // A developer's own HF_TOKEN or HF_ENDPOINT must not leak into these tests.
  delete process.env.HF_TOKEN;
  delete process.env.HUGGING_FACE_HUB_TOKEN;
  delete process.env.HF_ENDPOINT;
  hub.requests.length = 0;
  modelsDirectory = await mkdtemp(path.join(os.tmpdir(), 'polett-pull-'));
});

afterEach(async () => {
  process.env = { ...savedEnvironment };
  await rm(modelsDirectory, { recursive: true, force: true });
});

function pull(options: Partial<PullModelOptions> & { reference: string }) {
  return pullModel({ modelsDirectory, endpoint: hub.url, retries: 0, retryDelayMs: 0, ...options });
}

async function pullError(options: Partial<PullModelOptions> & { reference: string }): Promise<PolettError> {
  const error = await pull(options).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PolettError);
  return error as PolettError;
}

/** One sentence per language: what went wrong, then what to do. */
function expectOneSentence(error: PolettError) {
  for (const text of [error.localized.en, error.localized.sv]) {
    expect(text.trim().endsWith('.')).toBe(true);
    expect(text.replace(/\.(?=\S)|\.$/g, '').includes('. ')).toBe(false);
  }
}

describe('pullModel: a GGUF repository', () => {
  it('downloads the model file into <models>/<owner>/<repo>/ and reports progress', async () => {
    const progress: PullProgress[] = [];
    const result = await pull({ reference: 'acme/tiny-GGUF', onProgress: (event) => progress.push(event) });

    const expectedPath = path.join(modelsDirectory, 'acme', 'tiny-GGUF', 'tiny-Q4_K_M.gguf');
    expect(result).toMatchObject({
      reference: 'acme/tiny-GGUF/tiny-Q4_K_M.gguf',
      repository: 'acme/tiny-GGUF',
      format: 'gguf',
      localPath: expectedPath,
      sizeBytes: GGUF.byteLength,
      downloadedBytes: GGUF.byteLength,
      files: [
        { path: 'tiny-Q4_K_M.gguf', localPath: expectedPath, size: GGUF.byteLength, sha256: sha256(GGUF) },
      ],
    });
    expect(result.revision).toMatch(/^[0-9a-f]{40}$/);
    expect(sha256(await readFile(expectedPath))).toBe(sha256(GGUF));
    expect(existsSync(`${expectedPath}.part`)).toBe(false);
    // The README is not part of what a runtime needs.
    expect(existsSync(path.join(modelsDirectory, 'acme', 'tiny-GGUF', 'README.md'))).toBe(false);

    const done = progress.map((event) => event.bytesDone);
    expect(done).toEqual([...done].sort((left, right) => left - right));
    expect(progress.at(-1)).toMatchObject({
      phase: 'done',
      bytesDone: GGUF.byteLength,
      bytesTotal: GGUF.byteLength,
    });
  });

  it('checks a complete earlier download instead of fetching it again', async () => {
    await pull({ reference: 'acme/tiny-GGUF' });
    hub.requests.length = 0;
    const again = await pull({ reference: 'acme/tiny-GGUF' });
    expect(again.downloadedBytes).toBe(0);
    expect(again.files[0]?.sha256).toBe(sha256(GGUF));
    expect(hub.requests.some((request) => request.path.includes('/resolve/'))).toBe(false);
  });

  it('pins the download to the commit the listing came from', async () => {
    const result = await pull({ reference: 'acme/tiny-GGUF' });
    const download = hub.requests.find((request) => request.path.includes('/resolve/'));
    expect(download?.path).toBe(`/acme/tiny-GGUF/resolve/${result.revision}/tiny-Q4_K_M.gguf`);
  });

  it('leaves a .part and no model when the connection breaks, and resumes it with a Range request', async () => {
    hub.interrupt('tiny-Q4_K_M.gguf', 120_000);
    const error = await pullError({ reference: 'acme/tiny-GGUF' });
    expect(error.code).toBe('model_download_interrupted');
    expect(error.isRetryable).toBe(true);
    expectOneSentence(error);

    const finalPath = path.join(modelsDirectory, 'acme', 'tiny-GGUF', 'tiny-Q4_K_M.gguf');
    expect(existsSync(finalPath)).toBe(false);
    const partSize = (await stat(`${finalPath}.part`)).size;
    expect(partSize).toBeGreaterThan(0);
    expect(partSize).toBeLessThan(GGUF.byteLength);

    hub.requests.length = 0;
    const result = await pull({ reference: 'acme/tiny-GGUF' });
    const ranged = hub.requests.filter((request) => request.range !== undefined);
    expect(ranged.map((request) => request.range)).toContain(`bytes=${partSize}-`);
    expect(result.downloadedBytes).toBe(GGUF.byteLength - partSize);
    expect(result.files[0]?.sha256).toBe(sha256(GGUF));
    expect(sha256(await readFile(finalPath))).toBe(sha256(GGUF));
    expect(existsSync(`${finalPath}.part`)).toBe(false);
  });

  it('resumes by itself within one pull when retries are allowed', async () => {
    hub.interrupt('tiny-Q4_K_M.gguf', 50_000);
    const result = await pull({ reference: 'acme/tiny-GGUF', retries: 1 });
    expect(result.files[0]?.sha256).toBe(sha256(GGUF));
    expect(hub.requests.some((request) => request.range === 'bytes=50000-')).toBe(true);
  });

  it('rejects a download whose sha256 differs from the listing, and keeps neither the file nor the part', async () => {
    hub.corrupt('tiny-Q4_K_M.gguf');
    try {
      const error = await pullError({ reference: 'acme/tiny-GGUF' });
      expect(error.code).toBe('model_download_corrupt');
      expect(error.localized.en).toContain('sha256');
      expectOneSentence(error);
      const finalPath = path.join(modelsDirectory, 'acme', 'tiny-GGUF', 'tiny-Q4_K_M.gguf');
      expect(existsSync(finalPath)).toBe(false);
      expect(existsSync(`${finalPath}.part`)).toBe(false);
    } finally {
      hub.corrupt('tiny-Q4_K_M.gguf', false);
    }
  });

  it('starts over when a leftover .part does not belong to the file on the hub', async () => {
    const finalPath = path.join(modelsDirectory, 'acme', 'tiny-GGUF', 'tiny-Q4_K_M.gguf');
    await mkdir(path.dirname(finalPath), { recursive: true });
    await writeFile(`${finalPath}.part`, new Uint8Array(1000).fill(9));
    const result = await pull({ reference: 'acme/tiny-GGUF', retries: 1 });
    expect(result.files[0]?.sha256).toBe(sha256(GGUF));
    expect(sha256(await readFile(finalPath))).toBe(sha256(GGUF));
  });

  it('keeps the part when the caller cancels, and says how to continue', async () => {
    const controller = new AbortController();
    const error = await pullError({
      reference: 'acme/tiny-GGUF',
      signal: controller.signal,
      onProgress: (event) => {
        if (event.phase === 'download' && event.fileBytesDone > 0) controller.abort();
      },
    });
    expect(error.code).toBe('model_download_cancelled');
    expect(existsSync(path.join(modelsDirectory, 'acme', 'tiny-GGUF', 'tiny-Q4_K_M.gguf'))).toBe(false);
  });

  it('asks which file when several quantisations exist, ignoring vision projectors', async () => {
    const error = await pullError({ reference: 'acme/multi-GGUF' });
    expect(error.code).toBe('model_file_ambiguous');
    expect(error.localized.en).toContain('tiny-Q4_K_M.gguf');
    expect(error.localized.en).toContain('tiny-Q8_0.gguf');
    expect(error.localized.en).not.toContain('mmproj');
    expectOneSentence(error);

    const chosen = await pull({
      reference: 'acme/multi-GGUF',
      chooseFile: (choices) => choices.find((choice) => choice.quantization === 'Q8_0')?.file,
    });
    expect(chosen.localPath.endsWith('tiny-Q8_0.gguf')).toBe(true);

    const tagged = await pull({ reference: 'acme/multi-GGUF:q4_k_m' });
    expect(tagged.reference).toBe('acme/multi-GGUF/tiny-Q4_K_M.gguf');
  });

  it('pulls one named file, and every part of a split model', async () => {
    const single = await pull({ reference: 'acme/multi-GGUF/tiny-Q8_0.gguf' });
    expect(single.files.map((file) => file.path)).toEqual(['tiny-Q8_0.gguf']);

    const split = await pull({ reference: 'acme/split-GGUF' });
    expect(split.files.map((file) => file.path)).toEqual([
      'big-Q4_K_M-00001-of-00002.gguf',
      'big-Q4_K_M-00002-of-00002.gguf',
    ]);
    expect(split.localPath.endsWith('big-Q4_K_M-00001-of-00002.gguf')).toBe(true);
  });
});

describe('pullModel: an ONNX repository', () => {
  it('takes the config and tokenizer files and the 8-bit graph by default', async () => {
    const result = await pull({ reference: 'acme/tiny-onnx' });
    expect(result.format).toBe('onnx');
    expect(result.onnxDtype).toBe('q8');
    expect(result.localPath).toBe(path.join(modelsDirectory, 'acme', 'tiny-onnx'));
    expect(result.files.map((file) => file.path).sort()).toEqual([
      '1_Pooling/config.json',
      'config.json',
      'onnx/model_quantized.onnx',
      'special_tokens_map.json',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    expect(existsSync(path.join(result.localPath, 'onnx', 'model_quantized.onnx'))).toBe(true);
  });

  it('takes the external data with an fp32 graph', async () => {
    const result = await pull({ reference: 'acme/tiny-onnx', onnxDtype: 'fp32' });
    const paths = result.files.map((file) => file.path);
    expect(paths).toContain('onnx/model.onnx');
    expect(paths).toContain('onnx/model.onnx_data');
    expect(paths).not.toContain('onnx/sentence_transformers.onnx');
  });

  it('says so when a repository has neither GGUF nor ONNX files', async () => {
    const error = await pullError({ reference: 'acme/safetensors-only' });
    expect(error.code).toBe('model_format_unsupported');
    expectOneSentence(error);
  });
});

describe('pullModel: failures get one clear sentence', () => {
  it('fails at once, naming the host and both ways out, when the hub cannot be reached', async () => {
    const port = await closedPort();
    const error = await pullError({ reference: 'acme/tiny-GGUF', endpoint: `http://127.0.0.1:${port}` });
    expect(error.code).toBe('model_hub_unreachable');
    expect(error.localized.en).toContain(`127.0.0.1:${port}`);
    expect(error.localized.en).toContain('polett models add <folder>');
    expect(error.localized.en).toContain('HF_ENDPOINT');
    expect(error.localized.sv).toContain('polett models add <mapp>');
    expect(error.localized.sv).toContain('HF_ENDPOINT');
    expectOneSentence(error);
  }, 2000);

  it('gives up after the connect timeout when a host accepts connections but never answers', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const error = await pullError({
        reference: 'acme/tiny-GGUF',
        endpoint: `http://127.0.0.1:${port}`,
        connectTimeoutMs: 200,
      });
      expect(error.code).toBe('model_hub_unreachable');
      expect(error.localized.en).toContain(`127.0.0.1:${port} (ETIMEDOUT)`);
    } finally {
      silent.close();
    }
  }, 2000);

  it('uses huggingface.co when neither the option nor HF_ENDPOINT names a hub', async () => {
    const asked: string[] = [];
    const offlineFetch: typeof fetch = async (input) => {
      asked.push(String(input));
      const cause = Object.assign(new Error('getaddrinfo ENOTFOUND huggingface.co'), { code: 'ENOTFOUND' });
      throw new TypeError('fetch failed', { cause });
    };
    const error = (await pullModel({
      reference: 'acme/tiny-GGUF',
      modelsDirectory,
      fetch: offlineFetch,
    }).then(
      () => undefined,
      (caught: unknown) => caught,
    )) as PolettError;
    expect(error).toBeInstanceOf(PolettError);
    expect(error.code).toBe('model_hub_unreachable');
    expect(error.localized.en).toContain('huggingface.co (ENOTFOUND)');
    expect(asked[0]?.startsWith('https://huggingface.co/api/models/acme/tiny-GGUF/')).toBe(true);
    expect(asked).toHaveLength(1);
  });

  it('uses HF_ENDPOINT when no endpoint option is given', async () => {
    process.env.HF_ENDPOINT = `${hub.url}/`;
    const result = await pullModel({ reference: 'acme/tiny-GGUF', modelsDirectory, retries: 0 });
    expect(result.files[0]?.sha256).toBe(sha256(GGUF));
  });

  it('says that a repository does not exist (404, and the 401 the hub gives without a token)', async () => {
    const withoutToken = await pullError({ reference: 'nobody/missing' });
    expect(withoutToken.code).toBe('model_not_found');
    expect(withoutToken.status).toBe(404);
    expect(withoutToken.localized.en).toContain('nobody/missing');
    expectOneSentence(withoutToken);

    const withToken = await pullError({ reference: 'nobody/missing', token: 'hf_valid_without_grants' });
    expect(withToken.code).toBe('model_not_found');

    const privateRepository = await pullError({ reference: 'acme/private-GGUF' });
    expect(privateRepository.code).toBe('model_not_found');
    expect(privateRepository.localized.en).toContain('HF_TOKEN');
  });

  it('says that a file does not exist, listing the ones that do', async () => {
    const error = await pullError({ reference: 'acme/tiny-GGUF/missing-Q2_K.gguf' });
    expect(error.code).toBe('model_file_not_found');
    expect(error.localized.en).toContain('tiny-Q4_K_M.gguf');
    expectOneSentence(error);
  });

  it('says that a revision does not exist', async () => {
    const error = await pullError({ reference: 'acme/tiny-GGUF', revision: 'no-such-branch' });
    expect(error.code).toBe('model_revision_not_found');
  });

  it('asks for HF_TOKEN for a gated model (401), and downloads it with a granted token', async () => {
    const error = await pullError({ reference: 'acme/gated-GGUF' });
    expect(error.code).toBe('model_access_denied');
    expect(error.status).toBe(401);
    expect(error.localized.en).toContain('HF_TOKEN');
    expect(error.localized.en).toContain(`${hub.url}/acme/gated-GGUF`);
    expectOneSentence(error);

    process.env.HF_TOKEN = 'hf_granted';
    const result = await pull({ reference: 'acme/gated-GGUF' });
    expect(result.files[0]?.sha256).toBe(sha256(GGUF));
    expect(
      hub.requests.filter((request) => request.path.includes('/resolve/')).map((r) => r.authorization),
    ).toEqual(['Bearer hf_granted']);
  });

  it('says that the account has no access (403), or that the token was refused (401)', async () => {
    const denied = await pullError({ reference: 'acme/gated-GGUF', token: 'hf_valid_without_grants' });
    expect(denied.code).toBe('model_access_denied');
    expect(denied.status).toBe(403);
    expect(denied.localized.en).toContain('has not been granted access');

    const refused = await pullError({ reference: 'acme/tiny-GGUF', token: 'hf_unknown' });
    expect(refused.code).toBe('model_access_denied');
    expect(refused.localized.en).toContain('did not accept the access token');
  });

  it('refuses a malformed reference before any request', async () => {
    const error = await pullError({ reference: 'just-a-name' });
    expect(error.code).toBe('model_reference_invalid');
    expect(hub.requests).toHaveLength(0);
  });
});

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
