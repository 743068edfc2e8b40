/**
 * `polett models pull`: fetches a model from the Hugging Face hub (or a mirror named by HF_ENDPOINT)
 * into `<modelsDirectory>/<owner>/<repo>/`, resumably and verified, and returns a record of what is
 * on disk. Storage-agnostic: the caller decides where the record goes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { HubApiError, InvalidApiResponseFormatError, listFiles, modelInfo } from '@huggingface/hub';
import { isPolettError, PolettError } from '../../errors.js';
import { downloadFile, verifyExistingFile } from './download-file.js';
import {
  accessDeniedError,
  downloadCancelledError,
  downloadInterruptedError,
  fileNotFoundError,
  hubStatusError,
  isUnreachableError,
  networkErrorCode,
  repositoryNotFoundError,
  revisionNotFoundError,
  storageError,
  unexpectedAnswerError,
  unreachableError,
  type HubErrorContext,
} from './hub-errors.js';
import { HubSession } from './hub-session.js';
import { parseModelReference, type ModelReference } from './reference.js';
import {
  ambiguousGgufError,
  selectFiles,
  type FileSelection,
  type GgufChoice,
  type HubFileEntry,
  type OnnxDtype,
  type PulledFormat,
  type SelectionRequest,
} from './select-files.js';

/** The hub Polett talks to when neither the `endpoint` option nor HF_ENDPOINT names another. */
export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

/** One progress report; the CLI draws a bar from it, the web app a percentage. */
export interface PullProgress {
  /** `verify` while an earlier download is checked, `download` while bytes flow, `done` per file. */
  phase: 'verify' | 'download' | 'done';
  /** The file's path in the repository. */
  file: string;
  fileIndex: number;
  fileCount: number;
  fileBytesDone: number;
  fileBytesTotal: number;
  bytesDone: number;
  bytesTotal: number;
}

export interface PullModelOptions {
  /** `owner/repo`, `owner/repo/path/to/file.gguf`, `owner/repo:Q4_K_M` or a hub address. */
  reference: string;
  /** Models go to `<modelsDirectory>/<owner>/<repo>/`. */
  modelsDirectory: string;
  /** The hub or a mirror. Defaults to HF_ENDPOINT, then https://huggingface.co. */
  endpoint?: string;
  /** An access token for gated and private models. Defaults to HF_TOKEN (or HUGGING_FACE_HUB_TOKEN). */
  token?: string;
  /** Branch, tag or commit. Defaults to `main` (or the revision in a pasted address). */
  revision?: string;
  /** Picks one GGUF file among several by its quantisation, as `owner/repo:Q4_K_M` does. */
  quantization?: string;
  /** Which files to take from a repository that has both GGUF and ONNX files (GGUF by default). */
  format?: 'gguf' | 'onnx';
  /** The ONNX precision to download; by default 8-bit (`q8`) when the repository has it, else fp32. */
  onnxDtype?: OnnxDtype;
  /**
   * Asked when a repository offers several GGUF files and the reference names none; returns the
   * chosen `file`. Without it such a pull fails with a sentence listing the files.
   */
  chooseFile?: (choices: GgufChoice[]) => Promise<string | undefined> | string | undefined;
  onProgress?: (progress: PullProgress) => void;
  signal?: AbortSignal;
  /** The fetch every request goes through (tests, proxies). Defaults to the global fetch. */
  fetch?: typeof globalThis.fetch;
  /** Milliseconds to wait for a server's answer before calling it unreachable. Default 10 s. */
  connectTimeoutMs?: number;
  /** Milliseconds without a byte before a download counts as interrupted. Default 60 s. */
  stallTimeoutMs?: number;
  /** How many times an interrupted or corrupted download is resumed or restarted. Default 2. */
  retries?: number;
  /** Milliseconds before the first retry, doubled for each next one. Default 1 s. */
  retryDelayMs?: number;
}

/** A file of a pulled model. */
export interface PulledFile {
  /** Path inside the repository (`onnx/model_quantized.onnx`). */
  path: string;
  /** Absolute path on disk. */
  localPath: string;
  size: number;
  sha256: string;
}

