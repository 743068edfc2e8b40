import { createHash, randomBytes, randomUUID } from 'node:crypto';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { PolettError } from '../../errors.js';
import type { SecretBox } from '../secret-box.js';
import type {
  ApiKeyRecord,
  ApiKeyStore,
  LocalModelRecord,
  LocalModelStore,
  SecretStore,
  Storage,
  StorageHealth,
  UsageLedgerStore,
  UsageRecord,
  UsageSummaryRow,
} from '../types.js';
import { migrate } from './migrations.js';
import { WalCheckpointer } from './wal-checkpointer.js';

export interface SqliteStorageOptions {
  /** Path of the database file, or `:memory:`. */
  path: string;
  secretBox: SecretBox;
}

/**
 * Storage on one SQLite file (WAL), with FTS5 for lexical search and sqlite-vec for vectors. Both
 * extensions are checked when the file opens, so that a broken install is found at start, not at
 * the first search.
 */
export class SqliteStorage implements Storage {
  readonly database: Database;
  readonly usage: UsageLedgerStore;
  readonly secrets: SecretStore;
  readonly localModels: LocalModelStore;
  readonly apiKeys: ApiKeyStore;
  private readonly schemaVersion: number;
  private readonly vectorVersion: string | null;
  private readonly checkpointer: WalCheckpointer | undefined;

  constructor(private readonly options: SqliteStorageOptions) {
    try {
      this.database = new BetterSqlite3(options.path);
    } catch (error) {
      throw new PolettError({
        code: 'storage_unavailable',
        status: 503,
        message: {
          sv: `Databasen ${options.path} kan inte öppnas (${(error as Error).message}); kontrollera att datamappen finns och är skrivbar.`,
          en: `The database ${options.path} cannot be opened (${(error as Error).message}); check that the data folder exists and is writable.`,
        },
        cause: error,
      });
    }
    this.database.pragma('journal_mode = WAL');
    this.database.pragma('synchronous = NORMAL');
    this.database.pragma('foreign_keys = ON');
    this.database.pragma('busy_timeout = 5000');
    // 64 MB of page cache instead of SQLite's 2 MB: the indexes of a growing import (duplicate
    // hashes of a million feedback rows, say) stop fitting in 2 MB long before the data is large,
    // and every insert then reads pages from disk (an import of 300k rows: 44 s, with this 25 s).
    this.database.pragma('cache_size = -65536');
    if (options.path !== ':memory:') this.checkpointer = new WalCheckpointer(this.database, options.path);
    this.vectorVersion = loadVectorExtension(this.database);
    checkFullTextSearch(this.database);
    this.schemaVersion = migrate(this.database);
    this.usage = new SqliteUsageLedger(this.database);
    this.secrets = new SqliteSecretStore(this.database, options.secretBox);
    this.localModels = new SqliteLocalModelStore(this.database);
    this.apiKeys = new SqliteApiKeyStore(this.database);
  }

  /** A key for one purpose, derived from the installation's secret key (see SecretBox.deriveKey). */
  deriveKey(purpose: string): Buffer {
    return this.options.secretBox.deriveKey(purpose);
  }

  health(): StorageHealth {
    const engineVersion = (this.database.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
    return {
      kind: 'sqlite',
      path: this.options.path,
      engineVersion,
      journalMode: String(this.database.pragma('journal_mode', { simple: true })),
      schemaVersion: this.schemaVersion,
      fullTextSearch: true,
      vectorSearch: this.vectorVersion,
    };
  }

  close(): void {
    this.checkpointer?.stop();
    if (this.database.open) this.database.close();
  }
}

function loadVectorExtension(database: Database): string {
  try {
    sqliteVec.load(database);
    return (database.prepare('SELECT vec_version() AS v').get() as { v: string }).v;
  } catch (error) {
    throw new PolettError({
      code: 'storage_extension_missing',
      status: 503,
      message: {
        sv: `Vektortillägget sqlite-vec kan inte laddas (${(error as Error).message}); installera om med \`npm install\` på den här maskinen.`,
        en: `The sqlite-vec vector extension cannot be loaded (${(error as Error).message}); reinstall with \`npm install\` on this machine.`,
      },
      cause: error,
    });
  }
}

function checkFullTextSearch(database: Database): void {
  try {
    database.exec(`CREATE VIRTUAL TABLE temp.fts5_check USING fts5(text); DROP TABLE temp.fts5_check;`);
  } catch (error) {
    throw new PolettError({
      code: 'storage_extension_missing',
      status: 503,
      message: {
        sv: 'SQLite saknar FTS5 (fulltextsökning); installera om better-sqlite3 med `npm install`.',
        en: 'SQLite lacks FTS5 (full-text search); reinstall better-sqlite3 with `npm install`.',
      },
      cause: error,
    });
  }
}

interface UsageRow {
  at: string;
  workspace_id: string | null;
  task: string;
  provider: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  latency_ms: number;
  cost: number | null;
  currency: string | null;
  ok: number;
  error_code: string | null;
}

class SqliteUsageLedger implements UsageLedgerStore {
  private readonly insert;

