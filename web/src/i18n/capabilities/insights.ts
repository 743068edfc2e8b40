import type { LocalizedText } from '../messages.ts';

/** The Insights page's texts, keys prefixed `insights.`; merged into `messages`. */
export const insightsMessages = {} as const satisfies Record<string, LocalizedText>;
