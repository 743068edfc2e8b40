import type { Context } from 'hono';
import type { PolettConfig } from '../config/index.js';
import type { Locale } from '../errors.js';
import type { ModelRegistry } from '../models/index.js';
import type { ApiKeyRecord, Storage } from '../storage/index.js';

/** What the HTTP layer needs from the rest of Polett. */
export interface ServerDependencies {
  config: PolettConfig;
  storage: Storage;
  models: ModelRegistry;
  version: string;
}

/** Hono's typed context variables. */
export interface AppEnvironment {
  Variables: {
    locale: Locale;
    apiKey: ApiKeyRecord;
  };
}

/** The caller's language: Accept-Language when it names Swedish or English, else the configured default. */
export function requestLocale(context: Context, fallback: Locale): Locale {
  const header = context.req.header('accept-language');
  if (!header) return fallback;
  for (const entry of header.split(',')) {
    const tag = entry.trim().slice(0, 2).toLowerCase();
    if (tag === 'sv' || tag === 'en') return tag;
  }
  return fallback;
}
