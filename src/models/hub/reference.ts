/**
 * Parses what a person types after `polett models pull`: `owner/repo`, `owner/repo/path/to/file.gguf`,
 * `owner/repo:Q4_K_M` (a quantisation tag, as llama.cpp's `-hf` accepts), or the address of a model
 * page or file copied from the browser.
 */
import { PolettError } from '../../errors.js';

export interface ModelReference {
  /** `owner/name`, the repository id on the hub. */
  repository: string;
  owner: string;
  name: string;
  /** A file inside the repository (`onnx/model.onnx`, `qwen2.5-0.5b-instruct-q4_k_m.gguf`). */
  filePath?: string;
  /** A quantisation tag (`Q4_K_M`) that picks one GGUF file among several. */
  quantization?: string;
  /** A revision taken from a pasted address (`…/blob/<revision>/…`). */
  revision?: string;
}

// The hub's own rule for owner and repository names: letters, digits, '-', '_' and '.', not starting
// or ending with '-' or '.', no '--' or '..', at most 96 characters.
const NAME_PATTERN = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;
const MAXIMUM_NAME_LENGTH = 96;
const QUANTIZATION_PATTERN = /^[A-Za-z0-9_]+$/;
const ADDRESS_SECTIONS = new Set(['blob', 'resolve', 'tree', 'raw']);

function invalidReference(reference: string, reason: LocalizedReason): PolettError {
  return new PolettError({
    code: 'model_reference_invalid',
    status: 400,
    field: 'reference',
    message: {
      sv: `"${reference}" är ingen modellreferens (${reason.sv}): skriv ägare/repo, till exempel Qwen/Qwen2.5-0.5B-Instruct-GGUF, eller ägare/repo/sökväg/till/fil.gguf.`,
      en: `"${reference}" is not a model reference (${reason.en}): write owner/repo, for example Qwen/Qwen2.5-0.5B-Instruct-GGUF, or owner/repo/path/to/file.gguf.`,
    },
  });
}

interface LocalizedReason {
  sv: string;
  en: string;
}

function isValidName(name: string): boolean {
  return (
    name.length <= MAXIMUM_NAME_LENGTH &&
    NAME_PATTERN.test(name) &&
    !name.includes('--') &&
    !name.includes('..')
  );
}

function isValidFileSegment(segment: string): boolean {
  return (
    segment !== '' &&
    segment !== '.' &&
    segment !== '..' &&
    !segment.includes('\\') &&
    !segment.includes('\0')
  );
}

/** Strips a pasted address down to `owner/repo[/file]`, remembering a revision found in it. */
function fromAddress(reference: string): { text: string; revision?: string } | undefined {
  let url: URL;
  try {
    url = new URL(reference);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  const segments = url.pathname
    .split('/')
    .filter((segment) => segment !== '')
    .map(decodeURIComponent);
  const [owner, name, section, revision, ...rest] = segments;
  if (owner === undefined || name === undefined) return { text: segments.join('/') };
  if (section !== undefined && ADDRESS_SECTIONS.has(section) && revision !== undefined) {
    return { text: [owner, name, ...rest].join('/'), revision };
  }
  return { text: segments.join('/') };
}

/** Reads a model reference, or throws a PolettError that says how to write one. */
export function parseModelReference(input: string): ModelReference {
  const reference = input.trim();
  if (reference === '') {
    throw invalidReference(input, { sv: 'den är tom', en: 'it is empty' });
  }

  let text = reference;
  let revision: string | undefined;
  const address = fromAddress(reference);
  if (address !== undefined) {
    text = address.text;
    revision = address.revision;
  } else if (text.startsWith('hf://')) {
    text = text.slice('hf://'.length);
  }
  if (/^(models?|datasets?|spaces?)\//.test(text)) {
    throw invalidReference(reference, {
      sv: 'bara modellrepon kan hämtas, och utan prefixet models/',
      en: 'only model repositories can be pulled, and without a models/ prefix',
    });
  }

  let quantization: string | undefined;
  const colon = text.lastIndexOf(':');
  if (colon !== -1) {
    quantization = text.slice(colon + 1);
    text = text.slice(0, colon);
    if (!QUANTIZATION_PATTERN.test(quantization)) {
      throw invalidReference(reference, {
        sv: `taggen efter kolon, "${quantization}", är ingen kvantisering som Q4_K_M`,
        en: `the tag after the colon, "${quantization}", is not a quantisation such as Q4_K_M`,
      });
    }
  }

  const segments = text.split('/');
  const [owner, name, ...fileSegments] = segments;
  if (owner === undefined || name === undefined || name === '') {
    throw invalidReference(reference, {
      sv: 'ägaren och repots namn behövs båda',
      en: 'both the owner and the repository name are needed',
    });
  }
  if (!isValidName(owner) || !isValidName(name)) {
    throw invalidReference(reference, {
      sv: 'ägare och namn får bara innehålla bokstäver, siffror, -, _ och .',
      en: 'owner and name may only hold letters, digits, -, _ and .',
    });
  }
  if (fileSegments.length > 0 && !fileSegments.every(isValidFileSegment)) {
    throw invalidReference(reference, {
      sv: 'filens sökväg har en tom del, "." eller ".."',
      en: 'the file path has an empty part, "." or ".."',
    });
  }

  const filePath = fileSegments.length > 0 ? fileSegments.join('/') : undefined;
  if (filePath !== undefined && quantization !== undefined) {
    throw invalidReference(reference, {
      sv: 'ange antingen en fil eller en kvantiseringstagg, inte båda',
      en: 'give either a file or a quantisation tag, not both',
    });
  }
  return {
    repository: `${owner}/${name}`,
    owner,
    name,
    ...(filePath === undefined ? {} : { filePath }),
    ...(quantization === undefined ? {} : { quantization }),
    ...(revision === undefined ? {} : { revision }),
  };
}

/** The canonical text of a reference, as stored in records: `owner/repo[/file]`. */
export function formatModelReference(reference: ModelReference): string {
  return reference.filePath === undefined
    ? reference.repository
    : `${reference.repository}/${reference.filePath}`;
}
