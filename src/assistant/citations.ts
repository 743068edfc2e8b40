/**
 * Citations in an answer: `[1]`, `[2, 3]` or `[1][3]` markers that point at the prompt's numbered
 * passages. A marker that points at no passage is removed, so that a citation always links to a
 * passage that was there.
 */
import type { Passage } from '../knowledge/search-contract.js';
import type { Citation } from './schemas.js';

const MARKER = /\[(\d{1,2}(?:\s*,\s*\d{1,2})*)\]/g;

export function citationOf(passage: Passage, marker: number): Citation {
  const citation: Citation = {
    marker,
    chunkId: passage.chunkId,
    title: passage.title,
    headingPath: passage.headingPath,
  };
  if (passage.location.url) citation.url = passage.location.url;
  if (passage.location.page !== undefined) citation.page = passage.location.page;
  if (passage.location.sheet !== undefined) citation.sheet = passage.location.sheet;
  if (passage.location.row !== undefined) citation.row = passage.location.row;
  return citation;
}

/** The answer with invalid markers removed, and the citations of the valid ones in order of first use. */
export function resolveCitations(text: string, passages: Passage[]): { text: string; citations: Citation[] } {
  const used = new Map<number, Citation>();
  const cleaned = text.replace(MARKER, (_marker, numbers: string) => {
    const valid = numbers
      .split(',')
      .map((number) => Number(number.trim()))
      .filter((number) => number >= 1 && number <= passages.length);
    for (const number of valid)
      if (!used.has(number)) used.set(number, citationOf(passages[number - 1]!, number));
    return valid.length > 0 ? `[${valid.join(', ')}]` : '';
  });
  return { text: cleaned.replace(/ +([.,!?])/g, '$1').trim(), citations: [...used.values()] };
}
