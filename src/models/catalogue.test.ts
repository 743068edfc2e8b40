import { describe, expect, it } from 'vitest';
import { catalogueEntry, catalogueFor, MODEL_CATALOGUE, pullReferenceFor } from './catalogue.js';
import { parseModelReference } from './hub/reference.js';
import { ONNX_DTYPE_SUFFIXES } from './hub/select-files.js';
import { MODEL_TASKS } from './types.js';

describe('the model catalogue', () => {
  it('recommends at least one model for every task', () => {
    for (const task of MODEL_TASKS) {
      expect(catalogueFor(task).length, task).toBeGreaterThan(0);
      expect(catalogueFor(task).every((entry) => entry.task === task)).toBe(true);
    }
  });

  it('has unique ids and a pull reference that parses for every entry', () => {
    const ids = MODEL_CATALOGUE.map((entry) => entry.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const entry of MODEL_CATALOGUE) {
      const reference = parseModelReference(pullReferenceFor(entry));
      expect(reference.repository).toBe(entry.repository);
      expect(catalogueEntry(entry.id)).toBe(entry);
    }
  });

  it.each(MODEL_CATALOGUE.map((entry) => [entry.id, entry] as const))('%s is complete', (_id, entry) => {
    if (entry.format === 'gguf') {
      expect(entry.file).toMatch(/\.gguf$/);
      expect(entry.onnxDtype).toBeUndefined();
    } else {
      expect(entry.file).toBeUndefined();
      expect(Object.keys(ONNX_DTYPE_SUFFIXES)).toContain(entry.onnxDtype);
    }
    expect(entry.approximateSizeMegabytes).toBeGreaterThan(0);
    expect(entry.licence).toMatch(/^(Apache-2\.0|MIT|LicenseRef-[A-Za-z0-9.-]+)$/);
    expect(entry.languages.length).toBeGreaterThan(0);
    expect(entry.description.sv.length).toBeGreaterThan(20);
    expect(entry.description.en.length).toBeGreaterThan(20);
    // A model said to handle Swedish must list it among its languages, and the other way round.
    expect(entry.languages.includes('sv')).toBe(
      entry.swedish === 'native' || entry.swedish === 'multilingual',
    );
  });

  it('offers a Swedish-native chat model and a model for the Learn page', () => {
    expect(catalogueFor('chat').some((entry) => entry.swedish === 'native')).toBe(true);
    expect(
      MODEL_CATALOGUE.some((entry) => entry.purpose === 'learn-attention' && entry.format === 'onnx'),
    ).toBe(true);
  });
});
