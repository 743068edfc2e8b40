/**
 * The rule checks that run after every generation and on a person's draft: deterministic code,
 * not prompt text, so that a rule the model ignored is still caught. Each finding carries a fix
 * that one call applies (`applyFix`), also deterministic: the same text and fix give the same
 * result. Fixes that need a model (translate, make longer) say so and go through rewriting.
 */
import type { LocalizedText } from '../errors.js';
import { PolettError } from '../errors.js';
import type { Passage } from '../knowledge/search-contract.js';
import { detectLanguage } from '../text/index.js';
import { convertAddressForm, findAddressForms, type AddressFormName } from './address-forms.js';
import { ownTextOf, type BrandProfile } from './brand-profile.js';
import { checkFacts } from './fact-check.js';
import { findBannedWords } from './swedish-words.js';
import type { FindingRule, Fix } from './text-lifecycle.js';
import type { ChannelLimits, ContentLanguage } from './templates.js';
import {
  EMOJI_PATTERN,
  escapeRegExp,
  findEmojis,
  matchCase,
  splitSentences,
  tidyWhitespace,
} from './text-patterns.js';

export { FINDING_RULES, type FindingRule, type Fix } from './text-lifecycle.js';

export interface Finding {
  rule: FindingRule;
  severity: 'error' | 'warning';
  message: LocalizedText;
  /** Where in the text, when the finding is about one place. */
  start?: number;
  end?: number;
  fix?: { label: LocalizedText; edit: Fix };
  /** For unsupported facts: the terms no passage holds. */
  missing?: string[];
  /** For supported facts: the passage that backs the sentence. */
  citation?: { chunkId: string; title: string };
}

export interface CheckOptions {
  profile: BrandProfile;
  language: ContentLanguage;
  limits?: ChannelLimits;
  /** Retrieved passages: when given, fact-stating sentences are checked against them. */
  passages?: readonly Passage[];
}

const characterCount = (text: string) => [...text].length;
const HASHTAG = /(?<![\p{L}\p{N}_])#[\p{L}\p{N}_]+/gu;

/** Ad lines: "Rubrik 1: …" or "Headline: …". */
function lineLabelPattern(label: LocalizedText): RegExp {
  return new RegExp(`^\\s*(?:${escapeRegExp(label.sv)}|${escapeRegExp(label.en)})\\s*\\d*\\s*:\\s*`, 'iu');
}