/** What a pull leaves on disk, ready to be stored as a model record. */
export interface PullResult {
  /** The canonical reference: `owner/repo/file.gguf` for single files, `owner/repo` for ONNX folders. */
  reference: string;
  repository: string;
  /** The commit the files came from, so that a later pull can tell whether anything changed. */
  revision: string;
  /** The file a runtime loads (GGUF, single files) or the folder (ONNX). */
  localPath: string;
  format: PulledFormat;
  files: PulledFile[];
  sizeBytes: number;
  /** Bytes fetched over the network by this pull (0 when everything was already there). */
  downloadedBytes: number;
  /** For ONNX: the precision to give transformers.js as `dtype`. */
  onnxDtype?: OnnxDtype;
}

/** What a pull would fetch, without fetching it. */
export interface PullPlan {
  reference: string;
  repository: string;
  revision: string;
  format: PulledFormat;
  localPath: string;
  files: (HubFileEntry & { localPath: string })[];
  sizeBytes: number;
  onnxDtype?: OnnxDtype;
}

interface Settings {
  reference: ModelReference;
  endpoint: string;
  token: string | undefined;
  revision: string;
  modelsDirectory: string;
  session: HubSession;
  context: HubErrorContext;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function normalizeEndpoint(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    url = new URL('invalid:');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PolettError({
      code: 'config_invalid',
      status: 400,
      field: 'HF_ENDPOINT',
      message: {
        sv: `HF_ENDPOINT (${raw}) är ingen http- eller https-adress: sätt den till hubbens eller spegelns adress, till exempel https://huggingface.co.`,
        en: `HF_ENDPOINT (${raw}) is not an http or https address: set it to the hub's or mirror's address, for example https://huggingface.co.`,
      },
    });
  }
  return raw.replace(/\/+$/, '');
}

function settingsFrom(options: PullModelOptions): Settings {
  const reference = parseModelReference(options.reference);
  const endpoint = normalizeEndpoint(
    nonEmpty(options.endpoint) ?? nonEmpty(process.env.HF_ENDPOINT) ?? DEFAULT_HUB_ENDPOINT,
  );
  const token =
    nonEmpty(options.token) ?? nonEmpty(process.env.HF_TOKEN) ?? nonEmpty(process.env.HUGGING_FACE_HUB_TOKEN);
  const revision = nonEmpty(options.revision) ?? reference.revision ?? 'main';
  const session = new HubSession({
    endpoint,
    token,
    fetch: options.fetch ?? globalThis.fetch,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    signal: options.signal,
  });
  return {
    reference,
    endpoint,
    token,
    revision,
    modelsDirectory: path.resolve(options.modelsDirectory),
    session,
    context: { endpoint, repository: reference.repository, tokenGiven: token !== undefined, revision },
  };
}

/** Turns what the hub client throws into the one sentence a person should read. */
function translateClientError(error: unknown, settings: Settings, signal: AbortSignal | undefined): unknown {
  if (isPolettError(error)) return error;
  if (signal?.aborted) return downloadCancelledError(settings.context, error);
  if (error instanceof HubApiError) {
    const failure = settings.session.lastFailure;
    const errorCode = failure?.errorCode;
    const status = error.statusCode;
    if (status === 404) {
      return errorCode === 'RevisionNotFound'
        ? revisionNotFoundError(settings.context, error)
        : repositoryNotFoundError(settings.context, error);
    }
    // Without a token the hub answers 401 for repositories that do not exist (or are private).
    if (status === 401 && errorCode === 'RepoNotFound')
      return repositoryNotFoundError(settings.context, error);
    if (status === 401 || status === 403)
      return accessDeniedError(settings.context, status, errorCode, error);
    return hubStatusError(settings.context, status, failure?.retryAfterSeconds, error);
  }
  if (error instanceof InvalidApiResponseFormatError || error instanceof SyntaxError) {
    return unexpectedAnswerError(settings.context, error);
  }
  // Before any file flows, every network failure means the same thing: the hub cannot be reached.
  if (isUnreachableError(error) || networkErrorCode(error) !== undefined)
    return unreachableError(settings.context, error);
  return error;
}

