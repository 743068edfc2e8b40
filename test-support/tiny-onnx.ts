/**
 * The tiny ONNX encoders the tests run transformers.js (onnxruntime-node) on: real ONNX files with
 * a real WordPiece tokenizer, random weights from a fixed seed. They are written once into the
 * test models folder and rewritten only when their generator changes (see the stamp below).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BERT_SPECIAL_TOKENS, type TinyBertShape, writeTinyBertFolder } from './onnx-writer.js';

/** Feature extraction (embeddings): outputs `last_hidden_state`, mean pooling, sentence-transformers layout. */
export const TINY_ONNX_ENCODER = 'tiny-bert-encoder';
/** Sequence classification with NLI labels: the text-classification and zero-shot pipelines. */
export const TINY_ONNX_NLI = 'tiny-bert-nli';
/** A cross-encoder (one relevance logit per query–document pair): reranking. */
export const TINY_ONNX_RERANKER = 'tiny-bert-reranker';

/** The labels of the NLI model, in the order of roberta-large-mnli and most NLI exports. */
export const TINY_ONNX_NLI_LABELS = ['contradiction', 'neutral', 'entailment'] as const;

/** Hidden size of the tiny encoders, which is also the embedding dimension. */
export const TINY_ONNX_HIDDEN_SIZE = 32;

/** Name of the file in each model folder that records which generator wrote it. */
const STAMP_FILE = 'polett-generator.txt';