  constructor(private readonly database: Database) {
    this.insert = database.prepare(`INSERT INTO usage_ledger
      (at, workspace_id, task, provider, model, input_tokens, output_tokens, latency_ms, cost, currency, ok, error_code)
      VALUES (@at, @workspaceId, @task, @provider, @model, @inputTokens, @outputTokens, @latencyMs, @cost, @currency, @ok, @errorCode)`);
  }

  record(entry: UsageRecord): void {
    this.insert.run({ ...entry, ok: entry.ok ? 1 : 0 });
  }

  summarize(options: { since?: string; workspaceId?: string | null } = {}): UsageSummaryRow[] {
    const conditions: string[] = [];
    const parameters: Record<string, unknown> = {};
    if (options.since) {
      conditions.push('at >= @since');
      parameters.since = options.since;
    }
    if (options.workspaceId !== undefined) {
      conditions.push(options.workspaceId === null ? 'workspace_id IS NULL' : 'workspace_id = @workspaceId');
      if (options.workspaceId !== null) parameters.workspaceId = options.workspaceId;
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    return this.database
      .prepare(
        `SELECT substr(at, 1, 10) AS day, task, provider, model, COUNT(*) AS calls,
           SUM(input_tokens) AS inputTokens, SUM(output_tokens) AS outputTokens,
           COALESCE(SUM(cost), 0) AS cost, MAX(currency) AS currency
         FROM usage_ledger ${where}
         GROUP BY day, task, provider, model ORDER BY day DESC, task, provider, model`,
      )
      .all(parameters) as UsageSummaryRow[];
  }

  recent(limit: number): UsageRecord[] {
    const rows = this.database
      .prepare('SELECT * FROM usage_ledger ORDER BY id DESC LIMIT ?')
      .all(limit) as UsageRow[];
    return rows.map((row) => ({
      at: row.at,
      workspaceId: row.workspace_id,
      task: row.task,
      provider: row.provider,
      model: row.model,
      inputTokens: row.input_tokens,
      outputTokens: row.output_tokens,
      latencyMs: row.latency_ms,
      cost: row.cost,
      currency: row.currency,
      ok: row.ok === 1,
      errorCode: row.error_code,
    }));
  }
}

class SqliteSecretStore implements SecretStore {
  constructor(
    private readonly database: Database,
    private readonly secretBox: SecretBox,
  ) {}

  set(name: string, value: string): void {
    this.database
      .prepare(
        `INSERT INTO secrets (name, ciphertext, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET ciphertext = excluded.ciphertext, updated_at = excluded.updated_at`,
      )
      .run(name, this.secretBox.encrypt(value), new Date().toISOString());
  }

  get(name: string): string | undefined {
    const row = this.database.prepare('SELECT ciphertext FROM secrets WHERE name = ?').get(name) as
      { ciphertext: Buffer } | undefined;
    return row === undefined ? undefined : this.secretBox.decrypt(row.ciphertext, name);
  }

  delete(name: string): boolean {
    return this.database.prepare('DELETE FROM secrets WHERE name = ?').run(name).changes > 0;
  }

  names(): string[] {
    return this.database
      .prepare('SELECT name FROM secrets ORDER BY name')
      .all()
      .map((row) => (row as { name: string }).name);
  }
}

interface LocalModelRow {
  name: string;
  path: string;
  format: string;
  source: string | null;
  size_bytes: number;
  added_at: string;
  details: string;
}

class SqliteLocalModelStore implements LocalModelStore {
  constructor(private readonly database: Database) {}

