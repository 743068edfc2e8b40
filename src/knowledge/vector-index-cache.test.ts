/**
 * Vector search through the in-memory index, on a real SQLite database with sqlite-vec: the same
 * results as sqlite-vec's exact search, filters and workspaces honoured, and never a stale entry,
 * whatever changed the vectors: a re-index, a removed document or source, a rolled-back write, or
 * a write by another connection.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openScratchKnowledge, type ScratchKnowledge } from './scratch-database.js';
import {
  openKnowledgeStore,
  type Embedder,
  type FoundChunk,
  type WorkspaceKnowledge,
} from './sqlite-knowledge-store.js';
import { buildDocument } from './testing/documents.js';
import { vectorIndexCache } from './vector-index-cache.js';

const DIMENSION = 24;
/** Small chunks: a paragraph each, so that a few pages make a few dozen vectors. */
const chunking = { maxTokens: 30, overlapTokens: 0 };

/** Deterministic vectors from a text's hash: what is checked here is rows and order, not meaning. */
const hashEmbedder: Embedder = {
  modelId: 'hash-24',
  async embed(texts) {
    return texts.map((text) =>
      [...createHash('sha512').update(text).digest().subarray(0, DIMENSION)].map((byte) => byte / 255 - 0.5),
    );
  },
};

const WORDS = ['retur', 'frakt', 'faktura', 'kundtjänst', 'öppettider', 'garanti', 'leverans', 'presentkort'];

function page(seed: number, paragraphs = 4) {
  return buildDocument({
    title: `Sida ${seed}`,
    language: 'sv',
    blocks: Array.from(
      { length: paragraphs },
      (_, index) =>
        `Stycke ${index} på sida ${seed} handlar om ${WORDS[(seed + index) % WORDS.length]} och om hur ` +
        `vi sköter ${WORDS[(seed * 3 + index) % WORDS.length]} för våra kunder i hela landet, varje dag.`,
    ),
  });
}

let folder: string;
let scratch: ScratchKnowledge;
/** The scratch workspace through a store that uses the index from the first vector on. */
let indexed: WorkspaceKnowledge;
/** The same workspace through a store that always asks sqlite-vec (the reference). */
let exact: WorkspaceKnowledge;

beforeEach(async () => {
  folder = mkdtempSync(path.join(tmpdir(), 'polett-vector-index-'));
  scratch = await openScratchKnowledge({
    path: path.join(folder, 'knowledge.sqlite'),
    chunking,
  });
  const { analyzer } = scratch.store;
  indexed = openKnowledgeStore(scratch.database, { analyzer, chunking, vectorIndexFrom: 1 }).forWorkspace(
    scratch.workspaceId,
  );
  exact = openKnowledgeStore(scratch.database, {
    analyzer,
    vectorIndexFrom: Number.POSITIVE_INFINITY,
  }).forWorkspace(scratch.workspaceId);
});
afterEach(() => {
  scratch.close();
  rmSync(folder, { recursive: true, force: true });
});

async function add(
  knowledge: WorkspaceKnowledge,
  sourceId: string,
  uri: string,
  document = page(Number(uri.replace(/\D/g, '')) || 0),
) {
  const prepared = await knowledge.prepareDocument(sourceId, uri, document, { embedder: hashEmbedder });
  return knowledge.writeDocument(prepared);
}

/** A stored chunk's vector, read back from sqlite-vec. */
function storedVector(rowid: number): number[] {
  const blob = scratch.database
    .prepare(`SELECT embedding FROM knowledge_vectors_${DIMENSION} WHERE rowid = ?`)
    .pluck()
    .get(BigInt(rowid)) as Buffer;
  return [...new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength))];
}

function ids(chunks: FoundChunk[]): string[] {
  return chunks.map((chunk) => chunk.id);
}

/** The chunks of a workspace that have a vector (a near-duplicate is stored once, with one). */
function allChunkIds(knowledge: WorkspaceKnowledge): Set<string> {
  return new Set(
    scratch.database
      .prepare(
        `SELECT id FROM knowledge_chunks
         WHERE workspace_id = ? AND duplicate_of IS NULL AND embedding_model IS NOT NULL`,
      )
      .pluck()
      .all(knowledge.workspaceId) as string[],
  );
}