/** Every finding of the text, in the order of the text where they have a place. */
export function checkText(text: string, options: CheckOptions): Finding[] {
  const { profile, language, limits = {} } = options;
  const { rules } = profile;
  const findings: Finding[] = [];

  for (const match of findBannedWords(text, rules.bannedWords)) {
    const replacement = match.instead ? matchCase(match.found, match.instead) : '';
    findings.push({
      rule: 'banned-word',
      severity: 'error',
      start: match.start,
      end: match.end,
      message: {
        sv: `"${match.found}" är förbjudet i profilen (ordet "${match.word}").`,
        en: `"${match.found}" is banned by the profile (the word "${match.word}").`,
      },
      fix: {
        label: match.instead
          ? { sv: `Ersätt med "${replacement}"`, en: `Replace with "${replacement}"` }
          : { sv: `Ta bort "${match.found}"`, en: `Remove "${match.found}"` },
        edit: {
          kind: 'replace-range',
          start: match.start,
          end: match.end,
          original: match.found,
          replacement,
        },
      },
    });
  }

  const limit = [limits.maxCharacters, rules.maxCharacters ?? undefined]
    .filter((value): value is number => value !== undefined)
    .reduce<number | undefined>(
      (smallest, value) => (smallest === undefined ? value : Math.min(smallest, value)),
      undefined,
    );
  const length = characterCount(text);
  if (limit !== undefined && length > limit) {
    findings.push({
      rule: 'length',
      severity: 'error',
      message: {
        sv: `Texten är ${length} tecken, högst ${limit} får plats.`,
        en: `The text is ${length} characters; at most ${limit} fit.`,
      },
      fix: {
        label: {
          sv: `Korta till ${limit} tecken vid en meningsgräns`,
          en: `Trim to ${limit} characters at a sentence boundary`,
        },
        edit: { kind: 'trim', maxCharacters: limit },
      },
    });
  }
  if (rules.minCharacters !== null && length < rules.minCharacters) {
    findings.push({
      rule: 'too-short',
      severity: 'warning',
      message: {
        sv: `Texten är ${length} tecken, profilen vill ha minst ${rules.minCharacters}.`,
        en: `The text is ${length} characters; the profile wants at least ${rules.minCharacters}.`,
      },
      fix: {
        label: { sv: 'Skriv om längre (behöver en chattmodell)', en: 'Rewrite longer (needs a chat model)' },
        edit: { kind: 'rewrite', instruction: 'longer', language, needsModel: true },
      },
    });
  }

  if (limits.lines) {
    text.split('\n').forEach((line, index) => {
      for (const lineLimit of limits.lines ?? []) {
        const label = lineLabelPattern(lineLimit.label).exec(line);
        if (!label) continue;
        const content = line.slice(label[0].length).trim();
        const contentLength = characterCount(content);
        if (contentLength > lineLimit.maxCharacters) {
          findings.push({
            rule: 'line-length',
            severity: 'error',
            message: {
              sv: `Rad ${index + 1} (${lineLimit.label.sv}) är ${contentLength} tecken, högst ${lineLimit.maxCharacters} tillåts.`,
              en: `Line ${index + 1} (${lineLimit.label.en}) is ${contentLength} characters; at most ${lineLimit.maxCharacters} are allowed.`,
            },
            fix: {
              label: {
                sv: `Korta raden till ${lineLimit.maxCharacters} tecken`,
                en: `Trim the line to ${lineLimit.maxCharacters} characters`,
              },
              edit: { kind: 'trim-line', line: index, maxCharacters: lineLimit.maxCharacters },
            },
          });
        }
        break;
      }
    });
  }

  if (language === 'sv') {
    const forms = findAddressForms(text);
    const du = forms.filter((form) => form.form === 'du');
    const ni = forms.filter((form) => form.form === 'ni');
    // The target is the profile's form; with no rule, the form the text uses most.
    const target: AddressFormName | undefined =
      rules.address !== 'any'
        ? rules.address
        : du.length > 0 && ni.length > 0
          ? du.length >= ni.length
            ? 'du'
            : 'ni'
          : undefined;
    const wrong = target === 'du' ? ni : target === 'ni' ? du : [];
    if (target && wrong.length > 0) {
      const words = [...new Set(wrong.map((form) => form.word))].join(', ');
      findings.push({
        rule: 'address',
        severity: 'error',
        start: wrong[0]!.start,
        end: wrong[0]!.end,
        message:
          rules.address === 'any'
            ? {
                sv: `Texten blandar du och ni (${words}); håll dig till ett tilltal.`,
                en: `The text mixes du and ni (${words}); keep to one form of address.`,
              }
            : {
                sv: `Profilen tilltalar läsaren med "${target}", men texten skriver ${words}.`,
                en: `The profile addresses the reader as "${target}", but the text writes ${words}.`,
              },
        fix: {
          label: { sv: `Byt till ${target}-form`, en: `Change to the ${target} form` },
          edit: { kind: 'convert-address', to: target },
        },
      });
    }
  }

  const emojis = findEmojis(text);
  if (!rules.emojis && emojis.length > 0) {
    findings.push({
      rule: 'emoji',
      severity: 'error',
      start: emojis[0]!.start,
      end: emojis[0]!.end,
      message: {
        sv: `Profilen tillåter inga emojier, texten har ${emojis.length} (${emojis.map((emoji) => emoji.emoji).join(' ')}).`,
        en: `The profile allows no emojis; the text has ${emojis.length} (${emojis.map((emoji) => emoji.emoji).join(' ')}).`,
      },
      fix: { label: { sv: 'Ta bort emojierna', en: 'Remove the emojis' }, edit: { kind: 'remove-emojis' } },
    });
  }

  const exclamations = (text.match(/!/g) ?? []).length;
  if (rules.maxExclamationMarks !== null && exclamations > rules.maxExclamationMarks) {
    findings.push({
      rule: 'exclamation',
      severity: 'warning',
      message: {
        sv: `Texten har ${exclamations} utropstecken, profilen tillåter ${rules.maxExclamationMarks}.`,
        en: `The text has ${exclamations} exclamation marks; the profile allows ${rules.maxExclamationMarks}.`,
      },
      fix: {
        label: {
          sv: 'Byt överflödiga utropstecken mot punkt',
          en: 'Replace the extra exclamation marks by full stops',
        },
        edit: { kind: 'limit-exclamations', max: rules.maxExclamationMarks },
      },
    });
  }

  for (const phrase of rules.requiredPhrases) {
    if (!text.toLocaleLowerCase('sv').includes(phrase.toLocaleLowerCase('sv'))) {
      findings.push({
        rule: 'required-phrase',
        severity: 'error',
        message: { sv: `Frasen "${phrase}" saknas.`, en: `The phrase "${phrase}" is missing.` },
        fix: {
          label: { sv: 'Lägg till frasen sist', en: 'Add the phrase at the end' },
          edit: { kind: 'append-phrase', phrase },
        },
      });
    }
  }

  const hashtags = [...text.matchAll(HASHTAG)];
  if (limits.maxHashtags !== undefined && hashtags.length > limits.maxHashtags) {
    findings.push({
      rule: 'hashtags',
      severity: 'warning',
      start: hashtags[limits.maxHashtags]!.index,
      end: hashtags[limits.maxHashtags]!.index + hashtags[limits.maxHashtags]![0].length,
      message: {
        sv: `Texten har ${hashtags.length} hashtaggar, kanalen bör ha högst ${limits.maxHashtags}.`,
        en: `The text has ${hashtags.length} hashtags; the channel should have at most ${limits.maxHashtags}.`,
      },
      fix: {
        label: {
          sv: `Behåll de ${limits.maxHashtags} första hashtaggarna`,
          en: `Keep the first ${limits.maxHashtags} hashtags`,
        },
        edit: { kind: 'remove-hashtags', keep: limits.maxHashtags },
      },
    });
  }

  // Hashtags and emojis say nothing about the language; tinyld answers undefined for short texts.
  const detected = detectLanguage(text.replace(HASHTAG, ' ').replace(EMOJI_PATTERN, ' '));
  if (detected && detected.language !== language && detected.confidence >= 0.5) {
    findings.push({
      rule: 'language',
      severity: 'error',
      message: {
        sv: `Texten verkar vara på ${detected.language}, men ska vara på ${language === 'sv' ? 'svenska' : 'engelska'}.`,
        en: `The text seems to be in ${detected.language}, but should be in ${language === 'sv' ? 'Swedish' : 'English'}.`,
      },
      fix: {
        label: {
          sv: `Översätt till ${language === 'sv' ? 'svenska' : 'engelska'} (behöver en chattmodell)`,
          en: `Translate into ${language === 'sv' ? 'Swedish' : 'English'} (needs a chat model)`,
        },
        edit: { kind: 'rewrite', instruction: 'translate', language, needsModel: true },
      },
    });
  }

  if (options.passages) {
    for (const support of checkFacts(text, options.passages, { ownText: ownTextOf(profile), language })) {
      const { sentence } = support;
      if (support.supportedBy) continue;
      findings.push({
        rule: 'unsupported-fact',
        severity: 'warning',
        start: sentence.start,
        end: sentence.end,
        missing: support.missing,
        message: {
          sv: `Ingen källa stöder "${support.missing.join(', ')}" i meningen "${sentence.text}"; kontrollera eller ta bort den.`,
          en: `No source supports "${support.missing.join(', ')}" in the sentence "${sentence.text}"; check it or remove it.`,
        },
        fix: {
          label: { sv: 'Ta bort meningen', en: 'Remove the sentence' },
          edit: {
            kind: 'replace-range',
            start: sentence.start,
            end: sentence.end,
            original: sentence.text,
            replacement: '',
          },
        },
      });
    }
  }

  return findings.sort((a, b) => (a.start ?? Number.MAX_SAFE_INTEGER) - (b.start ?? Number.MAX_SAFE_INTEGER));
}

