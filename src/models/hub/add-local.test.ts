import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PolettError } from '../../errors.js';
import { inspectLocalModel, suggestedModelName } from './add-local.js';
import { buildGgufBytes } from './testing/gguf-bytes.js';

let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'polett-add-'));
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function inspectError(target: string): Promise<PolettError> {
  const error = await inspectLocalModel(target).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PolettError);
  return error as PolettError;
}

async function writeOnnxFolder(target: string, files: string[]) {
  await mkdir(path.join(target, 'onnx'), { recursive: true });
  for (const name of files) {
    const content =
      name === 'config.json' ? '{"model_type":"xlm-roberta","architectures":["XLMRobertaModel"]}' : '{}';
    await writeFile(path.join(target, name), name.endsWith('.onnx') ? new Uint8Array(64) : content);
  }
}

describe('inspectLocalModel', () => {
  it('recognises a GGUF file and reads its architecture and name from the header', async () => {
    const file = path.join(folder, 'Tiny-Chat-Q8_0.gguf');
    const bytes = buildGgufBytes({
      architecture: 'llama',
      name: 'Tiny Chat',
      contextLength: 4096,
      paddingBytes: 100,
    });
    await writeFile(file, bytes);

    const record = await inspectLocalModel(file);
    expect(record).toEqual({
      name: 'tiny-chat-q8_0',
      path: file,
      format: 'gguf',
      sizeBytes: bytes.byteLength,
      details: {
        ggufVersion: 3,
        architecture: 'llama',
        modelName: 'Tiny Chat',
        contextLength: 4096,
        quantization: 'Q8_0',
        parts: [file],
      },
    });
  });

  it('recognises a folder holding exactly one GGUF model', async () => {
    await writeFile(path.join(folder, 'model.gguf'), buildGgufBytes());
    await writeFile(path.join(folder, 'mmproj-model-f16.gguf'), buildGgufBytes({ name: 'projector' }));
    await writeFile(path.join(folder, 'README.md'), '# model');
    const record = await inspectLocalModel(folder);
    expect(record.format).toBe('gguf');
    expect(record.path).toBe(path.join(folder, 'model.gguf'));
  });

  it('asks for the file when a folder holds several GGUF models', async () => {
    await writeFile(path.join(folder, 'a-Q4_K_M.gguf'), buildGgufBytes());
    await writeFile(path.join(folder, 'a-Q8_0.gguf'), buildGgufBytes());
    const error = await inspectError(folder);
    expect(error.code).toBe('model_file_ambiguous');
    expect(error.localized.en).toContain('a-Q4_K_M.gguf');
  });

  it('recognises a transformers.js folder and lists its precisions', async () => {
    const model = path.join(folder, 'multilingual-e5-small');
    await writeOnnxFolder(model, [
      'config.json',
      'tokenizer.json',
      'tokenizer_config.json',
      'onnx/model.onnx',
      'onnx/model_quantized.onnx',
      'onnx/sentence_transformers.onnx',
    ]);
    const record = await inspectLocalModel(model);
    expect(record).toMatchObject({
      name: 'multilingual-e5-small',
      path: model,
      format: 'onnx',
      details: {
        modelType: 'xlm-roberta',
        architectures: ['XLMRobertaModel'],
        dtypes: ['fp32', 'q8'],
        onnxFiles: ['onnx/model.onnx', 'onnx/model_quantized.onnx', 'onnx/sentence_transformers.onnx'],
        hasTokenizerConfig: true,
      },
    });
    expect(record.sizeBytes).toBeGreaterThan(0);
  });

  it('says which parts of a transformers.js folder are missing', async () => {
    await writeOnnxFolder(folder, ['config.json']);
    const error = await inspectError(folder);
    expect(error.code).toBe('model_files_missing');
    expect(error.localized.en).toContain('tokenizer.json, onnx/*.onnx');
    expect(error.localized.sv).toContain('tokenizer.json, onnx/*.onnx');
  });

  it('refuses a file that is not GGUF, with a sentence saying what it accepts', async () => {
    const file = path.join(folder, 'notes.gguf');
    await writeFile(file, 'these are not model weights');
    const error = await inspectError(file);
    expect(error.code).toBe('model_local_invalid');
    expect(error.localized.en).toContain('is not a GGUF file');
    expect(error.localized.en).toContain('config.json');
  });

  it('refuses an unsupported GGUF version and a truncated header', async () => {
    const old = path.join(folder, 'old.gguf');
    await writeFile(old, buildGgufBytes({ version: 1 }));
    expect((await inspectError(old)).localized.en).toContain('GGUF version 1');

    const truncated = path.join(folder, 'truncated.gguf');
    await writeFile(truncated, buildGgufBytes().slice(0, 30));
    expect((await inspectError(truncated)).localized.en).toContain('truncated');
  });

  it('names a missing part of a split model', async () => {
    const first = path.join(folder, 'big-00001-of-00002.gguf');
    await writeFile(first, buildGgufBytes());
    const error = await inspectError(first);
    expect(error.localized.en).toContain('big-00002-of-00002.gguf');
  });

  it('says so for a path that does not exist, a lone ONNX file and a folder without a model', async () => {
    expect((await inspectError(path.join(folder, 'nothing'))).code).toBe('model_local_not_found');

    const lone = path.join(folder, 'model.onnx');
    await writeFile(lone, new Uint8Array(8));
    expect((await inspectError(lone)).localized.en).toContain('needs the whole folder');

    const empty = path.join(folder, 'empty');
    await mkdir(empty);
    await writeFile(path.join(empty, 'notes.txt'), 'hello');
    const error = await inspectError(empty);
    expect(error.code).toBe('model_local_not_found');
    expect(error.localized.en).toContain('neither a .gguf file nor a transformers.js model');
  });
});

describe('suggestedModelName', () => {
  it.each([
    ['Qwen2.5-0.5B-Instruct-Q4_K_M.gguf', 'qwen2.5-0.5b-instruct-q4_k_m'],
    ['big-Q8_0-00001-of-00003.gguf', 'big-q8_0'],
    ['Min Modell (svensk)', 'min-modell-svensk'],
    ['###', 'model'],
  ])('%s → %s', (input, expected) => {
    expect(suggestedModelName(input)).toBe(expected);
  });
});