  upsert(record: LocalModelRecord): void {
    this.database
      .prepare(
        `INSERT INTO local_models (name, path, format, source, size_bytes, added_at, details)
         VALUES (@name, @path, @format, @source, @sizeBytes, @addedAt, @details)
         ON CONFLICT (name) DO UPDATE SET path = excluded.path, format = excluded.format,
           source = excluded.source, size_bytes = excluded.size_bytes, details = excluded.details`,
      )
      .run({ ...record, details: JSON.stringify(record.details) });
  }

  get(name: string): LocalModelRecord | undefined {
    const row = this.database.prepare('SELECT * FROM local_models WHERE name = ?').get(name) as
      LocalModelRow | undefined;
    return row === undefined ? undefined : fromRow(row);
  }

  list(): LocalModelRecord[] {
    return (this.database.prepare('SELECT * FROM local_models ORDER BY name').all() as LocalModelRow[]).map(
      fromRow,
    );
  }

  remove(name: string): boolean {
    return this.database.prepare('DELETE FROM local_models WHERE name = ?').run(name).changes > 0;
  }
}

function fromRow(row: LocalModelRow): LocalModelRecord {
  return {
    name: row.name,
    path: row.path,
    format: row.format as LocalModelRecord['format'],
    source: row.source,
    sizeBytes: row.size_bytes,
    addedAt: row.added_at,
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}

interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  scopes: string;
  workspace_id: string | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

function apiKeyFromRow(row: ApiKeyRow): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: JSON.parse(row.scopes) as string[],
    workspaceId: row.workspace_id,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

/** SHA-256 is enough for API keys: they are 32 random bytes, not passwords a person chose. */
function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

class SqliteApiKeyStore implements ApiKeyStore {
  /** Writing last-used on every request would serialise hot API traffic on the database: once a minute is enough. */
  private readonly lastUsedWritten = new Map<string, number>();

  private readonly selectByHash;
  private readonly updateLastUsed;

  constructor(private readonly database: Database) {
    // Prepared once: every request to /v1 verifies its key.
    this.selectByHash = database.prepare('SELECT * FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL');
    this.updateLastUsed = database.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?');
  }

  create(options: { name: string; scopes: string[]; workspaceId?: string | null }) {
    const secret = `plt_${randomBytes(32).toString('base64url')}`;
    const row: ApiKeyRow = {
      id: randomUUID(),
      name: options.name,
      prefix: secret.slice(0, 10),
      scopes: JSON.stringify(options.scopes),
      workspace_id: options.workspaceId ?? null,
      created_at: new Date().toISOString(),
      last_used_at: null,
      revoked_at: null,
    };
    this.database
      .prepare(
        `INSERT INTO api_keys (id, name, prefix, key_hash, scopes, workspace_id, created_at)
         VALUES (@id, @name, @prefix, @keyHash, @scopes, @workspace_id, @created_at)`,
      )
      .run({ ...row, keyHash: hashApiKey(secret) });
    return { record: apiKeyFromRow(row), secret };
  }

  verify(secret: string): ApiKeyRecord | undefined {
    const row = this.selectByHash.get(hashApiKey(secret)) as ApiKeyRow | undefined;
    if (!row) return undefined;
    const now = Date.now();
    if (now - (this.lastUsedWritten.get(row.id) ?? 0) > 60_000) {
      this.lastUsedWritten.set(row.id, now);
      row.last_used_at = new Date(now).toISOString();
      try {
        this.updateLastUsed.run(row.last_used_at, row.id);
      } catch {
        // Last-used is bookkeeping: a busy database must not fail the request the key was for.
      }
    }
    return apiKeyFromRow(row);
  }

  list(): ApiKeyRecord[] {
    return (this.database.prepare('SELECT * FROM api_keys ORDER BY created_at').all() as ApiKeyRow[]).map(
      apiKeyFromRow,
    );
  }

  revoke(id: string): boolean {
    return (
      this.database
        .prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
        .run(new Date().toISOString(), id).changes > 0
    );
  }
}
