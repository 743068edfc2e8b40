/**
 * The knowledge store on a real SQLite database (FTS5 and sqlite-vec): indexing in one
 * transaction, re-indexing by content hash, near-duplicates stored once, no orphans in any index
 * (counted row by row), Swedish lexical search, filters and workspace isolation.
 */
import { createHash, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openScratchKnowledge, type ScratchKnowledge } from './scratch-database.js';
import type { Embedder } from './sqlite-knowledge-store.js';
import { buildDocument, HANDBOOK_PAGES, heading } from './testing/documents.js';

/** A deterministic stand-in for an embedding model: storage tests check rows, not meaning. */
const hashEmbedder: Embedder = {
  modelId: 'hash-8',
  async embed(texts) {
    return texts.map((text) =>
      [...createHash('sha256').update(text).digest().subarray(0, 8)].map((b) => b / 255 + 0.01),
    );
  },
};

let scratch: ScratchKnowledge;
beforeEach(async () => {
  scratch = await openScratchKnowledge({ chunking: { maxTokens: 60, overlapTokens: 0 } });
});
afterEach(() => scratch.close());

async function index(uri: string, document = HANDBOOK_PAGES[uri]!, sourceId?: string, embedder?: Embedder) {
  const knowledge = scratch.knowledge;
  const source = sourceId ?? knowledge.createSource({ kind: 'folder', location: '/handbok' }).id;
  const prepared = await knowledge.prepareDocument(source, uri, document, embedder ? { embedder } : {});
  return { sourceId: source, outcome: knowledge.writeDocument(prepared) };
}

function expectNoOrphans() {
  expect(scratch.store.orphanCounts()).toEqual({ lexicalRows: 0, vectorRows: 0, chunks: 0 });
  const counts = scratch.knowledge.counts();
  expect(counts.lexicalRows).toBe(counts.canonicalChunks);
}

describe('indexing and re-indexing', () => {
  it('indexes a document, keeps unchanged chunks on re-index, and removes what vanished from every index', async () => {
    const paragraphs = [
      'Första stycket om returer.',
      'Andra stycket om frakt.',
      'Tredje stycket om betalning.',
    ];
    const sections = (texts: string[]) =>
      buildDocument({
        title: 'Villkor',
        blocks: texts.flatMap((text, index) => [heading(`Del ${index + 1}`), text]),
      });

    const first = await index('villkor.md', sections(paragraphs), undefined, hashEmbedder);
    expect(first.outcome).toMatchObject({ added: 3, kept: 0, removed: 0, embedded: 3 });
    const idsBefore = scratch.knowledge.chunksOfDocument(first.outcome.documentId).map((chunk) => chunk.id);
    expect(scratch.knowledge.counts()).toMatchObject({
      documents: 1,
      chunks: 3,
      lexicalRows: 3,
      vectorRows: 3,
    });

    const again = await index('villkor.md', sections(paragraphs), first.sourceId, hashEmbedder);
    expect(again.outcome).toMatchObject({ unchanged: true, added: 0, embedded: 0 });

    const changed = await index(
      'villkor.md',
      sections(['Första stycket om returer.', 'Nytt stycket om Postnord.']),
      first.sourceId,
      hashEmbedder,
    );
    expect(changed.outcome).toMatchObject({ kept: 1, added: 1, removed: 2, embedded: 1 });
    const idsAfter = scratch.knowledge.chunksOfDocument(first.outcome.documentId).map((chunk) => chunk.id);
    expect(idsAfter[0]).toBe(idsBefore[0]);
    expect(scratch.knowledge.counts()).toMatchObject({
      documents: 1,
      chunks: 2,
      lexicalRows: 2,
      vectorRows: 2,
    });
    expectNoOrphans();
    expect(scratch.knowledge.lexicalSearch('betalning').chunks).toEqual([]);
    expect(scratch.knowledge.lexicalSearch('postnord').chunks).toHaveLength(1);

    expect(scratch.knowledge.removeVanishedDocuments(first.sourceId, new Set())).toBe(1);
    expect(scratch.knowledge.counts()).toMatchObject({
      documents: 0,
      chunks: 0,
      lexicalRows: 0,
      vectorRows: 0,
    });
    expectNoOrphans();
  });

  it('writes a document in one transaction: a failure half-way leaves nothing of it', async () => {
    const { sourceId } = await index('retur.md');
    const before = scratch.knowledge.counts();
    const prepared = await scratch.knowledge.prepareDocument(
      sourceId,
      'trasig.md',
      HANDBOOK_PAGES['frakt.md']!,
    );
    // Two chunks with one id: the second insert breaks the unique key after the first was written.
    prepared.chunks.push({ ...prepared.chunks[0]!, ordinal: 9, nearHash: 'annan' });
    expect(() => scratch.knowledge.writeDocument(prepared)).toThrow(/UNIQUE/);
    expect(scratch.knowledge.counts()).toEqual(before);
    expect(scratch.knowledge.listDocuments().map((document) => document.uri)).toEqual(['retur.md']);
    expectNoOrphans();
  });

  it('stores near-duplicate chunks once and hands the index to a copy when the original goes', async () => {
    const footer = 'Kontakta oss på info@exempel.se eller ring 031-123 45 67.';
    const page = (text: string) =>
      buildDocument({ blocks: [heading('Sida'), text, heading('Sidfot'), footer] });
    const { sourceId, outcome: first } = await index(
      'a.html',
      page('Om oss och vår historia.'),
      undefined,
      hashEmbedder,
    );
    const { outcome: second } = await index(
      'b.html',
      page('Våra öppettider i butiken.'),
      sourceId,
      hashEmbedder,
    );
    // The same footer in capitals and without its full stop is still the same passage.
    const { outcome: third } = await index(
      'c.html',
      buildDocument({ blocks: [heading('Sidfot'), footer.toUpperCase().replace(/\.$/, '')] }),
      sourceId,
      hashEmbedder,
    );
    expect(first.duplicates).toBe(0);
    expect(second.duplicates).toBe(1);
    expect(third.duplicates).toBe(1);
    expect(scratch.knowledge.counts()).toMatchObject({
      chunks: 5,
      canonicalChunks: 3,
      lexicalRows: 3,
      vectorRows: 3,
    });
    expect(scratch.knowledge.lexicalSearch('info exempel').chunks).toHaveLength(1);

    // The page holding the one stored copy goes: the footer stays findable, through another page.
    scratch.knowledge.removeDocument(first.documentId);
    expect(scratch.knowledge.counts()).toMatchObject({
      chunks: 3,
      canonicalChunks: 2,
      lexicalRows: 2,
      vectorRows: 2,
    });
    const [found] = scratch.knowledge.lexicalSearch('ring oss').chunks;
    expect(found?.documentId).toBe(second.documentId);
    expectNoOrphans();

    scratch.knowledge.removeSource(sourceId);
    expect(scratch.knowledge.counts()).toEqual({
      documents: 0,
      chunks: 0,
      canonicalChunks: 0,
      lexicalRows: 0,
      vectorRows: 0,
    });
    expectNoOrphans();
  });
});

