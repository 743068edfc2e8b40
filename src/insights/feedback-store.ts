/**
 * Insights' storage, in the platform's isolation pattern (src/platform/index.ts): the store is
 * opened for one workspace and every statement binds `workspace_id = ?`, updates and deletes by id
 * included, so that an id from another workspace matches nothing.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { registerRetentionTarget } from '../platform/retention.js';

registerRetentionTarget({
  name: 'feedback',
  setting: 'feedbackRetentionDays',
  deleteOlderThan(database, workspaceId, cutoff) {
    // Results and aspects go with their text (ON DELETE CASCADE). A text counts from when Polett
    // received it, so importing an old review file does not delete it at the next sweep.
    return database
      .prepare('DELETE FROM insights_feedback WHERE workspace_id = ? AND received_at < ?')
      .run(workspaceId, cutoff).changes;
  },
});

export interface NewFeedback {
  externalId: string | null;
  /** See `hashFeedbackContent`; a string is hashed the same way (tests and pushes). */
  contentHash: Buffer | string;
  text: string;
  occurredAt: string | null;
  rating: number | null;
  source: string | null;
  author: string | null;
  label: string | null;
  fields: Record<string, string>;
  importId: string | null;
  importLine: number | null;
}

export interface FeedbackRecord extends Omit<NewFeedback, 'contentHash'> {
  id: string;
  receivedAt: string;
}

