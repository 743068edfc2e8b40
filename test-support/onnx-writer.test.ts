/**
 * The ONNX writer makes real models: the bytes decode with the ONNX schema, are deterministic for
 * a seed, and onnxruntime (through transformers.js) runs them as a BERT encoder whose attention
 * mask really hides padding.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AutoModel, Tensor } from '@huggingface/transformers';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BERT_SPECIAL_TOKENS,
  buildTinyBertOnnx,
  buildWordPieceTokenizerJson,
  decodeOnnxModel,
  type TinyBertShape,
  TINY_BERT_OPSET,
  writeTinyBertFolder,
} from './onnx-writer.js';

const vocabulary = [...BERT_SPECIAL_TOKENS, 'hej', 'och', 'å', '##ä', '##ö', 'the', '.'];
const shape: TinyBertShape = {
  vocabularySize: vocabulary.length,
  hiddenSize: 8,
  layerCount: 1,
  headCount: 2,
  intermediateSize: 16,
  maxPositions: 16,
  typeVocabularySize: 2,
  weightScale: 0.5,
  seed: 7,
};
const scratch = mkdtempSync(path.join(tmpdir(), 'polett-onnx-writer-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function int64(rows: number[][]): Tensor {
  return new Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0]!.length]);
}

describe('ONNX writer', () => {
  it('writes the same bytes for a seed and other bytes for another seed', () => {
    const first = buildTinyBertOnnx(shape);
    expect(Buffer.from(buildTinyBertOnnx(shape)).equals(Buffer.from(first))).toBe(true);
    expect(Buffer.from(buildTinyBertOnnx({ ...shape, seed: 8 })).equals(Buffer.from(first))).toBe(false);
  });

  it('encodes a ModelProto that decodes with the ONNX schema', () => {
    const model = decodeOnnxModel(buildTinyBertOnnx({ ...shape, labels: ['a', 'b'] })) as {
      ir_version: number;
      opset_import: Array<{ version: number }>;
      graph: {
        input: Array<{ name: string }>;
        output: Array<{ name: string }>;
        node: Array<{ op_type: string }>;
      };
    };
    expect(model.ir_version).toBe(8);
    expect(model.opset_import[0]?.version).toBe(TINY_BERT_OPSET);
    expect(model.graph.input.map((input) => input.name)).toEqual([
      'input_ids',
      'attention_mask',
      'token_type_ids',
    ]);
    expect(model.graph.output.map((output) => output.name)).toEqual(['logits']);
    const operators = new Set(model.graph.node.map((node) => node.op_type));
    for (const operator of ['Gather', 'LayerNormalization', 'MatMul', 'Softmax', 'Erf', 'Tanh']) {
      expect(operators).toContain(operator);
    }
  });

  it('builds a WordPiece tokenizer.json whose ids follow the vocabulary', () => {
    const tokenizer = buildWordPieceTokenizerJson(vocabulary) as { model: { vocab: Record<string, number> } };
    expect(tokenizer.model.vocab['[PAD]']).toBe(0);
    expect(tokenizer.model.vocab['##ö']).toBe(vocabulary.indexOf('##ö'));
    expect(() => buildWordPieceTokenizerJson([...vocabulary, 'hej'])).toThrow(/twice/);
  });

  it('runs in onnxruntime as an encoder whose attention mask hides padding', async () => {
    const folder = path.join(scratch, 'encoder');
    writeTinyBertFolder(folder, { shape, vocabulary });
    const model = await AutoModel.from_pretrained(folder, {
      local_files_only: true,
      dtype: 'fp32',
      device: 'cpu',
    });
    try {
      // The same sentence alone and padded with two [PAD] tokens in a batch beside a longer one.
      const sentence = [2, 5, 6, 7, 3];
      const padded = [...sentence, 0, 0];
      const output = (await model({
        input_ids: int64([padded, [2, 9, 10, 11, 5, 6, 3]]),
        attention_mask: int64([padded.map((id) => (id === 0 ? 0 : 1)), [1, 1, 1, 1, 1, 1, 1]]),
        token_type_ids: int64([new Array(7).fill(0), new Array(7).fill(0)]),
      })) as { last_hidden_state: Tensor };
      const alone = (await model({
        input_ids: int64([sentence]),
        attention_mask: int64([sentence.map(() => 1)]),
        token_type_ids: int64([sentence.map(() => 0)]),
      })) as { last_hidden_state: Tensor };

      expect(output.last_hidden_state.dims).toEqual([2, 7, shape.hiddenSize]);
      const batched = output.last_hidden_state.tolist() as number[][][];
      const single = alone.last_hidden_state.tolist() as number[][][];
      for (let position = 0; position < sentence.length; position += 1) {
        const expected = single[0]![position]!;
        batched[0]![position]!.forEach((value, index) => expect(value).toBeCloseTo(expected[index]!, 4));
        // The last operation is a LayerNorm with unit weight and zero bias: mean 0, variance 1.
        const mean = expected.reduce((sum, value) => sum + value, 0) / expected.length;
        const variance = expected.reduce((sum, value) => sum + (value - mean) ** 2, 0) / expected.length;
        expect(mean).toBeCloseTo(0, 4);
        expect(variance).toBeCloseTo(1, 3);
      }
      // Positions matter: the same tokens in another order give other states.
      const reordered = (await model({
        input_ids: int64([[2, 6, 5, 7, 3]]),
        attention_mask: int64([sentence.map(() => 1)]),
        token_type_ids: int64([sentence.map(() => 0)]),
      })) as { last_hidden_state: Tensor };
      expect((reordered.last_hidden_state.tolist() as number[][][])[0]![1]).not.toEqual(single[0]![2]);
    } finally {
      await model.dispose();
    }
  });
});
