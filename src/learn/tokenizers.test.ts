/**
 * The real tokenizers: their ids for a text everybody knows, pieces that add up to the text byte
 * for byte, split characters shown honestly, and Swedish against English.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPolettError } from '../errors.js';
import { TEST_MODELS_DIR } from '../../test-support/paths.js';
import { TINY_GGUF_BPE_MODEL, TINY_GGUF_MODEL } from '../../test-support/tiny-gguf.js';
import { costsOfText, tokenizerForModel } from './token-costs.js';
import { readableBytes, sentencePieceTokenBytes, byteLevelTokenBytes } from './token-pieces.js';
import { BUILT_IN_TOKENIZERS, loadGgufVocabulary, TokenizerRegistry } from './tokenizers.js';

const registry = new TokenizerRegistry(() => [
  { alias: 'tiny-bpe', path: path.join(TEST_MODELS_DIR, TINY_GGUF_BPE_MODEL) },
  { alias: 'tiny-bytes', path: path.join(TEST_MODELS_DIR, TINY_GGUF_MODEL) },
]);

/** The same sentence in both languages, as the Learn page offers it. */
const SWEDISH = 'Vi levererar smörgåstårtor till företag i hela Göteborg, även på lördagar.';
const ENGLISH = 'We deliver sandwich cakes to companies all over Gothenburg, even on Saturdays.';

describe('token pieces', () => {
  it('shows whole characters as text and the bytes of a split one as ‹XX›', () => {
    expect(readableBytes(Uint8Array.of(0x20, 0xc3, 0xa5))).toEqual({ text: ' å', complete: true });
    expect(readableBytes(Uint8Array.of(0x20, 0xc3))).toEqual({ text: ' ‹C3›', complete: false });
    expect(readableBytes(Uint8Array.of(0xa5, 0x6c))).toEqual({ text: '‹A5›l', complete: false });
  });

  it('turns byte-level and SentencePiece spellings back into bytes', () => {
    expect(Buffer.from(byteLevelTokenBytes('ĠpÃ¥')).toString('utf8')).toBe(' på');
    expect(Buffer.from(sentencePieceTokenBytes('▁Göteborg')).toString('utf8')).toBe(' Göteborg');
    expect(Array.from(sentencePieceTokenBytes('<0xC3>'))).toEqual([0xc3]);
  });
});

describe('built-in tokenizers', () => {
  it('give the published ids for "Hello world"', async () => {
    const ids = async (name: string) =>
      (await registry.tokenize('Hello world', name)).tokens.map((token) => token.id);
    expect(await ids('o200k')).toEqual([13225, 2375]);
    expect(await ids('cl100k')).toEqual([9906, 1917]);
    expect(await ids('llama3')).toEqual([9906, 1917]);
    expect(await ids('qwen3')).toEqual([9707, 1879]);
    const gemma = await registry.tokenize('Hello world', 'gemma3');
    expect(gemma.tokens.map((token) => token.display)).toEqual(['Hello', '␣world']);
  });

  it('split a text into pieces whose bytes are exactly the text', async () => {
    const text = 'Smörgåsbord 🙂 𓀀\tnästa rad\nslut';
    for (const result of await registry.tokenizeWithEach(text)) {
      const bytes = Buffer.concat(result.tokens.map((token) => Buffer.from(token.bytes, 'hex')));
      expect(bytes.toString('utf8'), result.tokenizer).toBe(text);
      expect(result.tokenCount).toBe(result.tokens.length);
      expect(result.characterCount).toBe([...text].length);
      // The hieroglyph is rare in every vocabulary: at least one token carries only part of it.
      expect(
        result.tokens.some((token) => !token.complete),
        result.tokenizer,
      ).toBe(true);
      for (const token of result.tokens.filter((piece) => !piece.complete)) {
        expect(['𓀀', '🙂'], result.tokenizer).toContain(token.partOf);
      }
      expect(result.tokens.map((token) => token.display).join('')).toContain('↵');
    }
  });

  it('take more tokens for Swedish than for the same sentence in English', async () => {
    for (const name of BUILT_IN_TOKENIZERS) {
      const swedish = await registry.tokenize(SWEDISH, name);
      const english = await registry.tokenize(ENGLISH, name);
      expect(swedish.tokenCount, name).toBeGreaterThan(english.tokenCount);
    }
  });

  it('treat a special-token spelling in user text as text', async () => {
    const result = await registry.tokenize('<|endoftext|>', 'o200k');
    expect(result.tokenCount).toBeGreaterThan(1);
  });
});