const queries = async (count: number) =>
  hashEmbedder.embed(Array.from({ length: count }, (_, index) => `fråga ${index}`));

describe('vector search through the in-memory index', () => {
  it('finds what sqlite-vec finds, in the same order, with the same similarity', async () => {
    const source = indexed.createSource({ kind: 'folder', location: '/sidor' });
    for (let seed = 0; seed < 15; seed += 1) await add(indexed, source.id, `sida-${seed}.md`);
    for (const vector of await queries(8)) {
      const viaIndex = indexed.vectorSearch(vector, hashEmbedder.modelId, {}, 10);
      const reference = exact.vectorSearch(vector, hashEmbedder.modelId, {}, 10);
      expect(viaIndex).toHaveLength(10);
      expect(ids(viaIndex)).toEqual(ids(reference));
      viaIndex.forEach((chunk, index) => expect(chunk.score).toBeCloseTo(reference[index]!.score, 4));
    }
    // A stored chunk's own vector finds it first.
    const [chunk] = indexed.chunksOfDocument(indexed.listDocuments(source.id)[3]!.id);
    const [first] = indexed.vectorSearch(storedVector(chunk!.rowid), hashEmbedder.modelId, {}, 1);
    expect(first).toMatchObject({ id: chunk!.id });
    expect(first!.score).toBeCloseTo(1, 4);
  });

  it('honours every filter and never returns another workspace’s chunks', async () => {
    const handbook = indexed.createSource({
      kind: 'folder',
      location: '/handbok',
      collection: 'handbok',
      tags: ['intern'],
    });
    const site = indexed.createSource({ kind: 'site', location: 'https://exempel.se' });
    for (let seed = 0; seed < 6; seed += 1) {
      await add(indexed, handbook.id, `handbok-${seed}.md`);
      await add(indexed, site.id, `webb-${seed}.md`, { ...page(seed + 100), language: 'en' });
    }
    const otherWorkspace = randomUUID();
    scratch.database
      .prepare('INSERT INTO workspaces (id, name, slug, created_at) VALUES (?, ?, ?, ?)')
      .run(otherWorkspace, 'Annan', `annan-${otherWorkspace.slice(0, 8)}`, new Date().toISOString());
    const other = openKnowledgeStore(scratch.database, {
      analyzer: scratch.store.analyzer,
      chunking,
      vectorIndexFrom: 1,
    }).forWorkspace(otherWorkspace);
    const otherSource = other.createSource({ kind: 'folder', location: '/annat' });
    for (let seed = 0; seed < 6; seed += 1) await add(other, otherSource.id, `annat-${seed}.md`);
    const otherIds = allChunkIds(other);

    const filters = [
      {},
      { collections: ['handbok'] },
      { sourceIds: [site.id] },
      { language: 'en' },
      { tags: ['intern'] },
    ];
    for (const vector of await queries(4))
      for (const filter of filters) {
        const viaIndex = indexed.vectorSearch(vector, hashEmbedder.modelId, filter, 8);
        expect(ids(viaIndex)).toEqual(ids(exact.vectorSearch(vector, hashEmbedder.modelId, filter, 8)));
        expect(viaIndex.length).toBeGreaterThan(0);
        for (const chunk of viaIndex) {
          expect(otherIds.has(chunk.id)).toBe(false);
          if ('collections' in filter) expect(chunk.collection).toBe('handbok');
          if ('sourceIds' in filter || 'language' in filter) expect(chunk.sourceId).toBe(site.id);
          if ('tags' in filter) expect(chunk.sourceId).toBe(handbook.id);
        }
      }
    for (const chunk of other.vectorSearch((await queries(1))[0]!, hashEmbedder.modelId, {}, 50))
      expect(otherIds.has(chunk.id)).toBe(true);
  });

  it('never returns a stale entry: re-index, removal, rollback and another connection’s writes', async () => {
    const source = indexed.createSource({ kind: 'folder', location: '/sidor' });
    const removable = indexed.createSource({ kind: 'folder', location: '/gammalt' });
    for (let seed = 0; seed < 5; seed += 1) await add(indexed, source.id, `sida-${seed}.md`);
    for (let seed = 5; seed < 8; seed += 1) await add(indexed, removable.id, `sida-${seed}.md`);
    // Every query's top 10 is sqlite-vec's (a stale or missing entry would change some of them),
    // and all queries together reach every stored chunk and nothing else.
    expect(indexed.counts().canonicalChunks).toBeGreaterThanOrEqual(24);
    const everything = async () => {
      const found = new Set<string>();
      for (const vector of await queries(6)) {
        const top = indexed.vectorSearch(vector, hashEmbedder.modelId, {}, 10);
        expect(ids(top)).toEqual(ids(exact.vectorSearch(vector, hashEmbedder.modelId, {}, 10)));
        for (const chunk of indexed.vectorSearch(vector, hashEmbedder.modelId, {}, 100)) found.add(chunk.id);
      }
      return found;
    };
    // The index is built by the first search; from here on it must follow every change.
    expect(await everything()).toEqual(allChunkIds(indexed));

    // Re-index with changed text: the vanished chunks leave, the new ones are found by their vectors.
    const changed = page(42, 5);
    await add(indexed, source.id, 'sida-0.md', changed);
    const document = indexed.listDocuments(source.id).find((entry) => entry.uri === 'sida-0.md')!;
    expect(await everything()).toEqual(allChunkIds(indexed));
    const withVectors = allChunkIds(indexed);
    const reindexed = indexed.chunksOfDocument(document.id).filter((chunk) => withVectors.has(chunk.id));
    expect(reindexed.length).toBeGreaterThan(0);
    for (const chunk of reindexed)
      expect(indexed.vectorSearch(storedVector(chunk.rowid), hashEmbedder.modelId, {}, 1)[0]!.id).toBe(
        chunk.id,
      );

    // A removed document and a removed source leave no entry behind.
    indexed.removeDocument(indexed.listDocuments(source.id)[1]!.id);
    indexed.removeSource(removable.id);
    expect(await everything()).toEqual(allChunkIds(indexed));

    // A write rolled back leaves no entry either, and a search inside a transaction sees what
    // the transaction sees (sqlite-vec alone, then).
    const before = allChunkIds(indexed);
    const prepared = await indexed.prepareDocument(source.id, 'sida-99.md', page(99), {
      embedder: hashEmbedder,
    });
    const newVector = prepared.chunks[0]!.embedding!;
    expect(() =>
      scratch.database.transaction(() => {
        indexed.writeDocument(prepared);
        expect(indexed.vectorSearch(newVector, hashEmbedder.modelId, {}, 1)[0]!.id).toBe(
          prepared.chunks[0]!.id,
        );
        throw new Error('rolled back');
      })(),
    ).toThrow('rolled back');
    expect(allChunkIds(indexed)).toEqual(before);
    expect(await everything()).toEqual(before);
    const afterRollback = indexed.vectorSearch(newVector, hashEmbedder.modelId, {}, 5);
    expect(ids(afterRollback)).not.toContain(prepared.chunks[0]!.id);
    expect(ids(afterRollback)).toEqual(ids(exact.vectorSearch(newVector, hashEmbedder.modelId, {}, 5)));

    // Another connection (the CLI beside a running server) writes: seen at the next search.
    const second = new BetterSqlite3(path.join(folder, 'knowledge.sqlite'));
    try {
      sqliteVec.load(second);
      const elsewhere = openKnowledgeStore(second, {
        analyzer: scratch.store.analyzer,
        chunking,
      }).forWorkspace(scratch.workspaceId);
      await add(elsewhere, source.id, 'sida-77.md', page(77));
      elsewhere.removeDocument(
        indexed.listDocuments(source.id).find((entry) => entry.uri === 'sida-2.md')!.id,
      );
    } finally {
      second.close();
    }
    expect(await everything()).toEqual(allChunkIds(indexed));
    expect(vectorIndexCache(scratch.database)).toBe(vectorIndexCache(scratch.database));
  });
});