/**
 * Cuts to at most `maxCharacters`: at the last sentence end that fits, if that keeps at least half
 * the room; otherwise at the last word that fits, with an ellipsis.
 */
export function trimToLimit(text: string, maxCharacters: number, language: ContentLanguage = 'sv'): string {
  const characters = [...text];
  if (characters.length <= maxCharacters) return text;
  // Characters counted once, sentence by sentence (recounting each prefix is quadratic).
  let lastSentence: { end: number; characters: number } | undefined;
  let counted = 0;
  let countedTo = 0;
  for (const sentence of splitSentences(text, language)) {
    counted += characterCount(text.slice(countedTo, sentence.end));
    countedTo = sentence.end;
    if (counted > maxCharacters) break;
    lastSentence = { end: sentence.end, characters: counted };
  }
  if (lastSentence && lastSentence.characters >= maxCharacters / 2)
    return text.slice(0, lastSentence.end).trimEnd();
  const room = characters.slice(0, Math.max(0, maxCharacters - 1)).join('');
  const lastSpace = room.search(/\s\S*$/u);
  return `${(lastSpace > 0 ? room.slice(0, lastSpace) : room).replace(/[\s,;:–-]+$/u, '')}…`;
}

function fixError(sv: string, en: string): PolettError {
  return new PolettError({ code: 'content_fix_outdated', status: 409, field: 'fix', message: { sv, en } });
}

