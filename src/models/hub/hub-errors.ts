/**
 * The sentences a pull can end with. Each failure of the hub, the network or the disk becomes one
 * PolettError with a Swedish and an English sentence that say what went wrong and what to do.
 */
import { PolettError } from '../../errors.js';

/** What an error sentence may need to name. */
export interface HubErrorContext {
  /** The hub's address, `https://huggingface.co` or a mirror's. */
  endpoint: string;
  /** `owner/name`. */
  repository: string;
  /** Whether a token was sent (HF_TOKEN or the `token` option). */
  tokenGiven: boolean;
  /** The file being fetched, when the failure concerns one. */
  file?: string;
  revision?: string;
}

/** The host (with a port when it is not the default) people recognise in an address. */
export function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint;
  }
}

// Error codes that mean the host could not be reached at all (as opposed to a connection that broke
// while a file was flowing): DNS failures, refused or unroutable connections and connect timeouts.
const UNREACHABLE_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NONAME',
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Raised by the hub fetch when no response arrived within the connect timeout. */
export class HubConnectTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(url: string, milliseconds: number) {
    super(`No answer from ${url} within ${milliseconds} ms`);
    this.name = 'HubConnectTimeoutError';
  }
}

/** Raised while reading a download when no byte arrived for the stall timeout. */
export class HubStallError extends Error {
  readonly code = 'ESTALLED';
  constructor(milliseconds: number) {
    super(`No data for ${milliseconds} ms`);
    this.name = 'HubStallError';
  }
}

/**
 * Finds the system error code (`ENOTFOUND`, `ECONNREFUSED`…) behind an error from fetch, which wraps
 * it as `TypeError('fetch failed', { cause })`, sometimes inside an AggregateError per address.
 */
export function networkErrorCode(error: unknown, depth = 0): string | undefined {
  if (depth > 6 || typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code !== '') return code;
  const cause = (error as { cause?: unknown }).cause;
  const fromCause = networkErrorCode(cause, depth + 1);
  if (fromCause !== undefined) return fromCause;
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const fromInner = networkErrorCode(inner, depth + 1);
      if (fromInner !== undefined) return fromInner;
    }
  }
  return undefined;
}

/** The message of the deepest cause (`bad port`, `other side closed`), for errors without a code. */
function innermostMessage(error: unknown): string | undefined {
  let current = error;
  let message: string | undefined;
  for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
    if (current.message !== '' && current.message !== 'fetch failed') message = current.message;
    current = current.cause;
  }
  return message;
}

/** True for errors that mean the host could not be reached (offline, wrong address, firewall). */
export function isUnreachableError(error: unknown): boolean {
  if (error instanceof HubConnectTimeoutError) return true;
  const code = networkErrorCode(error);
  if (code !== undefined) return UNREACHABLE_CODES.has(code);
  // Undici reports some connection failures only as `TypeError: fetch failed` without a code.
  return error instanceof TypeError && error.message === 'fetch failed';
}

export function unreachableError(context: HubErrorContext, cause: unknown): PolettError {
  const host = hostOf(context.endpoint);
  const code = networkErrorCode(cause) ?? innermostMessage(cause) ?? 'no answer';
  return new PolettError({
    code: 'model_hub_unreachable',
    status: 503,
    retryable: true,
    message: {
      sv: `Polett nådde inte ${host} (${code}): ladda ner modellen på en dator med nätåtkomst och registrera mappen med \`polett models add <mapp>\`, eller sätt HF_ENDPOINT till en Hugging Face-spegel som går att nå härifrån.`,
      en: `Polett could not reach ${host} (${code}): download the model on a machine with network access and register its folder with \`polett models add <folder>\`, or set HF_ENDPOINT to a Hugging Face mirror that can be reached from here.`,
    },
    cause,
  });
}

export function repositoryNotFoundError(context: HubErrorContext, cause?: unknown): PolettError {
  const host = hostOf(context.endpoint);
  const privateHint = context.tokenGiven
    ? {
        sv: 'och kontrollera att kontot bakom HF_TOKEN får läsa det',
        en: 'and check that the account behind HF_TOKEN may read it',
      }
    : { sv: 'och sätt HF_TOKEN om repot är privat', en: 'and set HF_TOKEN if the repository is private' };
  return new PolettError({
    code: 'model_not_found',
    status: 404,
    field: 'reference',
    message: {
      sv: `Det finns inget modellrepo ${context.repository} på ${host}: kontrollera stavningen (ägare/namn, som i adressen till modellsidan) ${privateHint.sv}.`,
      en: `There is no model repository ${context.repository} on ${host}: check the spelling (owner/name, as in the address of the model page) ${privateHint.en}.`,
    },
    ...(cause === undefined ? {} : { cause }),
  });
}

