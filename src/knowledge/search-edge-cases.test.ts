/**
 * Search at the edges the small fixtures do not reach: more matches than SQLite binds in one
 * statement (32,766), a word in more than half of all chunks, a small workspace in a table whose
 * statistics another, larger workspace decides, and vectors wide and flat enough to overflow the
 * int8 kernel's int32 sums. The bulk rows are written with SQL (the write path is tested
 * elsewhere), from one chunk written the ordinary way.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { afterEach, describe, expect, it } from 'vitest';
import { lexicalColumns } from './lexical-analysis.js';
import { QuantizedVectorIndex } from './quantized-vector-index.js';
import { openScratchKnowledge, type ScratchKnowledge } from './scratch-database.js';
import { openKnowledgeStore, type Embedder, type WorkspaceKnowledge } from './sqlite-knowledge-store.js';
import { buildDocument } from './testing/documents.js';
import { vectorIndexCache } from './vector-index-cache.js';

/** More rows than SQLite's 32,766 bound parameters a statement. */
const BULK = 33_000;

let scratch: ScratchKnowledge | undefined;
afterEach(() => {
  scratch?.close();
  scratch = undefined;
});

function addWorkspace(open: ScratchKnowledge): string {
  const id = randomUUID();
  open.database
    .prepare('INSERT INTO workspaces (id, name, slug, created_at) VALUES (?, ?, ?, ?)')
    .run(id, 'Annan', `annan-${id.slice(0, 8)}`, new Date().toISOString());
  return id;
}

/** Writes one one-paragraph document the ordinary way; returns its source id and chunk rowid. */
async function writeOne(
  knowledge: WorkspaceKnowledge,
  text: string,
  embedder?: Embedder,
): Promise<{ sourceId: string; rowid: number }> {
  const source = knowledge.createSource({ kind: 'folder', location: `/${randomUUID()}` });
  const prepared = await knowledge.prepareDocument(
    source.id,
    `${randomUUID()}.txt`,
    buildDocument({ title: 'Sida', language: 'sv', blocks: [text] }),
    embedder ? { embedder } : {},
  );
  knowledge.writeDocument(prepared);
  const [chunk] = knowledge.chunksOfDocument(knowledge.listDocuments(source.id)[0]!.id);
  return { sourceId: source.id, rowid: chunk!.rowid };
}

/**
 * `count` copies of a stored chunk (same document, source and vector), each with the lexical
 * entry of `texts(index)`; returns their rowids.
 */
