/**
 * `polett models add <folder or file>`: recognises a model already on disk (an air-gapped site, a
 * model fetched by hand) and describes it as a record, or says in one sentence what is missing.
 *
 * Recognised: a `.gguf` file (magic bytes `GGUF`, version 2 or 3); a folder with exactly one GGUF
 * model in it; a transformers.js folder with `config.json`, `tokenizer.json` and `onnx/*.onnx`.
 */
import { open, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { PolettError } from '../../errors.js';
import { formatBytes } from './hub-errors.js';
import {
  availableOnnxDtypes,
  ggufChoices,
  loadedOnnxGraphs,
  parseOnnxFileName,
  type OnnxDtype,
} from './select-files.js';

/** What the header of a GGUF file says, as far as it was cheap to read. */
export interface GgufDetails {
  /** The GGUF format version (2 or 3). */
  ggufVersion: number;
  /** `llama`, `qwen2`, `gemma3`, `gpt2`… */
  architecture?: string;
  /** The model's own name (`general.name`). */
  modelName?: string;
  /** `0.5B`, `1.7B`… (`general.size_label`). */
  sizeLabel?: string;
  contextLength?: number;
  /** The quantisation read from the file name (`Q4_K_M`). */
  quantization?: string;
  /** All files of a split model, first part first; one entry for a single file. */
  parts: string[];
}

/** What a transformers.js folder holds. */
export interface OnnxDetails {
  /** `config.json`'s `model_type` (`bert`, `xlm-roberta`, `deberta-v2`…). */
  modelType?: string;
  architectures: string[];
  /** Precisions present for the `model` graph (or every graph), to pass as `dtype`. */
  dtypes: OnnxDtype[];
  onnxFiles: string[];
  hasTokenizerConfig: boolean;
}

interface RecordBase {
  /** A suggested alias: lowercase, letters, digits, `.`, `-`, `_`. */
  name: string;
  /** The GGUF file (first part) or the ONNX folder, absolute. */
  path: string;
  sizeBytes: number;
}

/** A local model, ready to be stored. */
export type LocalModelRecord =
  | (RecordBase & { format: 'gguf'; details: GgufDetails })
  | (RecordBase & { format: 'onnx'; details: OnnxDetails });

const GGUF_MAGIC = 'GGUF';
const SUPPORTED_GGUF_VERSIONS = new Set([2, 3]);
const SPLIT_PATTERN = /^(.*)-(\d{5})-of-(\d{5})\.gguf$/i;

function notAModel(
  target: string,
  reason: { sv: string; en: string },
  code = 'model_local_invalid',
): PolettError {
  return new PolettError({
    code,
    status: 422,
    field: 'path',
    message: {
      sv: `${target} ${reason.sv}.`,
      en: `${target} ${reason.en}.`,
    },
  });
}

/** Turns a file or folder name into a suggested alias. */
export function suggestedModelName(text: string): string {
  const name = text
    .toLowerCase()
    .replace(/\.gguf$/, '')
    .replace(/-\d{5}-of-\d{5}$/, '')
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-._]+|[-._]+$/g, '')
    .slice(0, 64);
  return name === '' ? 'model' : name;
}

