/**
 * Models from the Hugging Face hub and from local folders: `pullModel` fetches one resumably and
 * verified, `inspectLocalModel` recognises one already on disk. Both return records and store
 * nothing; the caller keeps them where it keeps models.
 */
export { pullModel, planPull, DEFAULT_HUB_ENDPOINT } from './pull.js';
export type { PullModelOptions, PullProgress, PullResult, PullPlan, PulledFile } from './pull.js';
export { inspectLocalModel, suggestedModelName } from './add-local.js';
export type { LocalModelRecord, GgufDetails, OnnxDetails } from './add-local.js';
export { parseModelReference, formatModelReference } from './reference.js';
export type { ModelReference } from './reference.js';
export { createCliProgressReporter } from './cli-progress-reporter.js';
export type { CliProgressReporter, CliProgressReporterOptions } from './cli-progress-reporter.js';
export { ONNX_DTYPE_SUFFIXES, quantizationOf } from './select-files.js';
export type { GgufChoice, OnnxDtype, PulledFormat } from './select-files.js';