function errorForResponse(settings: Settings, file: string) {
  return (response: Response): PolettError => {
    const errorCode = response.headers.get('x-error-code') ?? undefined;
    const context = { ...settings.context, file };
    if (response.status === 404) {
      if (errorCode === 'RepoNotFound') return repositoryNotFoundError(context);
      if (errorCode === 'RevisionNotFound') return revisionNotFoundError(context);
      return fileNotFoundError(context, file);
    }
    if (response.status === 401 && errorCode === 'RepoNotFound') return repositoryNotFoundError(context);
    if (response.status === 401 || response.status === 403) {
      return accessDeniedError(context, response.status, errorCode);
    }
    return hubStatusError(context, response.status, settings.session.lastFailure?.retryAfterSeconds);
  };
}

function toEntry(item: {
  path: string;
  size: number;
  oid?: string;
  lfs?: { oid: string; size: number };
}): HubFileEntry {
  return {
    path: item.path,
    size: item.lfs?.size ?? item.size,
    ...(item.lfs ? { sha256: item.lfs.oid } : {}),
    ...(item.oid ? { gitOid: item.oid } : {}),
  };
}

/** Joins a repository path onto a folder, refusing paths that would climb out of it. */
function localPathFor(folder: string, repositoryPath: string): string {
  const target = path.resolve(folder, ...repositoryPath.split('/'));
  if (!target.startsWith(folder + path.sep)) {
    throw new PolettError({
      code: 'model_file_path_invalid',
      status: 422,
      message: {
        sv: `Hubben listade filen ${repositoryPath}, vars sökväg pekar ut ur modellmappen, så den hämtades inte: kontrollera HF_ENDPOINT.`,
        en: `The hub listed the file ${repositoryPath}, whose path points out of the model folder, so it was not fetched: check HF_ENDPOINT.`,
      },
    });
  }
  return target;
}

interface InternalPlan extends PullPlan {
  settings: Settings;
  selection: FileSelection;
}

async function planWithSettings(options: PullModelOptions, settings: Settings): Promise<InternalPlan> {
  const { reference, session } = settings;
  const hubUrl = settings.endpoint;

  let commit: string;
  try {
    session.lastFailure = undefined;
    const info = await modelInfo({
      name: reference.repository,
      hubUrl,
      revision: settings.revision,
      additionalFields: ['sha'],
      fetch: session.fetch,
    });
    // Gated models list their files freely but refuse the downloads; saying so now saves a listing.
    if (info.gated !== false && info.gated !== undefined && settings.token === undefined) {
      throw accessDeniedError(settings.context, 401, 'GatedRepo');
    }
    commit = nonEmpty(info.sha) ?? settings.revision;
  } catch (error) {
    throw translateClientError(error, settings, options.signal);
  }

  const entries: HubFileEntry[] = [];
  try {
    session.lastFailure = undefined;
    for await (const item of listFiles({
      repo: reference.repository,
      recursive: true,
      revision: encodeURIComponent(commit),
      hubUrl,
      fetch: session.fetch,
    })) {
      if (item.type === 'file') entries.push(toEntry(item));
    }
  } catch (error) {
    throw translateClientError(error, settings, options.signal);
  }

  const request: SelectionRequest = {
    repository: reference.repository,
    endpoint: settings.endpoint,
    tokenGiven: settings.token !== undefined,
    filePath: reference.filePath,
    quantization: options.quantization ?? reference.quantization,
    format: options.format,
    onnxDtype: options.onnxDtype,
  };
  let outcome = selectFiles(entries, request);
  if (outcome.kind === 'choose') {
    const chosen = options.chooseFile ? await options.chooseFile(outcome.choices) : undefined;
    if (chosen === undefined) throw ambiguousGgufError(reference.repository, outcome.choices);
    outcome = selectFiles(entries, { ...request, filePath: chosen, quantization: undefined });
    if (outcome.kind === 'choose') throw ambiguousGgufError(reference.repository, outcome.choices);
  }
  const selection = outcome.selection;

  const folder = path.join(settings.modelsDirectory, reference.owner, reference.name);
  const files = selection.files.map((entry) => ({ ...entry, localPath: localPathFor(folder, entry.path) }));
  const localPath =
    selection.primaryFile === undefined ? folder : localPathFor(folder, selection.primaryFile);
  return {
    reference:
      selection.primaryFile === undefined
        ? reference.repository
        : `${reference.repository}/${selection.primaryFile}`,
    repository: reference.repository,
    revision: commit,
    format: selection.format,
    localPath,
    files,
    sizeBytes: files.reduce((sum, file) => sum + file.size, 0),
    ...(selection.onnxDtype === undefined ? {} : { onnxDtype: selection.onnxDtype }),
    settings,
    selection,
  };
}

