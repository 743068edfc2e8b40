import { describe, expect, it } from 'vitest';
import { PolettError } from '../../errors.js';
import { formatModelReference, parseModelReference } from './reference.js';

describe('parseModelReference', () => {
  it('reads owner/repo and owner/repo/path/to/file', () => {
    expect(parseModelReference('Qwen/Qwen2.5-0.5B-Instruct-GGUF')).toEqual({
      repository: 'Qwen/Qwen2.5-0.5B-Instruct-GGUF',
      owner: 'Qwen',
      name: 'Qwen2.5-0.5B-Instruct-GGUF',
    });
    expect(parseModelReference(' Xenova/multilingual-e5-small/onnx/model_quantized.onnx ')).toMatchObject({
      repository: 'Xenova/multilingual-e5-small',
      filePath: 'onnx/model_quantized.onnx',
    });
  });

  it('reads a quantisation tag as llama.cpp -hf does', () => {
    expect(parseModelReference('ggml-org/gemma-3-1b-it-GGUF:Q4_K_M')).toMatchObject({
      repository: 'ggml-org/gemma-3-1b-it-GGUF',
      quantization: 'Q4_K_M',
    });
  });

  it('reads addresses copied from the browser, keeping the revision', () => {
    expect(
      parseModelReference(
        'https://huggingface.co/bartowski/Llama-3.2-1B-Instruct-GGUF/blob/main/Llama-3.2-1B-Instruct-Q4_K_M.gguf',
      ),
    ).toMatchObject({
      repository: 'bartowski/Llama-3.2-1B-Instruct-GGUF',
      filePath: 'Llama-3.2-1B-Instruct-Q4_K_M.gguf',
      revision: 'main',
    });
    expect(parseModelReference('https://huggingface.co/Xenova/bge-m3')).toMatchObject({
      repository: 'Xenova/bge-m3',
    });
    expect(parseModelReference('hf://Xenova/bge-m3')).toMatchObject({ repository: 'Xenova/bge-m3' });
  });

  it.each([
    ['', 'empty'],
    ['gpt2', 'no owner'],
    ['owner/', 'no name'],
    ['owner/re po', 'space'],
    ['owner/repo/../../etc/passwd', 'climbing path'],
    ['owner/repo//file.gguf', 'empty segment'],
    ['datasets/owner/data', 'dataset'],
    ['owner/-repo', 'leading dash'],
    ['owner/repo--x', 'double dash'],
    ['owner/repo:Q4 K', 'bad tag'],
    ['owner/repo/file.gguf:Q4_K_M', 'file and tag'],
  ])('refuses %j (%s) with one sentence in each language', (input) => {
    let caught: unknown;
    try {
      parseModelReference(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PolettError);
    const error = caught as PolettError;
    expect(error.code).toBe('model_reference_invalid');
    expect(error.status).toBe(400);
    expect(error.localized.en).toContain('owner/repo');
    expect(error.localized.sv).toContain('ägare/repo');
  });

  it('formats the canonical reference', () => {
    expect(formatModelReference(parseModelReference('a/b/c/d.gguf'))).toBe('a/b/c/d.gguf');
    expect(formatModelReference(parseModelReference('a/b:Q8_0'))).toBe('a/b');
  });
});
