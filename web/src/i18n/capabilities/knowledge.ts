import type { LocalizedText } from '../messages.ts';

/** The Knowledge page's texts, keys prefixed `knowledge.`; merged into `messages`. */
export const knowledgeMessages = {
  'knowledge.title': { sv: 'Kunskap', en: 'Knowledge' },
  'knowledge.intro': {
    sv: 'Företagets egna dokument och webbsidor, som assistenten och innehållsstudion svarar utifrån. Sökningen förstår svenska: böjningar och sammansättningar, så att ”kund” hittar ”kundtjänsten”.',
    en: "The company's own documents and web pages, which the assistant and the content studio answer from. Search understands Swedish: inflections and compounds, so that “kund” finds “kundtjänsten”.",
  },

  // ---- files ----
  'knowledge.files.title': { sv: 'Lägg till filer', en: 'Add files' },
  'knowledge.files.drop': {
    sv: 'Släpp filer här, eller välj dem nedan.',
    en: 'Drop files here, or choose them below.',
  },
  'knowledge.files.dropActive': { sv: 'Släpp för att lägga till.', en: 'Drop to add.' },
  'knowledge.files.choose': { sv: 'Välj filer', en: 'Choose files' },
  'knowledge.files.formats': {
    sv: 'PDF, Word (DOCX), HTML, Markdown, text, CSV och Excel (XLSX): högst 50 MB per fil och 100 MB per uppladdning. Större mängder läggs till på servern med polett kb add <sökväg>.',
    en: 'PDF, Word (DOCX), HTML, Markdown, text, CSV and Excel (XLSX): at most 50 MB a file and 100 MB an upload. Larger sets are added on the server with polett kb add <path>.',
  },
  'knowledge.files.interrupted': {
    sv: 'Uppladdningen avbröts innan servern svarade. Är filerna större än 100 MB tillsammans? Ladda upp färre åt gången, eller lägg till dem på servern med polett kb add <sökväg>.',
    en: 'The upload was cut off before the server answered. Are the files larger than 100 MB together? Upload fewer at a time, or add them on the server with polett kb add <path>.',
  },
  'knowledge.files.selected': { sv: 'Valda filer: {names}', en: 'Chosen files: {names}' },
  'knowledge.files.upload': { sv: 'Ladda upp och indexera', en: 'Upload and index' },
  'knowledge.files.uploading': { sv: 'Laddar upp …', en: 'Uploading …' },
  'knowledge.collection': { sv: 'Samling', en: 'Collection' },
  'knowledge.collectionHint': {
    sv: 'Valfritt: samla dokument som hör ihop, till exempel ”Villkor” eller ”Produkter”.',
    en: 'Optional: group documents that belong together, such as “Terms” or “Products”.',
  },

  // ---- web ----
  'knowledge.web.title': { sv: 'Lägg till en webbplats', en: 'Add a website' },
  'knowledge.web.url': { sv: 'Adress', en: 'Address' },
  'knowledge.web.urlHint': {
    sv: 'En sida, en startsida att gå vidare från, eller en sitemap (…/sitemap.xml).',
    en: 'A page, a start page to follow links from, or a sitemap (…/sitemap.xml).',
  },
  'knowledge.web.kind': { sv: 'Vad ska läsas?', en: 'What should be read?' },
  'knowledge.web.page': { sv: 'Bara den här sidan', en: 'Only this page' },
  'knowledge.web.site': {
    sv: 'Hela webbplatsen (samma värd, robots.txt följs)',
    en: 'The whole site (same host, robots.txt respected)',
  },
  'knowledge.web.maxPages': { sv: 'Högst antal sidor', en: 'Most pages' },
  'knowledge.web.add': { sv: 'Lägg till och indexera', en: 'Add and index' },

  // ---- sources ----
  'knowledge.sources.title': { sv: 'Källor', en: 'Sources' },
  'knowledge.sources.empty': {
    sv: 'Inga källor ännu. Lägg till filer eller en webbplats ovan.',
    en: 'No sources yet. Add files or a website above.',
  },
  'knowledge.sources.name': { sv: 'Källa', en: 'Source' },
  'knowledge.sources.status': { sv: 'Status', en: 'Status' },
  'knowledge.sources.documents': { sv: 'Dokument', en: 'Documents' },
  'knowledge.sources.chunks': { sv: 'Avsnitt', en: 'Passages' },
  'knowledge.sources.errors': { sv: 'Fel', en: 'Errors' },
  'knowledge.sources.synced': { sv: 'Synkroniserad', en: 'Synchronised' },
  'knowledge.sources.actions': { sv: 'Åtgärder', en: 'Actions' },
  'knowledge.sources.never': { sv: 'aldrig', en: 'never' },
  'knowledge.sources.sync': { sv: 'Synkronisera', en: 'Synchronise' },
  'knowledge.sources.syncLabel': { sv: 'Synkronisera {name}', en: 'Synchronise {name}' },
  'knowledge.sources.report': { sv: 'Rapport', en: 'Report' },
  'knowledge.sources.reportLabel': { sv: 'Rapport för {name}', en: 'Report of {name}' },
  'knowledge.sources.remove': { sv: 'Ta bort', en: 'Remove' },
  'knowledge.sources.removeLabel': { sv: 'Ta bort {name}', en: 'Remove {name}' },
  'knowledge.sources.confirmRemove': {
    sv: 'Ta bort {name} med alla dess dokument ur kunskapsbanken?',
    en: 'Remove {name} with all its documents from the knowledge base?',
  },
  'knowledge.sources.removed': { sv: '{name} är borttagen.', en: '{name} has been removed.' },
  'knowledge.sources.reportTitle': { sv: 'Rapporten för {name}', en: 'The report of {name}' },
  'knowledge.sources.reportEmpty': { sv: 'Ingen rapport ännu.', en: 'No report yet.' },
  'knowledge.sources.itemDone': { sv: '{chunks} avsnitt', en: '{chunks} passages' },
  'knowledge.sources.itemUnchanged': { sv: 'oförändrad', en: 'unchanged' },
  'knowledge.status.pending': { sv: 'väntar', en: 'waiting' },
  'knowledge.status.syncing': { sv: 'synkroniseras', en: 'synchronising' },
  'knowledge.status.ready': { sv: 'klar', en: 'ready' },
  'knowledge.status.failed': { sv: 'misslyckades', en: 'failed' },
  'knowledge.kind.file': { sv: 'fil', en: 'file' },
  'knowledge.kind.folder': { sv: 'mapp', en: 'folder' },
  'knowledge.kind.upload': { sv: 'uppladdning', en: 'upload' },
  'knowledge.kind.page': { sv: 'webbsida', en: 'web page' },
  'knowledge.kind.site': { sv: 'webbplats', en: 'website' },
  'knowledge.jobDone': {
    sv: 'Klart: {documents} dokument indexerade, {failed} med fel.',
    en: 'Done: {documents} documents indexed, {failed} with errors.',
  },

  // ---- search ----
  'knowledge.search.title': { sv: 'Provsök', en: 'Try a search' },
  'knowledge.search.query': { sv: 'Sökfråga', en: 'Query' },
  'knowledge.search.queryHint': {
    sv: 'Skriv som en kund skulle fråga, till exempel ”Hur returnerar jag en vara?”',
    en: 'Write as a customer would ask, for example “Hur returnerar jag en vara?”',
  },
  'knowledge.search.submit': { sv: 'Sök', en: 'Search' },
  'knowledge.search.searching': { sv: 'Söker …', en: 'Searching …' },
  'knowledge.search.none': { sv: 'Inga träffar.', en: 'No matches.' },
  'knowledge.search.mode.lexical': {
    sv: 'Ordsökning (ingen inbäddningsmodell är vald).',
    en: 'Word search (no embedding model is configured).',
  },
  'knowledge.search.mode.hybrid': {
    sv: 'Hybridsökning: ord och vektorer, sammanvägda.',
    en: 'Hybrid search: words and vectors, fused.',
  },
  'knowledge.search.terms': { sv: 'Sökta termer: {terms}', en: 'Terms searched: {terms}' },
  'knowledge.search.results': { sv: 'Träffar', en: 'Matches' },
  'knowledge.search.score': { sv: 'Poäng {score}', en: 'Score {score}' },
  'knowledge.search.why': { sv: 'Varför den träffade', en: 'Why it matched' },
  'knowledge.search.lexical': {
    sv: 'Ordsökning: plats {rank} (BM25 {score})',
    en: 'Word search: rank {rank} (BM25 {score})',
  },
  'knowledge.search.vector': {
    sv: 'Vektorsökning: plats {rank} (likhet {score}, vikt {weight})',
    en: 'Vector search: rank {rank} (similarity {score}, weight {weight})',
  },
  'knowledge.search.rerank': { sv: 'Omrankning: {score}', en: 'Reranker: {score}' },
  'knowledge.search.matched': { sv: 'Matchade ord: {words}', en: 'Matched words: {words}' },
  'knowledge.search.page': { sv: 'sida {page}', en: 'page {page}' },
  'knowledge.search.row': { sv: '{sheet}, rad {row}', en: '{sheet}, row {row}' },
} as const satisfies Record<string, LocalizedText>;