/**
 * Works out what `pullModel` would download (files, sizes, the commit) without downloading it, so
 * that a person can see the size first.
 */
export async function planPull(options: PullModelOptions): Promise<PullPlan> {
  const {
    settings: _settings,
    selection: _selection,
    ...plan
  } = await planWithSettings(options, settingsFrom(options));
  return plan;
}

const RETRYABLE_CODES = new Set([
  'model_download_interrupted',
  'model_download_corrupt',
  'model_hub_error',
  'model_hub_rate_limited',
]);

/**
 * Pulls a model from the hub. Files already complete on disk are checked and kept; a `.part` left
 * by an interrupted pull is resumed; a file reaches its final name only once its size and checksum
 * match the hub's listing.
 */
export async function pullModel(options: PullModelOptions): Promise<PullResult> {
  const settings = settingsFrom(options);
  const plan = await planWithSettings(options, settings);
  const retries = options.retries ?? 2;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const signal = options.signal;
  const encodedRevision = encodeURIComponent(plan.revision);

  const bytesTotal = plan.sizeBytes;
  let bytesCompleted = 0;
  let downloadedBytes = 0;
  const pulled: PulledFile[] = [];

  for (const [fileIndex, file] of plan.files.entries()) {
    const report = (phase: PullProgress['phase'], fileBytesDone: number) =>
      options.onProgress?.({
        phase,
        file: file.path,
        fileIndex,
        fileCount: plan.files.length,
        fileBytesDone,
        fileBytesTotal: file.size,
        bytesDone: bytesCompleted + fileBytesDone,
        bytesTotal,
      });
    const context = { ...settings.context, file: file.path };

    let sha256: string | undefined;
    try {
      sha256 = await verifyExistingFile(file.localPath, file, (bytes) => report('verify', bytes), signal);
      for (let attempt = 0; sha256 === undefined; attempt++) {
        try {
          const url = `${settings.endpoint}/${plan.repository}/resolve/${encodedRevision}/${file.path
            .split('/')
            .map(encodeURIComponent)
            .join('/')}`;
          const downloaded = await downloadFile({
            url,
            destination: file.localPath,
            entry: file,
            fetch: settings.session.fetch,
            signal,
            stallTimeoutMs: options.stallTimeoutMs ?? 60_000,
            onBytes: (bytes) => report('download', bytes),
            context,
            errorForResponse: errorForResponse(settings, file.path),
          });
          sha256 = downloaded.sha256;
          downloadedBytes += downloaded.bytesFetched;
        } catch (error) {
          const translated = translateDownloadError(error, settings, context, file.size, signal);
          if (!isPolettError(translated) || !RETRYABLE_CODES.has(translated.code) || attempt >= retries) {
            throw translated;
          }
          const delay = Math.max(retryDelayMs * 2 ** attempt, (translated.retryAfterSeconds ?? 0) * 1000);
          await sleep(delay, undefined, signal ? { signal } : {});
        }
      }
    } catch (error) {
      throw translateDownloadError(error, settings, context, file.size, signal);
    }

    report('done', file.size);
    bytesCompleted += file.size;
    pulled.push({ path: file.path, localPath: file.localPath, size: file.size, sha256 });
  }

  return {
    reference: plan.reference,
    repository: plan.repository,
    revision: plan.revision,
    localPath: plan.localPath,
    format: plan.format,
    files: pulled,
    sizeBytes: plan.sizeBytes,
    downloadedBytes,
    ...(plan.onnxDtype === undefined ? {} : { onnxDtype: plan.onnxDtype }),
  };
}

function translateDownloadError(
  error: unknown,
  settings: Settings,
  context: HubErrorContext & { file: string },
  fileSize: number,
  signal: AbortSignal | undefined,
): unknown {
  if (isPolettError(error)) return error;
  if (signal?.aborted) return downloadCancelledError(settings.context, error);
  const disk = storageError(settings.modelsDirectory, error);
  if (disk !== undefined) return disk;
  if (isUnreachableError(error)) return unreachableError(settings.context, error);
  // A connection reset before the answer began: nothing was written, and a retry may well succeed.
  if (networkErrorCode(error) !== undefined) return downloadInterruptedError(context, 0, fileSize, error);
  return error;
}
