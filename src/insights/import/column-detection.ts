/**
 * Which column of a feedback file holds what: the text, its date, rating, source, author, id and
 * (for training files) a label. Guessed from the column names in Swedish and English first, then
 * from the values (the longest free text is the text, values that parse as dates are the date,
 * small numbers the rating). The guess is shown to the user, who confirms or corrects it once.
 */
import { z } from 'zod';
import { parseFeedbackDate } from './date-parsing.js';
import type { SourceRecord } from './record-reader.js';

export const ColumnRole = z.enum(['text', 'date', 'rating', 'source', 'author', 'id', 'label']);
export type ColumnRole = z.infer<typeof ColumnRole>;

/** Role → column name. Columns not named here are kept as fields. */
export const ColumnMapping = z.object({
  text: z.string().min(1),
  date: z.string().optional(),
  rating: z.string().optional(),
  source: z.string().optional(),
  author: z.string().optional(),
  id: z.string().optional(),
  label: z.string().optional(),
});
export type ColumnMapping = z.infer<typeof ColumnMapping>;

const NAME_HINTS: Record<ColumnRole, RegExp> = {
  text: /^(text|texts?|review|recension|omdöme|kommentar|comment|comments|feedback|message|meddelande|body|content|innehåll|tweet|post|inlägg|svar|answer|fritext|beskrivning|description)$/i,
  date: /^(date|datum|time|tid|timestamp|tidpunkt|created|created_at|createdat|skapad|published|publicerad|posted|dag|day)$/i,
  rating: /^(rating|betyg|stars?|stjärnor|score|poäng|grade|nps)$/i,
  source: /^(source|källa|kalla|channel|kanal|platform|plattform|site|sajt|webbplats)$/i,
  author: /^(author|författare|user|username|användare|name|namn|kund|customer|reviewer)$/i,
  id: /^(id|review_id|reviewid|feedback_id|uuid|nummer|number|nr|ref|referens|reference)$/i,
  label: /^(label|labels|etikett|klass|class|category|kategori|sentiment|tag|taggar|tags)$/i,
};

function normaliseName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

/** A first guess at the mapping from the column names and the first records. */
export function detectColumns(
  columns: readonly string[],
  records: readonly SourceRecord[],
): Partial<ColumnMapping> {
  const mapping: Partial<ColumnMapping> = {};
  const taken = new Set<string>();
  for (const role of ColumnRole.options)
    for (const column of columns) {
      if (taken.has(column) || mapping[role] !== undefined) continue;
      if (NAME_HINTS[role].test(normaliseName(column))) {
        mapping[role] = column;
        taken.add(column);
      }
    }
  const valuesOf = (column: string) =>
    records.map((record) => record.fields[column] ?? '').filter((value) => value.trim() !== '');
  const free = columns.filter((column) => !taken.has(column));
  if (!mapping.text) {
    // The column with the longest texts on average that contain spaces: free text.
    let best: { column: string; length: number } | undefined;
    for (const column of free) {
      const values = valuesOf(column);
      if (values.length === 0 || values.filter((value) => value.includes(' ')).length < values.length / 2)
        continue;
      const length = values.reduce((sum, value) => sum + value.length, 0) / values.length;
      if (!best || length > best.length) best = { column, length };
    }
    if (best) {
      mapping.text = best.column;
      taken.add(best.column);
    }
  }
  if (!mapping.date)
    for (const column of free) {
      const values = valuesOf(column);
      if (taken.has(column) || values.length === 0) continue;
      if (values.filter((value) => parseFeedbackDate(value) !== undefined).length >= values.length * 0.8) {
        mapping.date = column;
        taken.add(column);
        break;
      }
    }
  if (!mapping.rating)
    for (const column of free) {
      const values = valuesOf(column);
      if (taken.has(column) || values.length === 0) continue;
      if (
        values.every((value) => /^\d+([.,]\d)?$/.test(value.trim()) && Number(value.replace(',', '.')) <= 10)
      ) {
        mapping.rating = column;
        taken.add(column);
        break;
      }
    }
  return mapping;
}
