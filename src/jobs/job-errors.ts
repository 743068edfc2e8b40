/** The errors of the jobs capability, each one sentence in Swedish and English. */
import { PolettError, type LocalizedText } from '../errors.js';
import type { JobErrorInfo } from './types.js';

export function jobNotFoundError(jobId: string): PolettError {
  return new PolettError({
    code: 'job_not_found',
    status: 404,
    message: {
      sv: `Det finns inget jobb med id ${jobId}; kontrollera id:t i jobblistan.`,
      en: `There is no job with id ${jobId}; check the id in the job list.`,
    },
  });
}

export function jobTypeUnknownError(type: string, knownTypes: string[]): PolettError {
  const known = knownTypes.length > 0 ? knownTypes.join(', ') : '–';
  return new PolettError({
    code: 'job_type_unknown',
    status: 400,
    retryable: false,
    message: {
      sv: `Ingen hanterare finns för jobbtypen "${type}" (kända typer: ${known}); uppgradera Polett eller köa jobbet med en känd typ.`,
      en: `No handler is registered for the job type "${type}" (known types: ${known}); upgrade Polett or enqueue the job with a known type.`,
    },
  });
}

export function jobInputInvalidError(type: string, detail: string, field?: string): PolettError {
  return new PolettError({
    code: 'job_input_invalid',
    status: 400,
    retryable: false,
    ...(field === undefined ? {} : { field }),
    message: {
      sv: `Indata till jobbet "${type}" är ogiltiga (${detail}); rätta dem och köa jobbet igen.`,
      en: `The input of the job "${type}" is invalid (${detail}); correct it and enqueue the job again.`,
    },
  });
}

export function jobOptionsInvalidError(detail: LocalizedText, field: string): PolettError {
  return new PolettError({
    code: 'job_options_invalid',
    status: 400,
    retryable: false,
    field,
    message: {
      sv: `Jobbet kan inte köas: ${detail.sv}.`,
      en: `The job cannot be enqueued: ${detail.en}.`,
    },
  });
}

export function jobCancelledError(jobId: string): PolettError {
  return new PolettError({
    code: 'job_cancelled',
    status: 409,
    retryable: false,
    message: {
      sv: `Jobbet ${jobId} avbröts; köa det igen om arbetet ska göras.`,
      en: `The job ${jobId} was cancelled; enqueue it again if the work should be done.`,
    },
  });
}

export function jobLeaseLostError(jobId: string): PolettError {
  return new PolettError({
    code: 'job_lease_lost',
    status: 409,
    retryable: false,
    message: {
      sv: `Arbetaren tappade jobbet ${jobId} till en annan arbetare (den svarade inte i tid); inget mer skrivs härifrån.`,
      en: `The worker lost the job ${jobId} to another worker (it did not answer in time); nothing more is written from here.`,
    },
  });
}

export function jobShutdownError(jobId: string): PolettError {
  return new PolettError({
    code: 'job_interrupted',
    status: 503,
    retryable: true,
    message: {
      sv: `Jobbet ${jobId} avbröts för att Polett stängs; det fortsätter där det var vid nästa start.`,
      en: `The job ${jobId} was interrupted because Polett is stopping; it continues where it was at the next start.`,
    },
  });
}

/** Stored on a job whose worker died (its lease ran out) on its last allowed attempt. */
export function jobStalledErrorInfo(): JobErrorInfo {
  return {
    code: 'job_stalled',
    retryable: false,
    message: {
      sv: 'Jobbet stannade på sitt sista försök utan att arbetaren svarade (processen dog eller hängde sig); läs serverloggen och köa jobbet igen.',
      en: 'The job stalled on its last allowed attempt without its worker answering (the process died or hung); read the server log and enqueue the job again.',
    },
  };
}

/** The stored form of an error. */
export function toJobErrorInfo(error: PolettError): JobErrorInfo {
  return { code: error.code, message: error.localized, retryable: error.isRetryable };
}