describe("local models' tokenizers", () => {
  it("use llama.cpp's own tokenization of the file's vocabulary", async () => {
    const result = await registry.tokenize(SWEDISH, 'local:tiny-bpe');
    const vocabulary = await loadGgufVocabulary(path.join(TEST_MODELS_DIR, TINY_GGUF_BPE_MODEL));
    expect(result.tokens.map((token) => token.id)).toEqual(
      vocabulary.model.tokenize(SWEDISH, false).map(Number),
    );
    const bytes = Buffer.concat(result.tokens.map((token) => Buffer.from(token.bytes, 'hex')));
    expect(bytes.toString('utf8')).toBe(SWEDISH);
    // One token a byte: "å" is two tokens, each half of the character.
    const bytesOnly = await registry.tokenize('å', 'local:tiny-bytes');
    expect(bytesOnly.tokens.map((token) => token.text)).toEqual(['‹C3›', '‹A5›']);
    expect(bytesOnly.tokens.map((token) => token.partOf)).toEqual(['å', 'å']);
  });

  it('refuse an unknown name with the names there are', async () => {
    const error = await registry.tokenize('Hej', 'local:nothing').catch((caught: unknown) => caught);
    expect(isPolettError(error) && error.code).toBe('learn_tokenizer_unknown');
    expect(String((error as Error).message)).toContain('local:tiny-bpe');
  });

  it('split once per tokenizer when a request names one twice', async () => {
    const results = await registry.tokenizeWithEach('Hej på dig', ['o200k', 'cl100k', 'o200k']);
    expect(results.map((result) => result.tokenizer)).toEqual(['o200k', 'cl100k']);
  });
});

describe('costs', () => {
  it("count each model with its family's tokenizer, or say it is an estimate", () => {
    const model = (name: string, providerType = 'openai-compatible') => ({
      alias: name,
      provider: 'p',
      providerType,
      model: name,
    });
    expect(tokenizerForModel(model('gpt-4o-mini'))).toEqual({ tokenizer: 'o200k', estimated: false });
    expect(tokenizerForModel(model('gpt-4-turbo'))).toEqual({ tokenizer: 'cl100k', estimated: false });
    expect(tokenizerForModel(model('meta-llama/Llama-3.3-70B-Instruct'))).toEqual({
      tokenizer: 'llama3',
      estimated: false,
    });
    expect(tokenizerForModel(model('Qwen/Qwen3-32B'))).toEqual({ tokenizer: 'qwen3', estimated: false });
    expect(tokenizerForModel(model('claude-sonnet-4'))).toEqual({ tokenizer: 'o200k', estimated: true });
  });

  it('price the text and measure the context window it fills', async () => {
    const [priced, unpriced] = await costsOfText(
      SWEDISH,
      [
        {
          alias: 'gpt',
          provider: 'openai',
          providerType: 'openai-compatible',
          model: 'gpt-4o',
          price: { inputPerMillion: 2.5, outputPerMillion: 10, currency: 'USD' },
          contextWindow: 128_000,
        },
        { alias: 'mistral', provider: 'mistral', providerType: 'openai-compatible', model: 'mistral-small' },
      ],
      registry,
    );
    const count = (await registry.tokenize(SWEDISH, 'o200k')).tokenCount;
    expect(priced).toMatchObject({ tokenCount: count, currency: 'USD', contextWindow: 128_000 });
    expect(priced!.inputCost).toBeCloseTo((count * 2.5) / 1_000_000, 12);
    expect(priced!.contextFill).toBeCloseTo(count / 128_000, 12);
    expect(unpriced).toMatchObject({
      estimated: true,
      inputCost: null,
      contextWindow: null,
      contextFill: null,
    });
  });
});