function cloneChunk(
  open: ScratchKnowledge,
  rowid: number,
  count: number,
  texts: (index: number) => string,
  vectorTable?: string,
): number[] {
  const { database } = open;
  const template = database.prepare('SELECT * FROM knowledge_chunks WHERE rowid = ?').get(rowid) as {
    workspace_id: string;
    collection_id: string;
    source_id: string;
    language: string | null;
  };
  const insertChunk = database.prepare(
    `INSERT INTO knowledge_chunks (id, workspace_id, document_id, source_id, collection_id, ordinal, text,
       heading_path, location, token_count, content_hash, near_hash, duplicate_of, language,
       embedding_model, embedding_dimension)
     SELECT ?, workspace_id, document_id, source_id, collection_id, ?, ?, heading_path, location, token_count,
       ?, ?, NULL, language, embedding_model, embedding_dimension FROM knowledge_chunks WHERE rowid = ?`,
  );
  const insertLexical = database.prepare(
    'INSERT INTO knowledge_fts (rowid, title, headings, body, parts, grams, scope) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const insertVector = vectorTable
    ? database.prepare(
        `INSERT INTO ${vectorTable} (rowid, workspace_id, embedding)
         SELECT ?, workspace_id, embedding FROM ${vectorTable} WHERE rowid = ?`,
      )
    : undefined;
  const columnsOf = new Map<string, ReturnType<typeof lexicalColumns>>();
  const rowids: number[] = [];
  database.transaction(() => {
    for (let index = 0; index < count; index += 1) {
      const text = texts(index);
      const id = randomUUID();
      const inserted = Number(insertChunk.run(id, index + 1, text, id, id, rowid).lastInsertRowid);
      let columns = columnsOf.get(text);
      if (!columns) {
        columns = lexicalColumns(
          open.store.analyzer,
          { title: 'Sida', headingPath: [], text },
          {
            workspaceId: template.workspace_id,
            collectionId: template.collection_id,
            sourceId: template.source_id,
            language: template.language,
          },
        );
        columnsOf.set(text, columns);
      }
      insertLexical.run(
        inserted,
        columns.title,
        columns.headings,
        columns.body,
        columns.parts,
        columns.grams,
        columns.scope,
      );
      insertVector?.run(BigInt(inserted), BigInt(rowid));
      rowids.push(inserted);
    }
  })();
  return rowids;
}

describe('lexical search at the edges', () => {
  it('finds a word that is in more than half of all chunks', async () => {
    scratch = await openScratchKnowledge();
    const { knowledge } = scratch;
    const { rowid } = await writeOne(knowledge, 'Fakturan skickas med posten.');
    cloneChunk(scratch, rowid, 2_100, (index) => `Fakturan gäller order ${index % 50}.`);
    const { chunks } = knowledge.lexicalSearch('fakturan', {}, 5);
    expect(chunks).toHaveLength(5);
    expect(chunks.every((chunk) => /Fakturan/.test(chunk.text))).toBe(true);
  });

  it('finds a small workspace’s chunks though a larger one matches more rows than SQLite binds', async () => {
    scratch = await openScratchKnowledge();
    const other = scratch.store.forWorkspace(addWorkspace(scratch));
    const { rowid } = await writeOne(other, 'Cykeln har en ny kedja.');
    cloneChunk(scratch, rowid, BULK, (index) => `Cykeln har en kedja och ${index % 7} växlar.`);
    const mine = await writeOne(scratch.knowledge, 'Vi lagar cykeln på en dag.');
    const { chunks } = scratch.knowledge.lexicalSearch('cykeln', {}, 10);
    expect(chunks.map((chunk) => chunk.rowid)).toEqual([mine.rowid]);
  });

  it('still finds a small workspace’s chunk by a word common only in another workspace', async () => {
    scratch = await openScratchKnowledge();
    const other = scratch.store.forWorkspace(addWorkspace(scratch));
    const { rowid } = await writeOne(other, 'Cykeln har en ny kedja.');
    // "leveranstiden" is in a third of all chunks, all but one of them the other workspace's.
    cloneChunk(scratch, rowid, 3_000, (index) =>
      index % 3 === 0 ? `Leveranstiden för sadel ${index % 11} var bra.` : `Pedal ${index % 13} och ram.`,
    );
    const rare = await writeOne(scratch.knowledge, 'Vattenflaskan är blå.');
    const common = await writeOne(scratch.knowledge, 'Leveranstiden är två dagar.');
    expect(scratch.store.selectiveTerms({ terms: ['vattenflask', 'leveranstid'], grams: [] }).common).toEqual(
      ['leveranstid'],
    );
    const { chunks } = scratch.knowledge.lexicalSearch('vattenflaskan leveranstiden', {}, 10);
    expect(chunks.map((chunk) => chunk.rowid).sort()).toEqual([rare.rowid, common.rowid].sort());
  });
});

describe('vector search at the edges', () => {
  /** Every text along the first axis, but those saying "annan", which point the other way. */
  const axisEmbedder: Embedder = {
    modelId: 'axis-7',
    async embed(texts) {
      return texts.map((text) => [/annan/.test(text) ? -1 : 1, 0.1, 0, 0, 0, 0, 0]);
    },
  };

  it('filters an index of more vectors than SQLite binds at once, when few pass the filter', async () => {
    scratch = await openScratchKnowledge();
    const knowledge = openKnowledgeStore(scratch.database, {
      analyzer: scratch.store.analyzer,
      vectorIndexFrom: 1,
    }).forWorkspace(scratch.workspaceId);
    const bulk = await writeOne(knowledge, 'Stycke om frakt.', axisEmbedder);
    cloneChunk(scratch, bulk.rowid, BULK, () => 'Stycke om frakt.', 'knowledge_vectors_7');
    const few = await writeOne(knowledge, 'En annan text om garanti.', axisEmbedder);
    const [query] = await axisEmbedder.embed(['fråga']);
    const found = knowledge.vectorSearch(query!, axisEmbedder.modelId, { sourceIds: [few.sourceId] }, 10);
    expect(found.map((chunk) => chunk.rowid)).toEqual([few.rowid]);
  });

  it('ranks a wide, flat vector first against itself (no int32 overflow in the kernel)', () => {
    const dimension = 2_048;
    const index = QuantizedVectorIndex.create(dimension)!;
    let state = 7;
    const next = () => ((state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648) * 2 - 1;
    for (let rowid = 1; rowid <= 100; rowid += 1)
      index.upsert(
        rowid,
        Array.from({ length: dimension }, () => next()),
      );
    const flat = Array.from({ length: dimension }, () => 1);
    index.upsert(1_000, flat);
    const [best] = index.nearest(flat, 1);
    expect(best?.rowid).toBe(1_000);
    expect(best?.similarity).toBeCloseTo(1, 4);
  });
});

describe('the vector index cache’s memory', () => {
  it('lets go of a model’s index once a re-embedding has moved all its vectors to another model', async () => {
    scratch = await openScratchKnowledge();
    const { database, workspaceId } = scratch;
    const store = openKnowledgeStore(database, { analyzer: scratch.store.analyzer, vectorIndexFrom: 1 });
    const knowledge = store.forWorkspace(workspaceId);
    const oldModel: Embedder = {
      modelId: 'gammal-7',
      async embed(texts) {
        return texts.map(() => [1, 0.5, 0.25, 0, 0, 0, 0]);
      },
    };
    const bulk = await writeOne(knowledge, 'Stycke om frakt.', oldModel);
    const rowids = [
      bulk.rowid,
      ...cloneChunk(scratch, bulk.rowid, 20_000, () => 'Stycke om frakt.', 'knowledge_vectors_7'),
    ];
    const [query] = await oldModel.embed(['fråga']);
    expect(knowledge.vectorSearch(query!, oldModel.modelId, {}, 3)).toHaveLength(3);
    const cache = vectorIndexCache(database);
    const table = 'knowledge_vectors_7';
    const before = cache.get(workspaceId, oldModel.modelId, 7, table)!;
    expect(before.count).toBe(rowids.length);
    // The workspace moves to another model a few thousand chunks at a time, searching meanwhile.
    const switchModel = database.prepare(
      `UPDATE knowledge_chunks SET embedding_model = 'ny-7' WHERE rowid IN (SELECT value FROM json_each(?))`,
    );
    for (let start = 0; start < rowids.length; start += 5_000) {
      switchModel.run(JSON.stringify(rowids.slice(start, start + 5_000)));
      store.writeVersion += 1; // what the store's own writes do, so that its counts are read again
      expect(knowledge.vectorSearch(query!, 'ny-7', {}, 3)).toHaveLength(3);
    }
    expect(knowledge.vectorSearch(query!, oldModel.modelId, {}, 3)).toEqual([]);
    const after = cache.get(workspaceId, oldModel.modelId, 7, table)!;
    expect(after.count).toBe(0);
    expect(after.byteLength).toBeLessThan(before.byteLength / 4);
  });
});

describe('the vector index cache’s change log', () => {
  it('stops logging past what it would apply, when many writes come between searches', async () => {
    scratch = await openScratchKnowledge();
    const { database, workspaceId } = scratch;
    const store = openKnowledgeStore(database, { analyzer: scratch.store.analyzer, vectorIndexFrom: 1 });
    const knowledge = store.forWorkspace(workspaceId);
    const model: Embedder = {
      modelId: 'logg-7',
      async embed(texts) {
        return texts.map((text) => [1, /annan/.test(text) ? 2 : 0.5, 0.25, 0, 0, 0, 0]);
      },
    };
    const bulk = await writeOne(knowledge, 'Stycke om frakt.', model);
    cloneChunk(scratch, bulk.rowid, 12_000, () => 'Stycke om frakt.', 'knowledge_vectors_7');
    const [query] = await model.embed(['annan fråga']);
    expect(knowledge.vectorSearch(query!, model.modelId, {}, 1)).toHaveLength(1);
    // A long sync with no search meanwhile: each chunk's vector is written again, several times.
    const rewrite = database.prepare('UPDATE knowledge_chunks SET embedding_model = embedding_model');
    for (let round = 0; round < 4; round += 1) rewrite.run();
    const logged = database.prepare('SELECT COUNT(*) FROM temp.knowledge_vector_changes').pluck().get();
    expect(logged).toBeLessThanOrEqual(20_001);
    // And the next search still sees every write: a new nearest vector is found.
    const added = await writeOne(knowledge, 'En annan text.', model);
    store.writeVersion += 1;
    expect(knowledge.vectorSearch(query!, model.modelId, {}, 1).map((chunk) => chunk.rowid)).toEqual([
      added.rowid,
    ]);
  });
});

describe('a small index’s query', () => {
  it('asks only the terms some chunk has, and sees what another connection writes', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'polett-small-index-'));
    try {
      scratch = await openScratchKnowledge({ path: path.join(folder, 'kb.sqlite') });
      const { knowledge, store, workspaceId } = scratch;
      await writeOne(knowledge, 'Leveranstiden är två till fyra arbetsdagar inom Sverige.');
      // A misspelt word found by its 4-grams alone; none of them is in the index yet.
      expect(knowledge.lexicalSearch('cyklhjälm', {}, 5).chunks).toEqual([]);
      const selected = store.selectiveTerms({
        terms: ['leveranstid', 'cykelhjalm'],
        grams: ['leve', 'qxzw'],
      });
      expect(selected).toEqual({ terms: ['leveranstid'], grams: ['leve'], common: [] });
      // Another process (the CLI, say) adds a page through its own connection.
      const other = openKnowledgeStore(new BetterSqlite3(path.join(folder, 'kb.sqlite')), {
        analyzer: store.analyzer,
      });
      try {
        sqliteVec.load(other.database);
        await writeOne(
          other.forWorkspace(workspaceId),
          'Cykelhjälmar i alla storlekar, från barn till vuxen.',
        );
      } finally {
        other.database.close();
      }
      expect(knowledge.lexicalSearch('cyklhjälm', {}, 5).chunks.map((chunk) => chunk.text)).toEqual([
        'Cykelhjälmar i alla storlekar, från barn till vuxen.',
      ]);
    } finally {
      scratch?.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
