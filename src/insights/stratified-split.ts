/**
 * A seeded, stratified split of labelled rows into a training part of a given size and the rest:
 * each label keeps its share, and the same seed gives the same split on every machine.
 */

/** mulberry32: a small, well-distributed 32-bit generator, enough for shuffling. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/**
 * Splits `rows` so that the training part holds `trainSize` rows with the labels in their overall
 * proportions (largest remainders decide the rounding); the rest is the test part.
 */
export function stratifiedSplit<Row>(
  rows: readonly Row[],
  labelOf: (row: Row) => string,
  trainSize: number,
  seed: number,
): { train: Row[]; test: Row[] } {
  if (trainSize <= 0 || trainSize >= rows.length)
    throw new RangeError(`trainSize must be between 1 and ${rows.length - 1}`);
  const random = seededRandom(seed);
  const byLabel = new Map<string, Row[]>();
  for (const row of rows) {
    const label = labelOf(row);
    let group = byLabel.get(label);
    if (!group) byLabel.set(label, (group = []));
    group.push(row);
  }
  const labels = [...byLabel.keys()].sort();
  const quotas = labels.map((label) => {
    const exact = (byLabel.get(label)!.length * trainSize) / rows.length;
    return { label, take: Math.floor(exact), remainder: exact - Math.floor(exact) };
  });
  let missing = trainSize - quotas.reduce((sum, quota) => sum + quota.take, 0);
  for (const quota of [...quotas].sort(
    (a, b) => b.remainder - a.remainder || a.label.localeCompare(b.label),
  )) {
    if (missing <= 0) break;
    quota.take += 1;
    missing -= 1;
  }
  const train: Row[] = [];
  const test: Row[] = [];
  for (const { label, take } of quotas) {
    const group = shuffleInPlace([...byLabel.get(label)!], random);
    train.push(...group.slice(0, take));
    test.push(...group.slice(take));
  }
  return { train: shuffleInPlace(train, random), test };
}