export function revisionNotFoundError(context: HubErrorContext, cause?: unknown): PolettError {
  const revision = context.revision ?? 'main';
  return new PolettError({
    code: 'model_revision_not_found',
    status: 404,
    field: 'revision',
    message: {
      sv: `Repot ${context.repository} har ingen revision ${revision}: ange en gren, tagg eller commit som finns, eller utelämna revisionen för att få main.`,
      en: `The repository ${context.repository} has no revision ${revision}: give a branch, tag or commit that exists, or leave the revision out to get main.`,
    },
    ...(cause === undefined ? {} : { cause }),
  });
}

export function fileNotFoundError(
  context: HubErrorContext,
  file: string,
  alternatives: readonly string[] = [],
): PolettError {
  const shown = alternatives.slice(0, 8);
  const more = alternatives.length > shown.length ? ', …' : '';
  const list = shown.join(', ') + more;
  return new PolettError({
    code: 'model_file_not_found',
    status: 404,
    field: 'reference',
    message:
      shown.length > 0
        ? {
            sv: `Repot ${context.repository} har ingen fil ${file}: välj en av ${list} med \`polett models pull ${context.repository}/<fil>\`.`,
            en: `The repository ${context.repository} has no file ${file}: choose one of ${list} with \`polett models pull ${context.repository}/<file>\`.`,
          }
        : {
            sv: `Repot ${context.repository} har ingen fil ${file}: kontrollera namnet på modellsidans flik Files, eller hämta hela repot med \`polett models pull ${context.repository}\`.`,
            en: `The repository ${context.repository} has no file ${file}: check the name on the Files tab of the model page, or pull the whole repository with \`polett models pull ${context.repository}\`.`,
          },
  });
}

/**
 * 401 and 403. The hub answers 401 both for gated models without a token and for a token it does not
 * accept, and 403 for an account that has not been granted access to a gated model.
 */
export function accessDeniedError(
  context: HubErrorContext,
  status: number,
  errorCode: string | undefined,
  cause?: unknown,
): PolettError {
  const host = hostOf(context.endpoint);
  const page = `${context.endpoint}/${context.repository}`;
  let message: { sv: string; en: string };
  if (status === 403 || (errorCode === 'GatedRepo' && context.tokenGiven)) {
    message = {
      sv: `Kontot bakom HF_TOKEN har inte fått tillgång till ${context.repository} på ${host}: begär tillgång på ${page} och vänta på godkännande, eller använd en token från ett konto som har den.`,
      en: `The account behind HF_TOKEN has not been granted access to ${context.repository} on ${host}: request access at ${page} and wait for approval, or use a token from an account that has it.`,
    };
  } else if (context.tokenGiven) {
    message = {
      sv: `${host} godtog inte åtkomsttoken i HF_TOKEN för ${context.repository}: skapa en ny lästoken på ${context.endpoint}/settings/tokens och sätt HF_TOKEN till den.`,
      en: `${host} did not accept the access token in HF_TOKEN for ${context.repository}: create a new read token at ${context.endpoint}/settings/tokens and set HF_TOKEN to it.`,
    };
  } else {
    message = {
      sv: `Modellen ${context.repository} på ${host} är skyddad och kräver en åtkomsttoken: godkänn villkoren på ${page} när du är inloggad och sätt sedan HF_TOKEN till en lästoken från det kontot.`,
      en: `The model ${context.repository} on ${host} is gated and needs an access token: accept its terms at ${page} while logged in, then set HF_TOKEN to a read token from that account.`,
    };
  }
  return new PolettError({
    code: 'model_access_denied',
    status,
    retryable: false,
    message,
    ...(cause === undefined ? {} : { cause }),
  });
}

