/**
 * Labels in a training file that look like misspellings of another label ("postive" beside
 * "positive"): a rare label within a small edit distance of a frequent one. They are reported and
 * their rows left out of training, since a class of three examples named by a typo teaches nothing
 * but noise.
 */

export interface LabelTypo {
  label: string;
  /** The label it most likely was meant to be. */
  likely: string;
  count: number;
}

/** Damerau-Levenshtein (optimal string alignment) distance. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const columns = b.length + 1;
  const table = Array.from({ length: rows }, (_, i) =>
    new Int32Array(columns).map((_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i += 1)
    for (let j = 1; j < columns; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(table[i - 1]![j]! + 1, table[i]![j - 1]! + 1, table[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, table[i - 2]![j - 2]! + 1);
      table[i]![j] = best;
    }
  return table[a.length]![b.length]!;
}

/** Labels that are probably typos of a more frequent label. */
export function findLabelTypos(counts: ReadonlyMap<string, number>): LabelTypo[] {
  const labels = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  const typos: LabelTypo[] = [];
  for (const [label, count] of labels) {
    for (const [other, otherCount] of labels) {
      if (other === label || otherCount < count * 5) continue;
      const normalised = label.trim().toLowerCase();
      const otherNormalised = other.trim().toLowerCase();
      const allowed = otherNormalised.length <= 4 ? 1 : 2;
      if (normalised === otherNormalised || editDistance(normalised, otherNormalised) <= allowed) {
        typos.push({ label, likely: other, count });
        break;
      }
    }
  }
  return typos;
}
