import type { LocalizedText } from '../messages.ts';

/** The Knowledge page's texts, keys prefixed `knowledge.`; merged into `messages`. */
export const knowledgeMessages = {} as const satisfies Record<string, LocalizedText>;
