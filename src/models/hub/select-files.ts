/**
 * Decides which files of a repository a runtime needs, from the hub's file listing alone:
 * - GGUF (node-llama-cpp): one model file, or every part of a split model; when a repository offers
 *   several quantisations the caller must choose one;
 * - ONNX (transformers.js): `config.json`, the tokenizer and the other small JSON files, plus one
 *   precision (`dtype`) of the ONNX graph in `onnx/` with its external data files;
 * - anything else only when asked for by name.
 */
import { PolettError } from '../../errors.js';
import { fileNotFoundError, formatBytes } from './hub-errors.js';

/** One file of the listing, reduced to what selection and verification need. */
export interface HubFileEntry {
  path: string;
  size: number;
  /** The LFS object id, which is the sha256 of the content. */
  sha256?: string;
  /** The git blob id (sha1 of `blob <size>\0<content>`), present for every file. */
  gitOid?: string;
}

export type PulledFormat = 'gguf' | 'onnx' | 'other';

/**
 * The precisions transformers.js can load, keyed by the `dtype` it is given, with the file-name
 * suffix it then looks for (`onnx/model_quantized.onnx` for `q8`).
 */
export const ONNX_DTYPE_SUFFIXES = {
  fp32: '',
  fp16: '_fp16',
  int8: '_int8',
  uint8: '_uint8',
  q8: '_quantized',
  q4: '_q4',
  q4f16: '_q4f16',
  q2: '_q2',
  q2f16: '_q2f16',
  q1: '_q1',
  q1f16: '_q1f16',
  bnb4: '_bnb4',
} as const;

export type OnnxDtype = keyof typeof ONNX_DTYPE_SUFFIXES;

// The default when the caller names no precision: 8-bit weights are a quarter of the size and run
// faster on a CPU at nearly the same quality; fp32 when a repository has no 8-bit file.
const DEFAULT_DTYPE_PREFERENCE: readonly OnnxDtype[] = [
  'q8',
  'int8',
  'uint8',
  'fp32',
  'fp16',
  'q4',
  'q4f16',
  'bnb4',
];

/** One GGUF model a repository offers: a single file, or the parts of a split model. */
export interface GgufChoice {
  /** The file to load (the first part of a split model). */
  file: string;
  files: HubFileEntry[];
  sizeBytes: number;
  /** The quantisation read from the file name (`Q4_K_M`), when the name has one. */
  quantization?: string;
}

export interface FileSelection {
  format: PulledFormat;
  files: HubFileEntry[];
  /** For GGUF and single files: the path of the file a runtime loads. Undefined for ONNX folders. */
  primaryFile?: string;
  /** For ONNX: the precision chosen, to pass to transformers.js as `dtype`. */
  onnxDtype?: OnnxDtype;
}

export interface SelectionRequest {
  repository: string;
  filePath?: string;
  quantization?: string;
  format?: 'gguf' | 'onnx';
  onnxDtype?: OnnxDtype;
  /** Needed in error sentences. */
  endpoint: string;
  tokenGiven: boolean;
}

export type SelectionOutcome =
  { kind: 'selected'; selection: FileSelection } | { kind: 'choose'; choices: GgufChoice[] };

const SPLIT_PATTERN = /^(.*)-(\d{5})-of-(\d{5})\.gguf$/i;
const QUANTIZATION_TOKEN = /^(?:I?Q\d[A-Z0-9_]*|TQ\d[A-Z0-9_]*|MXFP4[A-Z0-9_]*|BF16|F16|F32|FP16|FP32)$/i;

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function nameTokens(fileName: string): string[] {
  return fileName
    .replace(/\.gguf$/i, '')
    .replace(/-\d{5}-of-\d{5}$/, '')
    .split(/[-.]/);
}

/** The quantisation in a GGUF file name: `Qwen2.5-0.5B-Instruct-Q4_K_M.gguf` → `Q4_K_M`. */
export function quantizationOf(fileName: string): string | undefined {
  const tokens = nameTokens(baseName(fileName));
  for (let index = tokens.length - 1; index >= 0; index--) {
    const token = tokens[index];
    if (token !== undefined && QUANTIZATION_TOKEN.test(token)) return token;
  }
  return undefined;
}