export function hubStatusError(
  context: HubErrorContext,
  status: number,
  retryAfterSeconds: number | undefined,
  cause?: unknown,
): PolettError {
  const host = hostOf(context.endpoint);
  const busy = status === 429;
  return new PolettError({
    code: busy ? 'model_hub_rate_limited' : 'model_hub_error',
    status: busy ? 429 : 502,
    retryable: busy || status >= 500 || status === 408,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    message: busy
      ? {
          sv: `${host} tar just nu emot för många förfrågningar (429) för ${context.repository}: vänta en stund och kör kommandot igen, gärna med HF_TOKEN satt.`,
          en: `${host} is receiving too many requests (429) for ${context.repository}: wait a while and run the command again, preferably with HF_TOKEN set.`,
        }
      : {
          sv: `${host} svarade med status ${status} för ${context.repository}: försök igen om en stund, och kontrollera HF_ENDPOINT om felet består.`,
          en: `${host} answered with status ${status} for ${context.repository}: try again in a while, and check HF_ENDPOINT if the error persists.`,
        },
    ...(cause === undefined ? {} : { cause }),
  });
}

export function unexpectedAnswerError(context: HubErrorContext, cause: unknown): PolettError {
  const host = hostOf(context.endpoint);
  return new PolettError({
    code: 'model_hub_error',
    status: 502,
    retryable: true,
    message: {
      sv: `${host} gav ett oväntat svar om ${context.repository}: kontrollera att HF_ENDPOINT pekar på en Hugging Face-hubb eller spegel, och försök igen.`,
      en: `${host} gave an unexpected answer about ${context.repository}: check that HF_ENDPOINT points to a Hugging Face hub or mirror, and try again.`,
    },
    cause,
  });
}

/** Formats a byte count the way people read file sizes (decimal units, as the hub shows them). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 'B';
  for (const next of units) {
    if (value < 1000) break;
    value /= 1000;
    unit = next;
  }
  return `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ${unit}`;
}

export function downloadInterruptedError(
  context: HubErrorContext & { file: string },
  bytesDone: number,
  bytesTotal: number,
  cause: unknown,
): PolettError {
  const host = hostOf(context.endpoint);
  const reason = networkErrorCode(cause) ?? (cause instanceof Error ? cause.message : String(cause));
  const progress = `${formatBytes(bytesDone)} / ${formatBytes(bytesTotal)}`;
  return new PolettError({
    code: 'model_download_interrupted',
    status: 502,
    retryable: true,
    message: {
      sv: `Nedladdningen av ${context.file} från ${host} avbröts efter ${progress} (${reason}): kör samma kommando igen så fortsätter den där den slutade.`,
      en: `The download of ${context.file} from ${host} stopped after ${progress} (${reason}): run the same command again and it continues where it stopped.`,
    },
    cause,
  });
}

export function downloadCorruptError(
  context: HubErrorContext & { file: string },
  detail: { sv: string; en: string },
): PolettError {
  return new PolettError({
    code: 'model_download_corrupt',
    status: 502,
    retryable: true,
    message: {
      sv: `Den nedladdade filen ${context.file} stämmer inte med hubben (${detail.sv}) och togs bort: kör kommandot igen, och om felet upprepas ändrar en proxy eller spegel filen på vägen.`,
      en: `The downloaded file ${context.file} does not match the hub (${detail.en}) and was removed: run the command again, and if it happens again a proxy or mirror alters the file on the way.`,
    },
  });
}

export function downloadCancelledError(context: HubErrorContext, cause: unknown): PolettError {
  return new PolettError({
    code: 'model_download_cancelled',
    status: 499,
    retryable: false,
    message: {
      sv: `Hämtningen av ${context.repository} avbröts: kör kommandot igen så fortsätter den där den slutade.`,
      en: `The pull of ${context.repository} was cancelled: run the command again and it continues where it stopped.`,
    },
    cause,
  });
}

/** Disk errors while writing a model: a full disk or a folder Polett may not write to. */
export function storageError(directory: string, cause: unknown): PolettError | undefined {
  const code = networkErrorCode(cause);
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new PolettError({
      code: 'storage_full',
      status: 507,
      retryable: false,
      message: {
        sv: `Disken för ${directory} är full: frigör utrymme eller välj en annan modellmapp, och kör sedan kommandot igen.`,
        en: `The disk holding ${directory} is full: free some space or choose another models directory, then run the command again.`,
      },
      cause,
    });
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new PolettError({
      code: 'storage_not_writable',
      status: 500,
      retryable: false,
      message: {
        sv: `Polett får inte skriva i ${directory} (${code}): ge användaren som kör Polett skrivrätt där, eller välj en annan modellmapp.`,
        en: `Polett may not write to ${directory} (${code}): give the user running Polett write access there, or choose another models directory.`,
      },
      cause,
    });
  }
  return undefined;
}