export interface ImportRecord {
  id: string;
  fileName: string;
  filePath: string;
  format: string;
  encoding: string | null;
  mapping: unknown;
  state: 'previewed' | 'importing' | 'done' | 'failed';
  report: unknown;
  jobId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface AnalysisResult {
  feedbackId: string;
  analysis: string;
  label: string | null;
  score: number | null;
  detail: unknown;
  /** Which model produced it: `lexicon-sv-en`, `classifier:<name>`, a registry alias. */
  model: string;
}

interface FeedbackRow {
  id: string;
  external_id: string | null;
  text: string;
  occurred_at: string | null;
  rating: number | null;
  source: string | null;
  author: string | null;
  label: string | null;
  fields: string;
  import_id: string | null;
  import_line: number | null;
  received_at: string;
}

function toFeedback(row: FeedbackRow): FeedbackRecord {
  return {
    id: row.id,
    externalId: row.external_id,
    text: row.text,
    occurredAt: row.occurred_at,
    rating: row.rating,
    source: row.source,
    author: row.author,
    label: row.label,
    fields: JSON.parse(row.fields) as Record<string, string>,
    importId: row.import_id,
    importLine: row.import_line,
    receivedAt: row.received_at,
  };
}

interface ImportRow {
  id: string;
  file_name: string;
  file_path: string;
  format: string;
  encoding: string | null;
  mapping: string | null;
  state: ImportRecord['state'];
  report: string | null;
  job_id: string | null;
  created_at: string;
  updated_at: string;
}

function toImport(row: ImportRow): ImportRecord {
  return {
    id: row.id,
    fileName: row.file_name,
    filePath: row.file_path,
    format: row.format,
    encoding: row.encoding,
    mapping: row.mapping === null ? null : JSON.parse(row.mapping),
    state: row.state,
    report: row.report === null ? null : JSON.parse(row.report),
    jobId: row.job_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface InsightsSettings {
  aspects: unknown;
  alertWebhookUrl: string | null;
  alertWebhookSecret: string | null;
  inboundWebhookSecret: string | null;
}

export interface AlertRecord {
  id: string;
  metric: string;
  periodStart: string;
  value: number;
  expected: number;
  robustZ: number;
  message: { sv: string; en: string };
  createdAt: string;
  acknowledgedAt: string | null;
}

/**
 * A UUID of version 7: 48 bits of milliseconds, then random bits. Ids made one after another sort
 * one after another, so inserting a million rows appends to the primary key's B-tree instead of
 * scattering writes across it.
 */
export function timeOrderedId(now = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The duplicate key of a text: 16 bytes of the SHA-256 of its normalised text, author and date. */
export function hashFeedbackContent(text: string, author: string | null, occurredAt: string | null): Buffer {
  const normalised = text.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
  return createHash('sha256')
    .update(`${normalised}\u0000${author ?? ''}\u0000${occurredAt ?? ''}`)
    .digest()
    .subarray(0, 16);
}

/** The insights store of one workspace. */
export class InsightsScope {
  constructor(
    readonly database: Database,
    readonly workspaceId: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Inserts texts, skipping duplicates (same external id, or same content hash) silently; returns
   * how many went in. Run it inside the caller's transaction to make a batch atomic.
   */
  insertFeedback(rows: readonly NewFeedback[], database: Database = this.database): number {
    const statement = database.prepare(`INSERT OR IGNORE INTO insights_feedback
      (id, workspace_id, external_id, content_hash, text, occurred_at, rating, source, author, label, fields,
       import_id, import_line, received_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const receivedAt = this.now().toISOString();
    let inserted = 0;
    for (const row of rows)
      inserted += statement.run(
        timeOrderedId(),
        this.workspaceId,
        row.externalId,
        typeof row.contentHash === 'string'
          ? createHash('sha256').update(row.contentHash).digest().subarray(0, 16)
          : row.contentHash,
        row.text,
        row.occurredAt,
        row.rating,
        row.source,
        row.author,
        row.label,
        JSON.stringify(row.fields),
        row.importId,
        row.importLine,
        receivedAt,
      ).changes;
    return inserted;
  }

  countFeedback(options: { importId?: string } = {}): number {
    const row = (
      options.importId === undefined
        ? this.database
            .prepare('SELECT COUNT(*) AS count FROM insights_feedback WHERE workspace_id = ?')
            .get(this.workspaceId)
        : this.database
            .prepare(
              'SELECT COUNT(*) AS count FROM insights_feedback WHERE workspace_id = ? AND import_id = ?',
            )
            .get(this.workspaceId, options.importId)
    ) as { count: number };
    return row.count;
  }

  getFeedback(id: string): FeedbackRecord | undefined {
    const row = this.database
      .prepare('SELECT * FROM insights_feedback WHERE workspace_id = ? AND id = ?')
      .get(this.workspaceId, id) as FeedbackRow | undefined;
    return row && toFeedback(row);
  }

  /** Texts in a stable order (rowid), from after `afterRowId`: how analysis jobs page through them. */
  feedbackPage(afterRowId: number, limit: number): Array<FeedbackRecord & { rowId: number }> {
    const rows = this.database
      .prepare(
        'SELECT rowid AS row_id, * FROM insights_feedback WHERE workspace_id = ? AND rowid > ? ORDER BY rowid LIMIT ?',
      )
      .all(this.workspaceId, afterRowId, limit) as Array<FeedbackRow & { row_id: number }>;
    return rows.map((row) => ({ ...toFeedback(row), rowId: row.row_id }));
  }

  listFeedback(options: { limit?: number; offset?: number; importId?: string } = {}): FeedbackRecord[] {
    const { limit = 50, offset = 0 } = options;
    const rows = (
      options.importId === undefined
        ? this.database
            .prepare('SELECT * FROM insights_feedback WHERE workspace_id = ? ORDER BY rowid LIMIT ? OFFSET ?')
            .all(this.workspaceId, limit, offset)
        : this.database
            .prepare(
              'SELECT * FROM insights_feedback WHERE workspace_id = ? AND import_id = ? ORDER BY rowid LIMIT ? OFFSET ?',
            )
            .all(this.workspaceId, options.importId, limit, offset)
    ) as FeedbackRow[];
    return rows.map(toFeedback);
  }

  createImport(input: {
    fileName: string;
    filePath: string;
    format: string;
    encoding: string | null;
  }): ImportRecord {
    const id = randomUUID();
    const at = this.now().toISOString();
    this.database
      .prepare(
        `INSERT INTO insights_imports (id, workspace_id, file_name, file_path, format, encoding, state, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, 'previewed', ?, ?)`,
      )
      .run(id, this.workspaceId, input.fileName, input.filePath, input.format, input.encoding, at, at);
    return this.getImport(id)!;
  }

  getImport(id: string): ImportRecord | undefined {
    const row = this.database
      .prepare('SELECT * FROM insights_imports WHERE workspace_id = ? AND id = ?')
      .get(this.workspaceId, id) as ImportRow | undefined;
    return row && toImport(row);
  }

  updateImport(
    id: string,
    update: { state?: ImportRecord['state']; mapping?: unknown; report?: unknown; jobId?: string },
  ): void {
    const current = this.getImport(id);
    if (!current) return;
    this.database
      .prepare(
        'UPDATE insights_imports SET state = ?, mapping = ?, report = ?, job_id = ?, updated_at = ? WHERE workspace_id = ? AND id = ?',
      )
      .run(
        update.state ?? current.state,
        JSON.stringify(update.mapping ?? current.mapping),
        JSON.stringify(update.report ?? current.report),
        update.jobId ?? current.jobId,
        this.now().toISOString(),
        this.workspaceId,
        id,
      );
  }

  settings(): InsightsSettings {
    const row = this.database
      .prepare('SELECT * FROM insights_settings WHERE workspace_id = ?')
      .get(this.workspaceId) as
      | {
          aspects: string | null;
          alert_webhook_url: string | null;
          alert_webhook_secret: string | null;
          inbound_webhook_secret: string | null;
        }
      | undefined;
    return {
      aspects: row?.aspects ? JSON.parse(row.aspects) : null,
      alertWebhookUrl: row?.alert_webhook_url ?? null,
      alertWebhookSecret: row?.alert_webhook_secret ?? null,
      inboundWebhookSecret: row?.inbound_webhook_secret ?? null,
    };
  }

  updateSettings(update: Partial<InsightsSettings>): InsightsSettings {
    const next = { ...this.settings(), ...update };
    this.database
      .prepare(
        `INSERT INTO insights_settings (workspace_id, aspects, alert_webhook_url, alert_webhook_secret, inbound_webhook_secret, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (workspace_id) DO UPDATE SET aspects = excluded.aspects, alert_webhook_url = excluded.alert_webhook_url,
           alert_webhook_secret = excluded.alert_webhook_secret, inbound_webhook_secret = excluded.inbound_webhook_secret,
           updated_at = excluded.updated_at`,
      )
      .run(
        this.workspaceId,
        next.aspects === null ? null : JSON.stringify(next.aspects),
        next.alertWebhookUrl,
        next.alertWebhookSecret,
        next.inboundWebhookSecret,
        this.now().toISOString(),
      );
    return next;
  }

  /** Stores an alert unless one for the same metric and period exists; returns it when new. */
  raiseAlert(alert: Omit<AlertRecord, 'id' | 'createdAt' | 'acknowledgedAt'>): AlertRecord | undefined {
    const id = randomUUID();
    const createdAt = this.now().toISOString();
    const { changes } = this.database
      .prepare(
        `INSERT OR IGNORE INTO insights_alerts (id, workspace_id, metric, period_start, value, expected, robust_z, message, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        this.workspaceId,
        alert.metric,
        alert.periodStart,
        alert.value,
        alert.expected,
        alert.robustZ,
        JSON.stringify(alert.message),
        createdAt,
      );
    return changes === 0 ? undefined : { ...alert, id, createdAt, acknowledgedAt: null };
  }

  listAlerts(limit = 100): AlertRecord[] {
    const rows = this.database
      .prepare(
        'SELECT * FROM insights_alerts WHERE workspace_id = ? ORDER BY period_start DESC, created_at DESC LIMIT ?',
      )
      .all(this.workspaceId, limit) as Array<{
      id: string;
      metric: string;
      period_start: string;
      value: number;
      expected: number;
      robust_z: number;
      message: string;
      created_at: string;
      acknowledged_at: string | null;
    }>;
    return rows.map((row) => ({
      id: row.id,
      metric: row.metric,
      periodStart: row.period_start,
      value: row.value,
      expected: row.expected,
      robustZ: row.robust_z,
      message: JSON.parse(row.message) as { sv: string; en: string },
      createdAt: row.created_at,
      acknowledgedAt: row.acknowledged_at,
    }));
  }

  acknowledgeAlert(id: string): boolean {
    return (
      this.database
        .prepare(
          'UPDATE insights_alerts SET acknowledged_at = ? WHERE workspace_id = ? AND id = ? AND acknowledged_at IS NULL',
        )
        .run(this.now().toISOString(), this.workspaceId, id).changes > 0
    );
  }

  /** Stores a trained classifier under a name, replacing an earlier one of that name. */
  saveClassifier(
    name: string,
    classifier: { kind: string; labels: readonly string[]; model: unknown; metrics?: unknown },
  ): void {
    this.database
      .prepare(
        `INSERT INTO insights_classifiers (id, workspace_id, name, kind, labels, model, metrics, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (workspace_id, name) DO UPDATE SET kind = excluded.kind, labels = excluded.labels,
           model = excluded.model, metrics = excluded.metrics, created_at = excluded.created_at`,
      )
      .run(
        randomUUID(),
        this.workspaceId,
        name,
        classifier.kind,
        JSON.stringify(classifier.labels),
        JSON.stringify(classifier.model),
        classifier.metrics === undefined ? null : JSON.stringify(classifier.metrics),
        this.now().toISOString(),
      );
  }

  /** Writes (or replaces) one analysis of one text. */
  writeResult(result: AnalysisResult, jobId: string | null, database: Database = this.database): void {
    database
      .prepare(
        `INSERT INTO insights_results (workspace_id, feedback_id, analysis, label, score, detail, model, job_id, created_at)
         SELECT ?, id, ?, ?, ?, ?, ?, ?, ? FROM insights_feedback WHERE workspace_id = ? AND id = ?
         ON CONFLICT (feedback_id, analysis) DO UPDATE SET label = excluded.label, score = excluded.score,
           detail = excluded.detail, model = excluded.model, job_id = excluded.job_id, created_at = excluded.created_at`,
      )
      .run(
        this.workspaceId,
        result.analysis,
        result.label,
        result.score,
        result.detail === undefined ? null : JSON.stringify(result.detail),
        result.model,
        jobId,
        this.now().toISOString(),
        this.workspaceId,
        result.feedbackId,
      );
  }

  results(feedbackId: string): AnalysisResult[] {
    const rows = this.database
      .prepare(
        'SELECT feedback_id, analysis, label, score, detail, model FROM insights_results WHERE workspace_id = ? AND feedback_id = ? ORDER BY analysis',
      )
      .all(this.workspaceId, feedbackId) as Array<{
      feedback_id: string;
      analysis: string;
      label: string | null;
      score: number | null;
      detail: string | null;
      model: string;
    }>;
    return rows.map((row) => ({
      feedbackId: row.feedback_id,
      analysis: row.analysis,
      label: row.label,
      score: row.score,
      detail: row.detail === null ? null : JSON.parse(row.detail),
      model: row.model,
    }));
  }
}

/** Opens the insights store; `forWorkspace` is the only way in. */
export function openInsightsStore(database: Database, now?: () => Date) {
  return { forWorkspace: (workspaceId: string) => new InsightsScope(database, workspaceId, now) };
}