/** Files that are GGUF but not a model to chat with: vision projectors and importance matrices. */
function isAuxiliaryGguf(path: string): boolean {
  const name = baseName(path).toLowerCase();
  return name.startsWith('mmproj') || name.includes('imatrix');
}

/** Groups the GGUF files of a listing into the models a person can choose between. */
export function ggufChoices(entries: readonly HubFileEntry[]): GgufChoice[] {
  const groups = new Map<string, HubFileEntry[]>();
  for (const entry of entries) {
    if (!entry.path.toLowerCase().endsWith('.gguf') || isAuxiliaryGguf(entry.path)) continue;
    const split = SPLIT_PATTERN.exec(entry.path);
    const key = split ? `${split[1]}\0${split[3]}` : entry.path;
    const group = groups.get(key) ?? [];
    group.push(entry);
    groups.set(key, group);
  }
  return [...groups.values()]
    .map((files) => {
      const sorted = [...files].sort((left, right) => left.path.localeCompare(right.path));
      const first = sorted[0]!;
      const quantization = quantizationOf(first.path);
      return {
        file: first.path,
        files: sorted,
        sizeBytes: sorted.reduce((sum, file) => sum + file.size, 0),
        ...(quantization === undefined ? {} : { quantization }),
      };
    })
    .sort((left, right) => left.sizeBytes - right.sizeBytes || left.file.localeCompare(right.file));
}

/** The parts of the split set a GGUF file belongs to, or just the file. */
function splitSetOf(entries: readonly HubFileEntry[], file: HubFileEntry): HubFileEntry[] {
  const split = SPLIT_PATTERN.exec(file.path);
  if (!split) return [file];
  const [, prefix, , total] = split;
  return entries
    .filter((entry) => {
      const other = SPLIT_PATTERN.exec(entry.path);
      return other !== null && other[1] === prefix && other[3] === total;
    })
    .sort((left, right) => left.path.localeCompare(right.path));
}

interface OnnxFile {
  entry: HubFileEntry;
  base: string;
  dtype: OnnxDtype;
}

// Longest suffixes first, so that `_q4f16` is not read as `_q4` followed by junk.
const SUFFIXES_LONGEST_FIRST = (Object.entries(ONNX_DTYPE_SUFFIXES) as [OnnxDtype, string][])
  .filter(([, suffix]) => suffix !== '')
  .sort((left, right) => right[1].length - left[1].length);

/** Splits an ONNX file name into the graph and its precision: `model_quantized.onnx` → `model`, `q8`. */
export function parseOnnxFileName(fileName: string): { base: string; dtype: OnnxDtype } {
  const stem = baseName(fileName).replace(/\.onnx$/, '');
  for (const [dtype, suffix] of SUFFIXES_LONGEST_FIRST) {
    if (stem.endsWith(suffix) && stem.length > suffix.length) {
      return { base: stem.slice(0, -suffix.length), dtype };
    }
  }
  return { base: stem, dtype: 'fp32' };
}

function parseOnnxFile(entry: HubFileEntry): OnnxFile {
  return { entry, ...parseOnnxFileName(entry.path) };
}

/**
 * The graphs transformers.js loads: `model` for encoders; otherwise every graph, leaving out the
 * unmerged decoders that `decoder_model_merged` replaces. Alternative exports kept beside `model`
 * (such as `sentence_transformers.onnx`) would only double the download.
 */
export function loadedOnnxGraphs(bases: ReadonlySet<string>): string[] {
  if (bases.has('model')) return ['model'];
  const result = [...bases].sort();
  if (bases.has('decoder_model_merged')) {
    return result.filter((base) => base !== 'decoder_model' && base !== 'decoder_with_past_model');
  }
  return result;
}

/** The precisions in which every loaded graph exists, in the order of ONNX_DTYPE_SUFFIXES. */
export function availableOnnxDtypes(
  files: readonly { base: string; dtype: OnnxDtype }[],
  bases: readonly string[],
): OnnxDtype[] {
  return (Object.keys(ONNX_DTYPE_SUFFIXES) as OnnxDtype[]).filter((dtype) =>
    bases.every((base) => files.some((file) => file.base === base && file.dtype === dtype)),
  );
}