async function statOrUndefined(target: string) {
  try {
    return await stat(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Reads magic bytes and version: the cheap check that a file is GGUF at all. */
async function readGgufHeader(filePath: string): Promise<number> {
  const handle = await open(filePath, 'r');
  try {
    const buffer = Buffer.alloc(8);
    const { bytesRead } = await handle.read(buffer, 0, 8, 0);
    if (bytesRead < 8 || buffer.toString('latin1', 0, 4) !== GGUF_MAGIC) {
      throw notAModel(filePath, {
        sv: 'är ingen GGUF-fil (den börjar inte med GGUF): ange en .gguf-fil eller en mapp med config.json, tokenizer.json och onnx/*.onnx',
        en: 'is not a GGUF file (it does not start with GGUF): give a .gguf file or a folder with config.json, tokenizer.json and onnx/*.onnx',
      });
    }
    const version = buffer.readUInt32LE(4);
    if (!SUPPORTED_GGUF_VERSIONS.has(version)) {
      throw notAModel(filePath, {
        sv: `har GGUF-version ${version}, som llama.cpp inte läser: konvertera om modellen med en aktuell llama.cpp eller hämta en nyare GGUF-fil`,
        en: `has GGUF version ${version}, which llama.cpp does not read: convert the model again with a current llama.cpp or fetch a newer GGUF file`,
      });
    }
    return version;
  } finally {
    await handle.close();
  }
}

/** The metadata node-llama-cpp reads from the header (no tensors, no vocabulary). */
async function readGgufMetadata(filePath: string): Promise<Partial<GgufDetails>> {
  let readGgufFileInfo: typeof import('node-llama-cpp').readGgufFileInfo;
  try {
    ({ readGgufFileInfo } = await import('node-llama-cpp'));
  } catch {
    // The magic and version already say it is GGUF; the name and architecture are a bonus.
    return {};
  }
  const damaged = (reason: string, cause?: unknown) =>
    new PolettError({
      code: 'model_local_invalid',
      status: 422,
      field: 'path',
      message: {
        sv: `${filePath} börjar som en GGUF-fil men huvudet går inte att läsa (${reason}): filen är troligen avkortad, så ladda ner den igen.`,
        en: `${filePath} starts like a GGUF file but its header cannot be read (${reason}): the file is probably truncated, so download it again.`,
      },
      ...(cause === undefined ? {} : { cause }),
    });
  let info: Awaited<ReturnType<typeof readGgufFileInfo>>;
  try {
    info = await readGgufFileInfo(filePath, {
      sourceType: 'filesystem',
      readTensorInfo: false,
      logWarnings: false,
      // The vocabulary is most of a header's size and nothing here needs it.
      ignoreKeys: [
        'tokenizer.ggml.tokens',
        'tokenizer.ggml.scores',
        'tokenizer.ggml.token_type',
        'tokenizer.ggml.merges',
      ],
    });
  } catch (error) {
    throw damaged((error as Error).message, error);
  }
  // The reader fills a cut-off header with zeros instead of failing; every real GGUF file names its
  // architecture, so a missing one means the header is not all there.
  const general = (info.metadata as unknown as Record<string, unknown>).general as
    Record<string, unknown> | undefined;
  if (typeof general?.architecture !== 'string' || general.architecture === '') {
    throw damaged('no general.architecture');
  }
  const architectureMetadata = (info.architectureMetadata ?? {}) as unknown as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const contextLength = architectureMetadata.context_length;
  const details: Partial<GgufDetails> = {};
  const architecture = text(general.architecture);
  const modelName = text(general.name);
  const sizeLabel = text(general.size_label);
  if (architecture) details.architecture = architecture;
  if (modelName) details.modelName = modelName;
  if (sizeLabel) details.sizeLabel = sizeLabel;
  if (typeof contextLength === 'number') details.contextLength = contextLength;
  return details;
}

/** The parts of a split GGUF model, checking that none is missing. */
async function ggufParts(filePath: string): Promise<string[]> {
  const split = SPLIT_PATTERN.exec(path.basename(filePath));
  if (!split) return [filePath];
  const [, prefix, , totalText] = split;
  const total = Number(totalText);
  const directory = path.dirname(filePath);
  const parts: string[] = [];
  for (let index = 1; index <= total; index++) {
    const part = path.join(directory, `${prefix}-${String(index).padStart(5, '0')}-of-${totalText}.gguf`);
    if ((await statOrUndefined(part)) === undefined) {
      throw notAModel(filePath, {
        sv: `är del av en delad modell i ${total} filer men del ${index} (${path.basename(part)}) saknas: lägg alla delar i samma mapp`,
        en: `is part of a model split into ${total} files but part ${index} (${path.basename(part)}) is missing: put all parts in the same folder`,
      });
    }
    parts.push(part);
  }
  return parts;
}

async function inspectGgufFile(filePath: string): Promise<LocalModelRecord> {
  const parts = await ggufParts(filePath);
  const first = parts[0]!;
  const ggufVersion = await readGgufHeader(first);
  const metadata = await readGgufMetadata(first);
  let sizeBytes = 0;
  for (const part of parts) sizeBytes += (await stat(part)).size;
  const quantization = ggufChoices([{ path: path.basename(first), size: 0 }])[0]?.quantization;
  return {
    name: suggestedModelName(path.basename(first)),
    path: first,
    format: 'gguf',
    sizeBytes,
    details: { ggufVersion, ...metadata, ...(quantization ? { quantization } : {}), parts },
  };
}

async function folderSize(folder: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const child = path.join(folder, entry.name);
    if (entry.isDirectory()) total += await folderSize(child);
    else if (entry.isFile()) total += (await stat(child)).size;
  }
  return total;
}

async function inspectOnnxFolder(folder: string, names: Set<string>): Promise<LocalModelRecord> {
  const onnxFolder = path.join(folder, 'onnx');
  const onnxFiles = (await statOrUndefined(onnxFolder))?.isDirectory()
    ? (await readdir(onnxFolder)).filter((name) => name.endsWith('.onnx')).sort()
    : [];
  const missing: string[] = [];
  if (!names.has('config.json')) missing.push('config.json');
  if (!names.has('tokenizer.json')) missing.push('tokenizer.json');
  if (onnxFiles.length === 0) missing.push('onnx/*.onnx');
  if (missing.length > 0) {
    throw notAModel(
      folder,
      {
        sv: `ser ut som en transformers.js-modell men saknar ${missing.join(', ')}: lägg dit filerna från modellens repo (ONNX-versionen, ofta under Xenova/ eller onnx-community/), eller hämta den med \`polett models pull\``,
        en: `looks like a transformers.js model but lacks ${missing.join(', ')}: add the files from the model's repository (the ONNX version, often under Xenova/ or onnx-community/), or fetch it with \`polett models pull\``,
      },
      'model_files_missing',
    );
  }

  let config: Record<string, unknown>;
  try {
    config = JSON.parse(await readFile(path.join(folder, 'config.json'), 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw notAModel(path.join(folder, 'config.json'), {
      sv: `är ingen giltig JSON (${(error as Error).message}): ersätt den med originalfilen från modellens repo`,
      en: `is not valid JSON (${(error as Error).message}): replace it with the original file from the model's repository`,
    });
  }

  const parsed = onnxFiles.map(parseOnnxFileName);
  const dtypes = availableOnnxDtypes(parsed, loadedOnnxGraphs(new Set(parsed.map((file) => file.base))));
  const modelType = typeof config.model_type === 'string' ? config.model_type : undefined;
  const architectures = Array.isArray(config.architectures)
    ? config.architectures.filter((value): value is string => typeof value === 'string')
    : [];
  return {
    name: suggestedModelName(path.basename(folder)),
    path: folder,
    format: 'onnx',
    sizeBytes: await folderSize(folder),
    details: {
      ...(modelType ? { modelType } : {}),
      architectures,
      dtypes,
      onnxFiles: onnxFiles.map((name) => `onnx/${name}`),
      hasTokenizerConfig: names.has('tokenizer_config.json'),
    },
  };
}

async function inspectFolder(folder: string): Promise<LocalModelRecord> {
  const entries = await readdir(folder, { withFileTypes: true });
  const names = new Set(entries.filter((entry) => entry.isFile()).map((entry) => entry.name));
  const hasOnnxFolder = entries.some((entry) => entry.isDirectory() && entry.name === 'onnx');
  const ggufModels = ggufChoices(
    [...names]
      .filter((name) => name.toLowerCase().endsWith('.gguf'))
      .map((name) => ({ path: name, size: 0 })),
  );

  if (ggufModels.length === 1) return inspectGgufFile(path.join(folder, ggufModels[0]!.file));
  if (ggufModels.length > 1) {
    const list = ggufModels.map((model) => model.file).join(', ');
    throw notAModel(
      folder,
      {
        sv: `innehåller ${ggufModels.length} GGUF-modeller (${list}): ange filen du vill använda, till exempel \`polett models add ${path.join(folder, ggufModels[0]!.file)}\``,
        en: `holds ${ggufModels.length} GGUF models (${list}): give the file you want, for example \`polett models add ${path.join(folder, ggufModels[0]!.file)}\``,
      },
      'model_file_ambiguous',
    );
  }
  if (names.has('config.json') || names.has('tokenizer.json') || hasOnnxFolder) {
    return inspectOnnxFolder(folder, names);
  }
  throw notAModel(
    folder,
    {
      sv: 'innehåller varken en .gguf-fil eller en transformers.js-modell (config.json, tokenizer.json och onnx/*.onnx): ange mappen eller filen där modellen ligger',
      en: 'holds neither a .gguf file nor a transformers.js model (config.json, tokenizer.json and onnx/*.onnx): give the folder or file where the model is',
    },
    'model_local_not_found',
  );
}

/**
 * Looks at a file or folder and describes the model in it, or throws a PolettError that says what
 * is missing. Reads only headers and small JSON files, so it is quick even for large models.
 */
export async function inspectLocalModel(target: string): Promise<LocalModelRecord> {
  const absolute = path.resolve(target);
  const info = await statOrUndefined(absolute);
  if (info === undefined) {
    throw notAModel(
      absolute,
      {
        sv: 'finns inte: kontrollera sökvägen (den läses på servern där Polett körs)',
        en: 'does not exist: check the path (it is read on the server where Polett runs)',
      },
      'model_local_not_found',
    );
  }
  if (info.isDirectory()) return inspectFolder(absolute);
  if (absolute.toLowerCase().endsWith('.onnx')) {
    throw notAModel(absolute, {
      sv: 'är en ensam ONNX-fil, men transformers.js behöver hela mappen: ange mappen med config.json, tokenizer.json och onnx/',
      en: 'is a lone ONNX file, but transformers.js needs the whole folder: give the folder with config.json, tokenizer.json and onnx/',
    });
  }
  if (info.size === 0) {
    throw notAModel(absolute, {
      sv: `är tom (${formatBytes(0)}): ladda ner modellfilen igen`,
      en: `is empty (${formatBytes(0)}): download the model file again`,
    });
  }
  return inspectGgufFile(absolute);
}