const PUNCTUATION = [...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~', '«', '»', '–', '—', '…', '€', '§'];
const LETTERS = [...'abcdefghijklmnopqrstuvwxyzåäöéèüæø', ...'ABCDEFGHIJKLMNOPQRSTUVWXYZÅÄÖÉÜÆØ'];
const DIGITS = [...'0123456789'];

/** Frequent Swedish words, and the words of the Swedish zero-shot hypothesis "Den här texten handlar om {}.". */
const SWEDISH_WORDS = `och att det som en på är av för med till den har de inte om ett han men var jag sig från vi
så kan man när år säger hon under också efter eller nu sin där vid mot ska skulle kommer ut får finns vara hade
alla andra mycket än här då sedan över bara in blir upp även vad få två vill ha många hur mer går kronor dem första
bli bra nya tid dag stor ny hela fick gör kunde måste gå sitt mig du ni oss vår vårt våra hej tack kund kunder
företag produkt pris beställning leverans paket faktura betalning retur order hjälp fråga frågor svar problem fel
snabb snabbt långsam dålig dåligt bättre bäst nöjd missnöjd glad arg bok böcker hus bil mat kaffe väder sol regn
snö vinter sommar höst älg åka köpa köpte sälja skicka skickade hämta öppet stängt butik webbplats hemsida app
konto lösenord säkerhet pengar dyr dyrt billig billigt kvalitet service personal trevlig tyvärr gärna idag
imorgon igår vecka månad timme minuter sport politik ekonomi teknik hälsa resor nyheter text texten handlar
Den Det Jag Vi Hej Tack Sverige Stockholm Göteborg Malmö`;

const ENGLISH_WORDS = `the of and to a in is it you that he was for on are with as I his they be at one have this from
or had by not but what all were we when your can said there use an each which she do how their if will up other
about out many then them these so some her would make like him into time has look two more write go see number no
way could people my than first water been call who now find long down day did get come made may part customer
customers delivery price product products support help question answer good bad great fast slow happy angry thanks
thank hello please sorry money quality shop store website account password payment invoice refund return package
shipping weather sports economy technology health travel news example The This It We`;

/** Word endings and parts, so that unknown words split into pieces as in a trained WordPiece vocabulary. */
const CONTINUATIONS = `s es ed ing ly er est tion ment ness able en et na ar or are ade at it ig lig ligt liga het
heten ning ningen isk iska ande ende ast aste ta te de da ns tt rna erna arna orna tjänst hus bok dag år sk ka ga
ra la ma sa va ll nn mm ck ng st`;

/**
 * A small cased WordPiece vocabulary written for these tests: the BERT special tokens, punctuation,
 * every letter (å ä ö included) and digit both word-initially and as a `##` continuation (so no
 * word of Swedish or English text becomes [UNK]), frequent Swedish and English words, and common
 * word endings. About 600 tokens.
 */
export function buildTinyVocabulary(): string[] {
  const words = (list: string): string[] => list.split(/\s+/).filter((word) => word.length > 0);
  const tokens = new Set<string>([
    ...BERT_SPECIAL_TOKENS,
    ...PUNCTUATION,
    ...DIGITS,
    ...DIGITS.map((digit) => `##${digit}`),
    ...LETTERS,
    ...LETTERS.map((letter) => `##${letter}`),
    ...words(SWEDISH_WORDS),
    ...words(ENGLISH_WORDS),
    ...words(CONTINUATIONS).map((piece) => `##${piece}`),
  ]);
  return [...tokens];
}

interface TinyModelDefinition {
  folderName: string;
  labels?: string[];
  seed: number;
  extraConfig?: Record<string, unknown>;
  extraFiles?: Record<string, unknown>;
}

const TINY_MODELS: TinyModelDefinition[] = [
  {
    folderName: TINY_ONNX_ENCODER,
    seed: 1,
    // The sentence-transformers files that say which pooling the embeddings use.
    extraFiles: {
      'modules.json': [
        { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
        { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
        { idx: 2, name: '2', path: '2_Normalize', type: 'sentence_transformers.models.Normalize' },
      ],
      '1_Pooling/config.json': {
        word_embedding_dimension: TINY_ONNX_HIDDEN_SIZE,
        pooling_mode_cls_token: false,
        pooling_mode_mean_tokens: true,
        pooling_mode_max_tokens: false,
        pooling_mode_mean_sqrt_len_tokens: false,
        pooling_mode_weightedmean_tokens: false,
        pooling_mode_lasttoken: false,
        include_prompt: true,
      },
    },
  },
  { folderName: TINY_ONNX_NLI, seed: 2, labels: [...TINY_ONNX_NLI_LABELS] },
  {
    folderName: TINY_ONNX_RERANKER,
    seed: 3,
    labels: ['LABEL_0'],
    // What sentence-transformers' CrossEncoder saves: one logit, read through a sigmoid.
    extraConfig: {
      sentence_transformers: { activation_fn: 'torch.nn.modules.activation.Sigmoid', version: '5.1.0' },
    },
  },
];

function shapeFor(definition: TinyModelDefinition, vocabularySize: number): TinyBertShape {
  return {
    vocabularySize,
    hiddenSize: TINY_ONNX_HIDDEN_SIZE,
    layerCount: 2,
    headCount: 2,
    intermediateSize: 64,
    maxPositions: 128,
    typeVocabularySize: 2,
    weightScale: 0.2,
    seed: definition.seed,
    ...(definition.labels === undefined ? {} : { labels: definition.labels }),
  };
}

/**
 * The generator's identity: a hash of this file and the writer, so that any change to how the
 * models are made regenerates them, with no version number to remember to bump.
 */
function generatorStamp(): string {
  const hash = createHash('sha256');
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const file of ['tiny-onnx.ts', 'onnx-writer.ts']) {
    const source = path.join(here, file);
    hash.update(existsSync(source) ? readFileSync(source) : file);
  }
  return hash.digest('hex').slice(0, 16);
}

function isCurrent(folder: string, stamp: string): boolean {
  const stampPath = path.join(folder, STAMP_FILE);
  return (
    existsSync(stampPath) &&
    readFileSync(stampPath, 'utf8').trim() === stamp &&
    existsSync(path.join(folder, 'onnx', 'model.onnx'))
  );
}

/**
 * Writes `tiny-bert-encoder/`, `tiny-bert-nli/` and `tiny-bert-reranker/` into `directory` where
 * they are missing or were made by another version of the generator. Each folder is written
 * beside its place and renamed into it, so an interrupted run never leaves a half-written model.
 */
export async function ensureTinyOnnxModels(directory: string): Promise<void> {
  const stamp = generatorStamp();
  const vocabulary = buildTinyVocabulary();
  for (const definition of TINY_MODELS) {
    const folder = path.join(directory, definition.folderName);
    if (isCurrent(folder, stamp)) continue;
    const temporary = path.join(directory, `.${definition.folderName}.${process.pid}.tmp`);
    rmSync(temporary, { recursive: true, force: true });
    writeTinyBertFolder(temporary, {
      shape: shapeFor(definition, vocabulary.length),
      vocabulary,
      ...(definition.extraConfig === undefined ? {} : { extraConfig: definition.extraConfig }),
      ...(definition.extraFiles === undefined ? {} : { extraFiles: definition.extraFiles }),
    });
    writeFileSync(path.join(temporary, STAMP_FILE), `${stamp}\n`);
    rmSync(folder, { recursive: true, force: true });
    try {
      renameSync(temporary, folder);
    } catch (error) {
      // Another test run wrote the same folder meanwhile: keep its copy if it is current.
      rmSync(temporary, { recursive: true, force: true });
      if (!isCurrent(folder, stamp)) throw error;
    }
  }
}