/** External data of an ONNX file: `model.onnx_data`, `model.onnx_data_1`… */
function externalDataOf(entries: readonly HubFileEntry[], onnxPath: string): HubFileEntry[] {
  const prefix = `${onnxPath}_data`;
  return entries.filter(
    (entry) =>
      entry.path === prefix ||
      (entry.path.startsWith(prefix) && /^_\d+$/.test(entry.path.slice(prefix.length))),
  );
}

/** Top-level JSON (config, tokenizer, generation settings) and sentence-transformers module configs. */
function isOnnxCompanion(path: string): boolean {
  if (!path.endsWith('.json')) return false;
  const slash = path.indexOf('/');
  if (slash === -1) return true;
  return /^\d+_[A-Za-z]+\/config\.json$/.test(path);
}

function missingOnnxPartsError(request: SelectionRequest, missing: string[]): PolettError {
  const list = missing.join(', ');
  return new PolettError({
    code: 'model_files_missing',
    status: 422,
    field: 'reference',
    message: {
      sv: `ONNX-repot ${request.repository} saknar ${list}, som transformers.js behöver: välj en version av modellen gjord för transformers.js (ofta under Xenova/ eller onnx-community/).`,
      en: `The ONNX repository ${request.repository} lacks ${list}, which transformers.js needs: choose a version of the model made for transformers.js (often under Xenova/ or onnx-community/).`,
    },
  });
}

function selectOnnx(
  entries: readonly HubFileEntry[],
  request: SelectionRequest,
  requested?: HubFileEntry,
): FileSelection {
  const onnxFiles = entries.filter((entry) => /^onnx\/[^/]+\.onnx$/.test(entry.path)).map(parseOnnxFile);
  const missing: string[] = [];
  if (!entries.some((entry) => entry.path === 'config.json')) missing.push('config.json');
  if (!entries.some((entry) => entry.path === 'tokenizer.json')) missing.push('tokenizer.json');
  if (onnxFiles.length === 0) missing.push('onnx/*.onnx');
  if (missing.length > 0) throw missingOnnxPartsError(request, missing);

  const requestedFile = requested === undefined ? undefined : parseOnnxFile(requested);
  const bases = requestedFile
    ? [requestedFile.base]
    : loadedOnnxGraphs(new Set(onnxFiles.map((file) => file.base)));
  // A precision is usable only when every graph the runtime loads exists in it.
  const available = availableOnnxDtypes(onnxFiles, bases);

  const wanted = requestedFile?.dtype ?? request.onnxDtype;
  let dtype: OnnxDtype | undefined;
  if (wanted !== undefined) {
    if (!available.includes(wanted)) {
      throw new PolettError({
        code: 'model_dtype_unavailable',
        status: 422,
        field: 'onnxDtype',
        message: {
          sv: `Repot ${request.repository} har ingen ONNX-fil med precisionen ${wanted}: välj en av ${available.join(', ') || 'inga'}.`,
          en: `The repository ${request.repository} has no ONNX file in precision ${wanted}: choose one of ${available.join(', ') || 'none'}.`,
        },
      });
    }
    dtype = wanted;
  } else {
    dtype = DEFAULT_DTYPE_PREFERENCE.find((candidate) => available.includes(candidate)) ?? available[0];
  }
  if (dtype === undefined) throw missingOnnxPartsError(request, ['onnx/*.onnx']);

  const graphs = onnxFiles
    .filter((file) => bases.includes(file.base) && file.dtype === dtype)
    .map((file) => file.entry);
  const files = [
    ...entries.filter((entry) => isOnnxCompanion(entry.path)),
    ...graphs,
    ...graphs.flatMap((graph) => externalDataOf(entries, graph.path)),
  ];
  return { format: 'onnx', files: unique(files), onnxDtype: dtype };
}

function unique(files: HubFileEntry[]): HubFileEntry[] {
  const seen = new Set<string>();
  return files.filter((file) => (seen.has(file.path) ? false : (seen.add(file.path), true)));
}

function describeChoices(choices: readonly GgufChoice[]): string[] {
  return choices.map((choice) => `${choice.file} (${formatBytes(choice.sizeBytes)})`);
}

