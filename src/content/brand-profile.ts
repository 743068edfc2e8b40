/**
 * The brand profile: who writes (name, description, voice), for whom (audiences), under which
 * rules (banned words, required phrases, du or ni, emojis, exclamation marks, length) and from
 * which facts (knowledge collections). One profile per brand; a workspace may hold several.
 *
 * The schema is shared by the HTTP routes, the web app and the CLI. `checkProfileConsistency`
 * refuses a profile whose rules contradict each other, with one sentence that names both rules,
 * because a contradictory profile would make every generation fail a rule check.
 */
import { z } from 'zod';
import { PolettError } from '../errors.js';
import { findBannedWords } from './swedish-words.js';
import { findAddressForms } from './address-forms.js';
import { EMOJI_PATTERN } from './text-patterns.js';

/** A banned word, and optionally what to write instead (the one-click fix uses it). */
export const bannedWordSchema = z.preprocess(
  (value) => (typeof value === 'string' ? { word: value } : value),
  z.object({
    word: z.string().trim().min(2).max(60),
    instead: z.string().trim().min(1).max(60).optional(),
  }),
);

export const audienceSchema = z.object({
  name: z.string().trim().min(1).max(80),
  description: z.string().trim().max(600).default(''),
});

/** `du`, `ni`, or `any` (no rule; only consistency within a text is checked). */
export const ADDRESS_FORMS = ['du', 'ni', 'any'] as const;
export type AddressForm = (typeof ADDRESS_FORMS)[number];

export const brandRulesSchema = z.object({
  bannedWords: z.array(bannedWordSchema).max(200).default([]),
  requiredPhrases: z.array(z.string().trim().min(1).max(200)).max(20).default([]),
  address: z.enum(ADDRESS_FORMS).default('du'),
  emojis: z.boolean().default(true),
  /** The most exclamation marks a text may hold; null for no limit, 0 for none at all. */
  maxExclamationMarks: z.number().int().min(0).max(20).nullable().default(null),
  /** The brand's own length limit in characters, on top of the channel's; null for none. */
  maxCharacters: z.number().int().min(20).max(100_000).nullable().default(null),
  /** The shortest text the brand wants, in characters; null for none. */
  minCharacters: z.number().int().min(1).max(100_000).nullable().default(null),
});

export const brandProfileSchema = z
  .object({
    name: z.string().trim().min(1).max(120),
    description: z.string().trim().max(2000).default(''),
    /** The language the brand writes in unless a template asks for another. */
    language: z.enum(['sv', 'en']).default('sv'),
    voice: z
      .object({
        examples: z.array(z.string().trim().min(1).max(4000)).max(10).default([]),
        adjectives: z.array(z.string().trim().min(1).max(40)).max(12).default([]),
      })
      .default({ examples: [], adjectives: [] }),
    audiences: z.array(audienceSchema).max(10).default([]),
    rules: brandRulesSchema.default({
      bannedWords: [],
      requiredPhrases: [],
      address: 'du',
      emojis: true,
      maxExclamationMarks: null,
      maxCharacters: null,
      minCharacters: null,
    }),
    /** The knowledge collections (by name) that hold the brand's facts; all of the workspace's when empty. */
    knowledgeCollections: z.array(z.string().trim().min(1).max(120)).max(20).default([]),
  })
  .meta({ id: 'BrandProfile' });

export type BrandProfileInput = z.input<typeof brandProfileSchema>;
export type BrandProfile = z.output<typeof brandProfileSchema>;
export type BrandRules = BrandProfile['rules'];

function contradiction(field: string, sv: string, en: string): PolettError {
  return new PolettError({
    code: 'content_profile_contradiction',
    status: 400,
    field,
    message: { sv, en },
  });
}

/**
 * Finds the first pair of rules that cannot both hold and throws it as one sentence; returns the
 * profile unchanged when its rules agree. The checks use the same matchers as the rule checks
 * after generation, so that what is refused here is exactly what would be flagged there.
 */
