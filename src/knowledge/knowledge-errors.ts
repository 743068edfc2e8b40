/** The errors of Knowledge, each one sentence in Swedish and English that says what to do. */
import { PolettError, type LocalizedText } from '../errors.js';

export function sourceNotFoundError(sourceId: string): PolettError {
  return new PolettError({
    code: 'knowledge_source_not_found',
    status: 404,
    field: 'sourceId',
    message: {
      sv: `Källan ${sourceId} finns inte i den här arbetsytan; se listan med \`polett kb list\` eller på sidan Kunskap.`,
      en: `The source ${sourceId} does not exist in this workspace; see the list with \`polett kb list\` or on the Knowledge page.`,
    },
  });
}

export function emptyQueryError(): PolettError {
  return new PolettError({
    code: 'knowledge_query_empty',
    status: 400,
    field: 'query',
    message: {
      sv: 'Sökfrågan innehåller inga ord; skriv minst ett ord att söka efter.',
      en: 'The query contains no words; write at least one word to search for.',
    },
  });
}

export function invalidCollectionError(name: string): PolettError {
  return new PolettError({
    code: 'knowledge_collection_invalid',
    status: 400,
    field: 'collection',
    message: {
      sv: `Samlingsnamnet "${name}" går inte att använda; välj 1–64 tecken utan radbrytningar.`,
      en: `The collection name "${name}" cannot be used; choose 1–64 characters without line breaks.`,
    },
  });
}

export function sourceBusyError(sourceId: string): PolettError {
  return new PolettError({
    code: 'knowledge_source_busy',
    status: 409,
    field: 'sourceId',
    message: {
      sv: `Källan ${sourceId} synkroniseras just nu; vänta tills jobbet är klart och försök igen.`,
      en: `The source ${sourceId} is being synchronised right now; wait until the job has finished and try again.`,
    },
  });
}

export function evalFileError(path: string, detail: LocalizedText): PolettError {
  return new PolettError({
    code: 'knowledge_eval_file_invalid',
    status: 400,
    field: 'file',
    message: {
      sv: `Utvärderingsfilen ${path} går inte att läsa (${detail.sv}); varje rad ska vara ett JSON-objekt med question, candidate_answers och label.`,
      en: `The evaluation file ${path} cannot be read (${detail.en}); each line must be a JSON object with question, candidate_answers and label.`,
    },
  });
}
