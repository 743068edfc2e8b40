/**
 * The storage contract. Capabilities talk to these small stores, never to SQL directly, so that a
 * PostgreSQL implementation can take over from SQLite when a company outgrows one machine.
 */

export interface UsageRecord {
  /** When the call finished (ISO 8601). */
  at: string;
  workspaceId: string | null;
  task: string;
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  latencyMs: number;
  /** Estimated cost from the configured price table; null when the model has no price. */
  cost: number | null;
  currency: string | null;
  ok: boolean;
  errorCode: string | null;
}

export interface UsageSummaryRow {
  day: string;
  task: string;
  provider: string;
  model: string;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  cost: number;
  currency: string | null;
}

export interface UsageLedgerStore {
  record(entry: UsageRecord): void;
  /** Usage per day, task and model, newest day first. */
  summarize(options?: { since?: string; workspaceId?: string | null }): UsageSummaryRow[];
  recent(limit: number): UsageRecord[];
}

export interface SecretStore {
  /** Stores a secret encrypted; replaces an existing one of the same name. */
  set(name: string, value: string): void;
  /** The decrypted secret, or undefined when there is none of that name. */
  get(name: string): string | undefined;
  delete(name: string): boolean;
  names(): string[];
}

export type LocalModelFormat = 'gguf' | 'onnx' | 'other';

export interface LocalModelRecord {
  /** Alias the user refers to it by (`qwen2.5-0.5b`); unique. */
  name: string;
  /** Absolute path of the file (GGUF) or folder (ONNX). */
  path: string;
  format: LocalModelFormat;
  /** `owner/repo[/file]` when pulled from the hub; null when added from a local folder. */
  source: string | null;
  sizeBytes: number;
  addedAt: string;
  details: Record<string, unknown>;
}

export interface LocalModelStore {
  upsert(record: LocalModelRecord): void;
  get(name: string): LocalModelRecord | undefined;
  list(): LocalModelRecord[];
  remove(name: string): boolean;
}

export interface ApiKeyRecord {
  id: string;
  name: string;
  /** The first characters of the key, shown in listings so a person can tell keys apart. */
  prefix: string;
  scopes: string[];
  workspaceId: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface ApiKeyStore {
  /** Creates a key; the secret is returned once and only its hash is stored. */
  create(options: { name: string; scopes: string[]; workspaceId?: string | null }): {
    record: ApiKeyRecord;
    secret: string;
  };
  /** The key's record when the secret is valid and not revoked; marks it used. */
  verify(secret: string): ApiKeyRecord | undefined;
  list(): ApiKeyRecord[];
  revoke(id: string): boolean;
}

export interface StorageHealth {
  kind: 'sqlite';
  path: string;
  engineVersion: string;
  journalMode: string;
  schemaVersion: number;
  fullTextSearch: boolean;
  vectorSearch: string | null;
}

export interface Storage {
  readonly usage: UsageLedgerStore;
  readonly secrets: SecretStore;
  readonly localModels: LocalModelStore;
  readonly apiKeys: ApiKeyStore;
  health(): StorageHealth;
  close(): void;
}
