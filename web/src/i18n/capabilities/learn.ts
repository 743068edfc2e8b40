import type { LocalizedText } from '../messages.ts';

/** The Learn page's texts, keys prefixed `learn.`; merged into `messages`. */
export const learnMessages = {} as const satisfies Record<string, LocalizedText>;
