/**
 * The Assistant: customer conversations answered from the company's knowledge, with a hand-over
 * to people in the Inbox. The core is HTTP-free; the routes and the widget live in src/server and
 * web/widget.
 */
export { openAssistantStore, assistantErrors } from './store.js';
export type { AssistantScope, AssistantStore, NewMessage, PublicAssistant } from './store.js';
export {
  respond,
  validateCustomerText,
  answerLanguage,
  messageErrors,
  CURATED_MATCH_THRESHOLD,
} from './respond.js';
export type { AssistantEvent, RespondDependencies, RespondInput } from './respond.js';
export { buildAnswerPrompt, neutralizePassage, ABSTAIN_SENTINEL } from './prompt.js';
export { resolveCitations } from './citations.js';
export { asksForPerson, looksLikeSteering, questionCoverage, questionSimilarity } from './question-text.js';
export * from './schemas.js';
