import { describe, expect, it } from 'vitest';
import { ggufChoices, quantizationOf, selectFiles, type HubFileEntry } from './select-files.js';

const request = { repository: 'acme/model', endpoint: 'https://huggingface.co', tokenGiven: false };
const file = (path: string, size = 10): HubFileEntry => ({ path, size });

describe('quantizationOf', () => {
  it.each([
    ['Qwen2.5-0.5B-Instruct-Q4_K_M.gguf', 'Q4_K_M'],
    ['qwen2.5-0.5b-instruct-q4_k_m.gguf', 'q4_k_m'],
    ['EuroLLM-1.7B-Instruct.Q4_K_M.gguf', 'Q4_K_M'],
    ['GPT-Sw3-126M-Instruct-f16-GGUF.gguf', 'f16'],
    ['big-Q8_0-00001-of-00003.gguf', 'Q8_0'],
    ['model.gguf', undefined],
  ])('%s → %s', (name, expected) => {
    expect(quantizationOf(name)).toBe(expected);
  });
});

describe('ggufChoices', () => {
  it('groups split parts and leaves out projectors and importance matrices', () => {
    const choices = ggufChoices([
      file('a-Q4_K_M.gguf', 5),
      file('BF16/a-BF16-00002-of-00002.gguf', 7),
      file('BF16/a-BF16-00001-of-00002.gguf', 7),
      file('mmproj-F16.gguf'),
      file('imatrix_unsloth.gguf'),
      file('README.md'),
    ]);
    expect(choices.map((choice) => [choice.file, choice.sizeBytes, choice.quantization])).toEqual([
      ['a-Q4_K_M.gguf', 5, 'Q4_K_M'],
      ['BF16/a-BF16-00001-of-00002.gguf', 14, 'BF16'],
    ]);
  });
});

describe('selectFiles for ONNX', () => {
  const onnx = [
    file('config.json'),
    file('tokenizer.json'),
    file('README.md'),
    file('onnx/encoder_model.onnx'),
    file('onnx/encoder_model_quantized.onnx'),
    file('onnx/decoder_model.onnx'),
    file('onnx/decoder_model_quantized.onnx'),
    file('onnx/decoder_with_past_model_quantized.onnx'),
    file('onnx/decoder_model_merged.onnx'),
    file('onnx/decoder_model_merged_quantized.onnx'),
    file('onnx/decoder_model_merged_q4f16.onnx'),
  ];

  it('takes the merged decoder and the encoder in one precision', () => {
    const outcome = selectFiles(onnx, request);
    expect(outcome.kind).toBe('selected');
    if (outcome.kind !== 'selected') return;
    expect(outcome.selection.onnxDtype).toBe('q8');
    expect(outcome.selection.files.map((entry) => entry.path).sort()).toEqual([
      'config.json',
      'onnx/decoder_model_merged_quantized.onnx',
      'onnx/encoder_model_quantized.onnx',
      'tokenizer.json',
    ]);
  });

  it('refuses a precision that not every graph has', () => {
    expect(() => selectFiles(onnx, { ...request, onnxDtype: 'q4f16' })).toThrow(/q4f16/);
  });
});
