/**
 * Near-duplicate texts in a bulk run: a catalogue of similar products easily yields texts that say
 * the same thing in the same words, which shops are penalised for and readers notice. Two texts are
 * near-duplicates when the Jaccard similarity of their word 3-shingles (lower-cased, punctuation
 * ignored) is at least 0.8; exact for a run of thousands of short texts, so no MinHash is needed.
 */
export const NEAR_DUPLICATE_THRESHOLD = 0.8;

export function shinglesOf(text: string): Set<string> {
  const words = [...text.toLocaleLowerCase('sv').matchAll(/[\p{L}\p{N}]+/gu)].map((match) => match[0]);
  const shingles = new Set<string>();
  if (words.length < 3) {
    if (words.length > 0) shingles.add(words.join(' '));
    return shingles;
  }
  for (let index = 0; index + 3 <= words.length; index += 1)
    shingles.add(words.slice(index, index + 3).join(' '));
  return shingles;
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const shingle of small) if (large.has(shingle)) shared += 1;
  return shared / (a.size + b.size - shared);
}

/** Remembers the texts of one run and says which earlier one a new text nearly repeats. */
export class NearDuplicateIndex<Key> {
  private readonly entries: Array<{ key: Key; shingles: Set<string> }> = [];

  constructor(private readonly threshold = NEAR_DUPLICATE_THRESHOLD) {}

  add(key: Key, text: string): void {
    this.entries.push({ key, shingles: shinglesOf(text) });
  }

  /** The most similar earlier text at or above the threshold. */
  findNear(text: string): { key: Key; similarity: number } | undefined {
    const shingles = shinglesOf(text);
    let best: { key: Key; similarity: number } | undefined;
    for (const entry of this.entries) {
      const similarity = jaccard(shingles, entry.shingles);
      if (similarity >= this.threshold && (!best || similarity > best.similarity))
        best = { key: entry.key, similarity };
    }
    return best;
  }
}