export function checkProfileConsistency(profile: BrandProfile): BrandProfile {
  const { rules } = profile;
  rules.requiredPhrases.forEach((phrase, index) => {
    const banned = findBannedWords(phrase, rules.bannedWords)[0];
    if (banned) {
      throw contradiction(
        `rules.requiredPhrases.${index}`,
        `Frasen "${phrase}" är obligatorisk men innehåller det förbjudna ordet "${banned.word}"; ta bort ordet ur förbjudna ord eller ändra frasen.`,
        `The phrase "${phrase}" is required but contains the banned word "${banned.word}"; remove the word from the banned words or change the phrase.`,
      );
    }
    if (!rules.emojis && new RegExp(EMOJI_PATTERN.source, 'u').test(phrase)) {
      throw contradiction(
        `rules.requiredPhrases.${index}`,
        `Frasen "${phrase}" är obligatorisk och innehåller en emoji, men emojier är avstängda; tillåt emojier eller ta bort emojin ur frasen.`,
        `The phrase "${phrase}" is required and contains an emoji, but emojis are turned off; allow emojis or remove the emoji from the phrase.`,
      );
    }
    const exclamations = (phrase.match(/!/g) ?? []).length;
    if (rules.maxExclamationMarks !== null && exclamations > rules.maxExclamationMarks) {
      throw contradiction(
        `rules.requiredPhrases.${index}`,
        `Frasen "${phrase}" är obligatorisk och har ${exclamations} utropstecken, men profilen tillåter högst ${rules.maxExclamationMarks}; ändra frasen eller gränsen.`,
        `The phrase "${phrase}" is required and has ${exclamations} exclamation marks, but the profile allows at most ${rules.maxExclamationMarks}; change the phrase or the limit.`,
      );
    }
    if (profile.language === 'sv' && rules.address !== 'any') {
      const other = rules.address === 'du' ? 'ni' : 'du';
      const form = findAddressForms(phrase).find((found) => found.form === other);
      if (form) {
        throw contradiction(
          `rules.requiredPhrases.${index}`,
          `Frasen "${phrase}" är obligatorisk men tilltalar läsaren med "${form.word}", och profilen säger "${rules.address}"; ändra frasen eller tilltalet.`,
          `The phrase "${phrase}" is required but addresses the reader with "${form.word}", and the profile says "${rules.address}"; change the phrase or the form of address.`,
        );
      }
    }
  });
  rules.bannedWords.forEach((banned, index) => {
    if (banned.instead && findBannedWords(banned.instead, rules.bannedWords).length > 0) {
      throw contradiction(
        `rules.bannedWords.${index}.instead`,
        `Ersättningen "${banned.instead}" för "${banned.word}" är själv förbjuden; välj en annan ersättning.`,
        `The replacement "${banned.instead}" for "${banned.word}" is itself banned; choose another replacement.`,
      );
    }
  });
  if (
    rules.minCharacters !== null &&
    rules.maxCharacters !== null &&
    rules.minCharacters > rules.maxCharacters
  ) {
    throw contradiction(
      'rules.minCharacters',
      `Minsta längd (${rules.minCharacters} tecken) är större än högsta längd (${rules.maxCharacters}); sänk den ena eller höj den andra.`,
      `The minimum length (${rules.minCharacters} characters) is larger than the maximum (${rules.maxCharacters}); lower one or raise the other.`,
    );
  }
  const requiredLength = rules.requiredPhrases.reduce((sum, phrase) => sum + phrase.length + 1, 0);
  if (rules.maxCharacters !== null && requiredLength > rules.maxCharacters) {
    throw contradiction(
      'rules.maxCharacters',
      `De obligatoriska fraserna är tillsammans ${requiredLength} tecken, längre än högsta längd (${rules.maxCharacters}); korta fraserna eller höj gränsen.`,
      `The required phrases together are ${requiredLength} characters, longer than the maximum length (${rules.maxCharacters}); shorten the phrases or raise the limit.`,
    );
  }
  return profile;
}

/** Parses and checks a profile: zod's shape first, then the rules against each other. */
export function parseBrandProfile(input: unknown): BrandProfile {
  const parsed = brandProfileSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.map(String).join('.') || 'profile';
    throw new PolettError({
      code: 'content_profile_invalid',
      status: 400,
      field,
      message: {
        sv: `Fältet ${field} i varumärkesprofilen är fel (${issue?.message ?? 'ogiltigt'}); rätta det och spara igen.`,
        en: `The field ${field} of the brand profile is wrong (${issue?.message ?? 'invalid'}); correct it and save again.`,
      },
    });
  }
  return checkProfileConsistency(parsed.data);
}

/** The brand's own words (name and required phrases): never fact terms, since the brand stands behind them. */
export function ownTextOf(profile: BrandProfile): string {
  return [profile.name, ...profile.rules.requiredPhrases].join(' ');
}
