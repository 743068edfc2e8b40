/**
 * PII redaction before text leaves for a remote model provider: detection of Swedish and general
 * personal data, placeholders that stay stable within a request, restoration of the answer
 * (streamed or not), and the AI SDK middleware that does both around a model.
 */
export { PII_KINDS, detectPii, type DetectPiiOptions, type PiiKind, type PiiMatch } from './detect-pii.js';
export {
  PiiSession,
  redactPii,
  restorePii,
  type PiiEntity,
  type PiiMapping,
  type PiiRedaction,
  type PiiRedactionOptions,
} from './redactor.js';
export { PiiStreamRestorer } from './pii-stream-restorer.js';
export { PLACEHOLDER_LABELS, type ReplacePlaceholdersOptions } from './placeholders.js';
export {
  createPiiEmbeddingRedactionMiddleware,
  createPiiRedactionMiddleware,
  redactTextsForEmbedding,
  type PiiRedactionMiddlewareOptions,
} from './pii-middleware.js';