/** Applies one deterministic fix; a fix that needs a model is refused here (see rewriting). */
export function applyFix(text: string, edit: Fix, language: ContentLanguage = 'sv'): string {
  switch (edit.kind) {
    case 'replace-range': {
      if (text.slice(edit.start, edit.end) !== edit.original)
        throw fixError(
          'Texten har ändrats sedan kontrollen; kör kontrollen igen och använd den nya åtgärden.',
          'The text has changed since the check; run the check again and use the new fix.',
        );
      return tidyWhitespace(text.slice(0, edit.start) + edit.replacement + text.slice(edit.end));
    }
    case 'convert-address':
      return convertAddressForm(text, edit.to);
    case 'trim':
      return trimToLimit(text, edit.maxCharacters, language);
    case 'trim-line': {
      const lines = text.split('\n');
      const line = lines[edit.line];
      if (line === undefined)
        throw fixError(
          'Raden finns inte längre; kör kontrollen igen.',
          'The line no longer exists; run the check again.',
        );
      const label = /^[^:]*:\s*/u.exec(line)?.[0] ?? '';
      lines[edit.line] = label + trimToLimit(line.slice(label.length).trim(), edit.maxCharacters, language);
      return lines.join('\n');
    }
    case 'remove-emojis':
      return tidyWhitespace(text.replace(EMOJI_PATTERN, ''));
    case 'limit-exclamations': {
      let seen = 0;
      // Runs like "!!!" count once and become one mark, then the marks past the limit become full stops.
      return text.replace(/!+/g, () => {
        seen += 1;
        return seen <= edit.max ? '!' : '.';
      });
    }
    case 'append-phrase': {
      const trimmed = text.trimEnd();
      const separator = trimmed === '' ? '' : /[.!?…]$/u.test(trimmed) ? ' ' : '. ';
      return `${trimmed}${separator}${edit.phrase}`;
    }
    case 'remove-hashtags': {
      let seen = 0;
      return tidyWhitespace(
        text.replace(HASHTAG, (hashtag) => {
          seen += 1;
          return seen <= edit.keep ? hashtag : '';
        }),
      );
    }
    case 'rewrite':
      throw new PolettError({
        code: 'content_fix_needs_model',
        status: 400,
        field: 'fix',
        message: {
          sv: 'Den här åtgärden skriver om texten och behöver en chattmodell; använd omskrivningen.',
          en: 'This fix rewrites the text and needs a chat model; use rewriting.',
        },
      });
  }
}