describe('Swedish lexical search', () => {
  beforeEach(async () => {
    const source = scratch.knowledge.createSource({ kind: 'folder', location: '/handbok', tags: ['hjälp'] });
    for (const uri of Object.keys(HANDBOOK_PAGES)) await index(uri, HANDBOOK_PAGES[uri], source.id);
  });

  const titles = (query: string, filters = {}) =>
    scratch.knowledge.lexicalSearch(query, filters).chunks.map((chunk) => chunk.title);

  it('finds compounds by their parts and inflected forms by their stem', () => {
    expect(titles('kund')[0]).toBe('Kontakt');
    expect(titles('tjänst')[0]).toBe('Kontakt');
    expect(titles('retur')[0]).toBe('Returer');
    expect(titles('RETURPOLICYN')[0]).toBe('Returer');
    expect(titles('leveranstider')[0]).toBe('Leveranser');
    expect(titles('fakturor')[0]).toBe('Betalning');
  });

  it('keeps å, ä and ö apart and answers a query of no indexed words with nothing', async () => {
    const source = scratch.knowledge.createSource({ kind: 'folder', location: '/ord' });
    await index('far.md', buildDocument({ title: 'Ett', blocks: ['Far lagar mat.'] }), source.id);
    await index('for.md', buildDocument({ title: 'Två', blocks: ['Båten gick för fort.'] }), source.id);
    expect(titles('får')).toEqual([]);
    expect(titles('far')).toEqual(['Ett']);
    expect(titles('för')).toEqual(['Två']);
    expect(titles('göteborg')[0]).toBe('Leveranser');
    expect(titles('"; DROP TABLE knowledge_chunks; --')).toEqual([]);
    expect(scratch.knowledge.lexicalSearch('').chunks).toEqual([]);
  });

  it('returns locations and heading paths, and filters by collection, source, language and tag', () => {
    const [price] = scratch.knowledge.lexicalSearch('pris norden').chunks;
    expect(price).toMatchObject({
      title: 'Leveranser',
      headingPath: ['Frakt och leverans'],
      location: { sheet: 'Priser', row: 1 },
    });
    expect(titles('retur', { collections: ['default'] })).toContain('Returer');
    expect(titles('retur', { collections: ['annan'] })).toEqual([]);
    expect(titles('retur', { tags: ['hjälp'] })).toContain('Returer');
    expect(titles('retur', { tags: ['intern'] })).toEqual([]);
    expect(titles('retur', { language: 'en' })).toEqual([]);
    expect(titles('retur', { sourceIds: [randomUUID()] })).toEqual([]);
  });

  it('shows nothing of one workspace to another', async () => {
    const other = randomUUID();
    scratch.database
      .prepare('INSERT INTO workspaces (id, name, slug, created_at) VALUES (?, ?, ?, ?)')
      .run(other, 'Annan', `annan-${other.slice(0, 6)}`, new Date().toISOString());
    const otherKnowledge = scratch.store.forWorkspace(other);
    expect(otherKnowledge.lexicalSearch('retur').chunks).toEqual([]);
    expect(otherKnowledge.listSources()).toEqual([]);
    const sourceOfA = scratch.knowledge.listSources()[0]!.id;
    expect(otherKnowledge.getSource(sourceOfA)).toBeUndefined();
    expect(otherKnowledge.removeSource(sourceOfA)).toBe(false);
    expect(scratch.knowledge.counts().documents).toBe(4);
  });
});
