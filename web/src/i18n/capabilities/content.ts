import type { LocalizedText } from '../messages.ts';

/** The Content page's texts, keys prefixed `content.`; merged into `messages`. */
export const contentMessages = {} as const satisfies Record<string, LocalizedText>;
