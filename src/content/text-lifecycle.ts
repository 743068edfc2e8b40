/**
 * The small vocabulary of Content that the web app shares with the server: text states and the
 * transitions between them, export formats, finding rules and fixes. Nothing here imports Node
 * modules, so that the browser bundle can use it.
 */
export const TEXT_STATES = ['draft', 'in_review', 'approved', 'published'] as const;
export type TextState = (typeof TEXT_STATES)[number];

/** Which state may follow which: review before approval, approval before publishing; back to draft always. */
export const STATE_TRANSITIONS: Record<TextState, readonly TextState[]> = {
  draft: ['in_review'],
  in_review: ['draft', 'approved'],
  approved: ['draft', 'published'],
  published: ['draft'],
};

export const EXPORT_FORMATS = ['markdown', 'html', 'text'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const FINDING_RULES = [
  'banned-word',
  'length',
  'line-length',
  'too-short',
  'address',
  'emoji',
  'exclamation',
  'required-phrase',
  'hashtags',
  'language',
  'unsupported-fact',
] as const;
export type FindingRule = (typeof FINDING_RULES)[number];

/** A deterministic edit, or a rewrite by the model (`needsModel`). */
export type Fix =
  | { kind: 'replace-range'; start: number; end: number; original: string; replacement: string }
  | { kind: 'convert-address'; to: 'du' | 'ni' }
  | { kind: 'trim'; maxCharacters: number }
  | { kind: 'trim-line'; line: number; maxCharacters: number }
  | { kind: 'remove-emojis' }
  | { kind: 'limit-exclamations'; max: number }
  | { kind: 'append-phrase'; phrase: string }
  | { kind: 'remove-hashtags'; keep: number }
  | { kind: 'rewrite'; instruction: 'translate' | 'longer'; language: 'sv' | 'en'; needsModel: true };

export const REWRITE_INSTRUCTIONS = [
  'shorter',
  'longer',
  'formal',
  'casual',
  'audience',
  'translate',
] as const;
export type RewriteInstruction = (typeof REWRITE_INSTRUCTIONS)[number];
