/**
 * Content: a studio that writes marketing and customer texts in the brand's own voice, grounded in
 * its facts. The brand profile reaches every generation; deterministic rule checks and a fact check
 * run after each one and on a person's draft, with one-call fixes; texts move through review with
 * versions, comments and signed webhooks; export as Markdown, HTML or plain text.
 */
export {
  ADDRESS_FORMS,
  brandProfileSchema,
  checkProfileConsistency,
  parseBrandProfile,
  type AddressForm,
  type BrandProfile,
  type BrandProfileInput,
} from './brand-profile.js';
export { convertAddressForm, findAddressForms } from './address-forms.js';
export { findBannedWords } from './swedish-words.js';
export { checkFacts, factTermsOf } from './fact-check.js';
export { applyFix, checkText, trimToLimit, FINDING_RULES, type Finding, type Fix } from './rule-checks.js';
export {
  BUILT_IN_TEMPLATES,
  checkTemplateFields,
  fillTemplateDraft,
  findBuiltInTemplate,
  parseUserTemplate,
  userTemplateToTemplate,
  type ContentLanguage,
  type ContentTemplate,
} from './templates.js';
export {
  assembleGenerationPrompt,
  assembleRewritePrompt,
  profileSystemPrompt,
  REWRITE_INSTRUCTIONS,
  type RewriteInstruction,
} from './prompt-assembly.js';
export {
  chatModelMissingError,
  checkGeneratedText,
  generateVariants,
  rewriteSelection,
  type CheckedText,
  type Citation,
  type GenerationEvent,
} from './generation.js';
export {
  openContentStore,
  STATE_TRANSITIONS,
  TEXT_STATES,
  type ContentText,
  type TextState,
  type WorkspaceContentStore,
} from './content-store.js';
export { openContentStudio, ContentStudio, type ContentStudioDependencies } from './content-studio.js';
export { exportText, EXPORT_FORMATS, type ExportFormat } from './export.js';
export { CONTENT_WEBHOOK_JOB, contentWebhookJobHandler, type StateChangeEvent } from './webhook-delivery.js';
export { signWebhookBody } from '../platform/webhooks.js';
export * from './schemas.js';