/** Throws the sentence for a repository whose GGUF files the caller must choose between. */
export function ambiguousGgufError(repository: string, choices: readonly GgufChoice[]): PolettError {
  const shown = describeChoices(choices.slice(0, 12));
  const list = shown.join(', ') + (choices.length > shown.length ? ', …' : '');
  return new PolettError({
    code: 'model_file_ambiguous',
    status: 409,
    retryable: false,
    field: 'reference',
    message: {
      sv: `Repot ${repository} har ${choices.length} GGUF-filer (${list}): välj en med \`polett models pull ${repository}/<fil>\` eller en tagg som \`${repository}:Q4_K_M\`.`,
      en: `The repository ${repository} offers ${choices.length} GGUF files (${list}): choose one with \`polett models pull ${repository}/<file>\` or a tag such as \`${repository}:Q4_K_M\`.`,
    },
  });
}

/** Chooses the files to download, or returns the GGUF choices when the caller must pick. */
export function selectFiles(entries: readonly HubFileEntry[], request: SelectionRequest): SelectionOutcome {
  const context = {
    endpoint: request.endpoint,
    repository: request.repository,
    tokenGiven: request.tokenGiven,
  };

  if (request.filePath !== undefined) {
    const wanted = request.filePath;
    const entry = entries.find((candidate) => candidate.path === wanted);
    if (entry === undefined) {
      const isGguf = wanted.toLowerCase().endsWith('.gguf');
      const alternatives = isGguf
        ? ggufChoices(entries).map((choice) => choice.file)
        : entries.map((candidate) => candidate.path).filter((path) => baseName(path) === baseName(wanted));
      throw fileNotFoundError(context, wanted, alternatives);
    }
    if (entry.path.toLowerCase().endsWith('.gguf')) {
      const parts = splitSetOf(entries, entry);
      return { kind: 'selected', selection: { format: 'gguf', files: parts, primaryFile: parts[0]!.path } };
    }
    if (/^onnx\/[^/]+\.onnx$/.test(entry.path)) {
      return { kind: 'selected', selection: selectOnnx(entries, request, entry) };
    }
    return { kind: 'selected', selection: { format: 'other', files: [entry], primaryFile: entry.path } };
  }

  const choices = ggufChoices(entries);
  const hasOnnx = entries.some((entry) => /^onnx\/[^/]+\.onnx$/.test(entry.path));
  const useGguf = request.format === 'gguf' || (request.format === undefined && choices.length > 0);

  if (useGguf) {
    if (choices.length === 0) throw noRunnableFilesError(request, 'gguf');
    let candidates = choices;
    if (request.quantization !== undefined) {
      const tag = request.quantization.toLowerCase();
      candidates = choices.filter((choice) =>
        nameTokens(baseName(choice.file)).some((token) => token.toLowerCase() === tag),
      );
      if (candidates.length === 0) {
        throw fileNotFoundError(
          context,
          `*${request.quantization}*.gguf`,
          choices.map((choice) => choice.file),
        );
      }
    }
    if (candidates.length === 1) {
      const choice = candidates[0]!;
      return {
        kind: 'selected',
        selection: { format: 'gguf', files: choice.files, primaryFile: choice.file },
      };
    }
    return { kind: 'choose', choices: candidates };
  }

  if (request.format === 'onnx' || hasOnnx) {
    return { kind: 'selected', selection: selectOnnx(entries, request) };
  }
  throw noRunnableFilesError(request, undefined);
}

function noRunnableFilesError(request: SelectionRequest, format: 'gguf' | undefined): PolettError {
  return new PolettError({
    code: 'model_format_unsupported',
    status: 422,
    field: 'reference',
    message:
      format === 'gguf'
        ? {
            sv: `Repot ${request.repository} har inga GGUF-filer: välj en GGUF-version av modellen (repon som ofta slutar på -GGUF).`,
            en: `The repository ${request.repository} has no GGUF files: choose a GGUF version of the model (repositories often ending in -GGUF).`,
          }
        : {
            sv: `Repot ${request.repository} har varken GGUF-filer eller ONNX-filer i en onnx/-mapp, så Polett kan inte köra det lokalt: välj en GGUF-version (ofta …-GGUF) eller en ONNX-version (Xenova/… eller onnx-community/…) av modellen.`,
            en: `The repository ${request.repository} has neither GGUF files nor ONNX files in an onnx/ folder, so Polett cannot run it locally: choose a GGUF version (often …-GGUF) or an ONNX version (Xenova/… or onnx-community/…) of the model.`,
          },
  });
}
