/**
 * Content's storage, in the platform's isolation pattern (src/platform/index.ts): the store is
 * opened for one workspace, and every statement binds `workspace_id = ?`, updates and deletes by
 * id included, so that an id from another workspace matches nothing and becomes a 404.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { PolettError } from '../errors.js';
import { parseBrandProfile, type BrandProfile } from './brand-profile.js';
import type { Citation } from './generation.js';
import type { Finding } from './rule-checks.js';
import {
  findBuiltInTemplate,
  parseUserTemplate,
  userTemplateToTemplate,
  type ContentLanguage,
  type ContentTemplate,
  type UserTemplateDefinition,
} from './templates.js';
import { STATE_TRANSITIONS, type TextState } from './text-lifecycle.js';
import { checkWebhookAddress } from './webhook-address.js';

export { STATE_TRANSITIONS, TEXT_STATES, type TextState } from './text-lifecycle.js';

const STATE_NAMES: Record<TextState, { sv: string; en: string }> = {
  draft: { sv: 'utkast', en: 'draft' },
  in_review: { sv: 'granskas', en: 'in review' },
  approved: { sv: 'godkänd', en: 'approved' },
  published: { sv: 'publicerad', en: 'published' },
};

export interface StoredProfile {
  id: string;
  name: string;
  profile: BrandProfile;
  createdAt: string;
  updatedAt: string;
}

export interface StoredTemplate {
  id: string;
  definition: UserTemplateDefinition;
  createdAt: string;
}

export interface ContentText {
  id: string;
  profileId: string | null;
  templateId: string;
  title: string;
  language: ContentLanguage;
  state: TextState;
  version: number;
  body: string;
  findings: Finding[];
  citations: Citation[];
  origin: 'generated' | 'written' | 'bulk';
  bulkJobId: string | null;
  bulkRow: number | null;
  nearDuplicateOf: string | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface TextVersion {
  version: number;
  body: string;
  state: TextState;
  author: string | null;
  note: string | null;
  createdAt: string;
}

export interface TextComment {
  id: string;
  author: string | null;
  body: string;
  createdAt: string;
}

export interface ContentWebhook {
  id: string;
  url: string;
  createdAt: string;
}

export interface NewText {
  profileId: string | null;
  templateId: string;
  title: string;
  language: ContentLanguage;
  body: string;
  findings: Finding[];
  citations: Citation[];
  origin: ContentText['origin'];
  author: string | null;
  bulkJobId?: string;
  bulkRow?: number;
  nearDuplicateOf?: string | null;
}

function notFound(what: { sv: string; en: string }, id: string): PolettError {
  return new PolettError({
    code: 'content_not_found',
    status: 404,
    message: {
      sv: `${what.sv} ${id} finns inte i arbetsytan; kontrollera id:t.`,
      en: `The ${what.en} ${id} does not exist in the workspace; check the id.`,
    },
  });
}

export const PROFILE = { sv: 'Profilen', en: 'profile' };
export const TEMPLATE = { sv: 'Mallen', en: 'template' };
export const TEXT = { sv: 'Texten', en: 'text' };
export const WEBHOOK = { sv: 'Webhooken', en: 'webhook' };

interface TextRow {
  id: string;
  profile_id: string | null;
  template_id: string;
  title: string;
  language: ContentLanguage;
  state: TextState;
  version: number;
  body: string;
  findings: string;
  citations: string;
  origin: ContentText['origin'];
  bulk_job_id: string | null;
  bulk_row: number | null;
  near_duplicate_of: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

function toText(row: TextRow): ContentText {
  return {
    id: row.id,
    profileId: row.profile_id,
    templateId: row.template_id,
    title: row.title,
    language: row.language,
    state: row.state,
    version: row.version,
    body: row.body,
    findings: JSON.parse(row.findings) as Finding[],
    citations: JSON.parse(row.citations) as Citation[],
    origin: row.origin,
    bulkJobId: row.bulk_job_id,
    bulkRow: row.bulk_row,
    nearDuplicateOf: row.near_duplicate_of,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Opens Content's storage on a database; `forWorkspace` gives the only way to its data. */
export function openContentStore(database: Database) {
  return { forWorkspace: (workspaceId: string) => new WorkspaceContentStore(database, workspaceId) };
}

export class WorkspaceContentStore {
  constructor(
    readonly database: Database,
    readonly workspaceId: string,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {}

  // ---- Profiles ----

  listProfiles(): StoredProfile[] {
    const rows = this.database
      .prepare('SELECT * FROM content_profiles WHERE workspace_id = ? ORDER BY name, created_at')
      .all(this.workspaceId) as Array<{
      id: string;
      name: string;
      profile: string;
      created_at: string;
      updated_at: string;
    }>;
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      profile: JSON.parse(row.profile) as BrandProfile,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    }));
  }

  getProfile(id: string): StoredProfile | undefined {
    const row = this.database
      .prepare('SELECT * FROM content_profiles WHERE workspace_id = ? AND id = ?')
      .get(this.workspaceId, id) as
      { id: string; name: string; profile: string; created_at: string; updated_at: string } | undefined;
    return row
      ? {
          id: row.id,
          name: row.name,
          profile: JSON.parse(row.profile) as BrandProfile,
          createdAt: row.created_at,
          updatedAt: row.updated_at,
        }
      : undefined;
  }

  requireProfile(id: string): StoredProfile {
    const profile = this.getProfile(id);
    if (!profile) throw notFound(PROFILE, id);
    return profile;
  }

  /** Parses and checks the profile (contradictions refused) before anything is written. */
  createProfile(input: unknown): StoredProfile {
    const profile = parseBrandProfile(input);
    const id = randomUUID();
    const at = this.now();
    this.database
      .prepare(
        'INSERT INTO content_profiles (id, workspace_id, name, profile, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(id, this.workspaceId, profile.name, JSON.stringify(profile), at, at);
    return { id, name: profile.name, profile, createdAt: at, updatedAt: at };
  }

  updateProfile(id: string, input: unknown): StoredProfile {
    const profile = parseBrandProfile(input);
    const at = this.now();
    const result = this.database
      .prepare(
        'UPDATE content_profiles SET name = ?, profile = ?, updated_at = ? WHERE workspace_id = ? AND id = ?',
      )
      .run(profile.name, JSON.stringify(profile), at, this.workspaceId, id);
    if (result.changes === 0) throw notFound(PROFILE, id);
    return this.requireProfile(id);
  }

  removeProfile(id: string): void {
    const result = this.database
      .prepare('DELETE FROM content_profiles WHERE workspace_id = ? AND id = ?')
      .run(this.workspaceId, id);
    if (result.changes === 0) throw notFound(PROFILE, id);
  }

  // ---- User templates ----

  listTemplates(): StoredTemplate[] {
    const rows = this.database
      .prepare(
        'SELECT id, definition, created_at FROM content_templates WHERE workspace_id = ? ORDER BY name',
      )
      .all(this.workspaceId) as Array<{ id: string; definition: string; created_at: string }>;
    return rows.map((row) => ({
      id: row.id,
      definition: JSON.parse(row.definition) as UserTemplateDefinition,
      createdAt: row.created_at,
    }));
  }

  createTemplate(input: unknown): StoredTemplate {
    const definition = parseUserTemplate(input);
    const id = `user-${randomUUID()}`;
    const at = this.now();
    this.database
      .prepare(
        'INSERT INTO content_templates (id, workspace_id, name, definition, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(id, this.workspaceId, definition.name, JSON.stringify(definition), at, at);
    return { id, definition, createdAt: at };
  }

  removeTemplate(id: string): void {
    const result = this.database
      .prepare('DELETE FROM content_templates WHERE workspace_id = ? AND id = ?')
      .run(this.workspaceId, id);
    if (result.changes === 0) throw notFound(TEMPLATE, id);
  }

  /** A built-in template by id, or one of this workspace's own; 404 otherwise. */
  requireTemplate(id: string): ContentTemplate {
    const builtIn = findBuiltInTemplate(id);
    if (builtIn) return builtIn;
    const row = this.database
      .prepare('SELECT definition FROM content_templates WHERE workspace_id = ? AND id = ?')
      .get(this.workspaceId, id) as { definition: string } | undefined;
    if (!row) throw notFound(TEMPLATE, id);
    return userTemplateToTemplate(id, JSON.parse(row.definition) as UserTemplateDefinition);
  }

  // ---- Texts ----

  /** Writes a text and its first version in one transaction. */
  createText(input: NewText): ContentText {
    const id = randomUUID();
    const at = this.now();
    this.database.transaction(() => {
      this.database
        .prepare(
          `INSERT INTO content_texts (id, workspace_id, profile_id, template_id, title, language, state, version, body,
             findings, citations, origin, bulk_job_id, bulk_row, near_duplicate_of, created_by, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, 'draft', 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          this.workspaceId,
          input.profileId,
          input.templateId,
          input.title,
          input.language,
          input.body,
          JSON.stringify(input.findings),
          JSON.stringify(input.citations),
          input.origin,
          input.bulkJobId ?? null,
          input.bulkRow ?? null,
          input.nearDuplicateOf ?? null,
          input.author,
          at,
          at,
        );
      this.database
        .prepare(
          `INSERT INTO content_text_versions (text_id, workspace_id, version, body, state, author, note, created_at)
           VALUES (?, ?, 1, ?, 'draft', ?, NULL, ?)`,
        )
        .run(id, this.workspaceId, input.body, input.author, at);
    })();
    return this.requireText(id);
  }

  getText(id: string): ContentText | undefined {
    const row = this.database
      .prepare('SELECT * FROM content_texts WHERE workspace_id = ? AND id = ?')
      .get(this.workspaceId, id) as TextRow | undefined;
    return row ? toText(row) : undefined;
  }

  requireText(id: string): ContentText {
    const text = this.getText(id);
    if (!text) throw notFound(TEXT, id);
    return text;
  }

  listTexts(options: { state?: TextState; bulkJobId?: string; limit?: number } = {}): ContentText[] {
    const conditions = ['workspace_id = ?'];
    const parameters: unknown[] = [this.workspaceId];
    if (options.state) {
      conditions.push('state = ?');
      parameters.push(options.state);
    }
    if (options.bulkJobId) {
      conditions.push('bulk_job_id = ?');
      parameters.push(options.bulkJobId);
    }
    const order = options.bulkJobId ? 'bulk_row' : 'updated_at DESC';
    const rows = this.database
      .prepare(`SELECT * FROM content_texts WHERE ${conditions.join(' AND ')} ORDER BY ${order} LIMIT ?`)
      .all(...parameters, options.limit ?? 200) as TextRow[];
    return rows.map(toText);
  }

  /** A new version of the body (and its checks); the text goes on in its state unless it was approved or published, which a change sends back to draft. */
  updateBody(
    id: string,
    update: {
      body: string;
      findings: Finding[];
      citations: Citation[];
      author: string | null;
      note?: string;
      title?: string;
    },
  ): ContentText {
    const text = this.requireText(id);
    const at = this.now();
    const version = text.version + 1;
    // An approved text that changes is no longer what was approved.
    const state: TextState = text.state === 'approved' || text.state === 'published' ? 'draft' : text.state;
    this.database.transaction(() => {
      this.database
        .prepare(
          `UPDATE content_texts SET body = ?, findings = ?, citations = ?, version = ?, state = ?, title = ?, updated_at = ?
           WHERE workspace_id = ? AND id = ?`,
        )
        .run(
          update.body,
          JSON.stringify(update.findings),
          JSON.stringify(update.citations),
          version,
          state,
          update.title ?? text.title,
          at,
          this.workspaceId,
          id,
        );
      this.database
        .prepare(
          `INSERT INTO content_text_versions (text_id, workspace_id, version, body, state, author, note, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(id, this.workspaceId, version, update.body, state, update.author, update.note ?? null, at);
    })();
    return this.requireText(id);
  }

  /** Moves the text to a state the transitions allow; returns the text and the state it left. */
  changeState(id: string, to: TextState): { text: ContentText; from: TextState } {
    const text = this.requireText(id);
    if (!STATE_TRANSITIONS[text.state].includes(to)) {
      const allowed = STATE_TRANSITIONS[text.state];
      throw new PolettError({
        code: 'content_state_transition',
        status: 409,
        field: 'state',
        message: {
          sv: `En text som är ${STATE_NAMES[text.state].sv} kan inte bli ${STATE_NAMES[to].sv}; den kan bli ${allowed.map((state) => STATE_NAMES[state].sv).join(' eller ')}.`,
          en: `A text that is ${STATE_NAMES[text.state].en} cannot become ${STATE_NAMES[to].en}; it can become ${allowed.map((state) => STATE_NAMES[state].en).join(' or ')}.`,
        },
      });
    }
    const at = this.now();
    this.database.transaction(() => {
      this.database
        .prepare(
          'UPDATE content_texts SET state = ?, updated_at = ? WHERE workspace_id = ? AND id = ? AND state = ?',
        )
        .run(to, at, this.workspaceId, id, text.state);
      this.database
        .prepare(
          `UPDATE content_text_versions SET state = ? WHERE workspace_id = ? AND text_id = ? AND version = ?`,
        )
        .run(to, this.workspaceId, id, text.version);
    })();
    return { text: this.requireText(id), from: text.state };
  }

  listVersions(id: string): TextVersion[] {
    this.requireText(id);
    const rows = this.database
      .prepare(
        'SELECT version, body, state, author, note, created_at FROM content_text_versions WHERE workspace_id = ? AND text_id = ? ORDER BY version DESC',
      )
      .all(this.workspaceId, id) as Array<{
      version: number;
      body: string;
      state: TextState;
      author: string | null;
      note: string | null;
      created_at: string;
    }>;
    return rows.map((row) => ({
      version: row.version,
      body: row.body,
      state: row.state,
      author: row.author,
      note: row.note,
      createdAt: row.created_at,
    }));
  }

  addComment(textId: string, body: string, author: string | null): TextComment {
    this.requireText(textId);
    const id = randomUUID();
    const at = this.now();
    this.database
      .prepare(
        'INSERT INTO content_comments (id, text_id, workspace_id, author, body, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(id, textId, this.workspaceId, author, body, at);
    return { id, author, body, createdAt: at };
  }

  listComments(textId: string): TextComment[] {
    this.requireText(textId);
    const rows = this.database
      .prepare(
        'SELECT id, author, body, created_at FROM content_comments WHERE workspace_id = ? AND text_id = ? ORDER BY created_at, rowid',
      )
      .all(this.workspaceId, textId) as Array<{
      id: string;
      author: string | null;
      body: string;
      created_at: string;
    }>;
    return rows.map((row) => ({ id: row.id, author: row.author, body: row.body, createdAt: row.created_at }));
  }

  // ---- Webhooks ----

  createWebhook(url: string): ContentWebhook & { secret: string } {
    checkWebhookAddress(url);
    const id = randomUUID();
    const secret = `whsec_${randomBytes(24).toString('base64url')}`;
    const at = this.now();
    this.database
      .prepare(
        'INSERT INTO content_webhooks (id, workspace_id, url, secret, created_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(id, this.workspaceId, url, secret, at);
    return { id, url, createdAt: at, secret };
  }

  listWebhooks(): ContentWebhook[] {
    const rows = this.database
      .prepare('SELECT id, url, created_at FROM content_webhooks WHERE workspace_id = ? ORDER BY created_at')
      .all(this.workspaceId) as Array<{ id: string; url: string; created_at: string }>;
    return rows.map((row) => ({ id: row.id, url: row.url, createdAt: row.created_at }));
  }

  /** The webhook with its signing secret, for the delivery job only. */
  webhookForDelivery(id: string): (ContentWebhook & { secret: string }) | undefined {
    const row = this.database
      .prepare('SELECT id, url, secret, created_at FROM content_webhooks WHERE workspace_id = ? AND id = ?')
      .get(this.workspaceId, id) as
      { id: string; url: string; secret: string; created_at: string } | undefined;
    return row ? { id: row.id, url: row.url, secret: row.secret, createdAt: row.created_at } : undefined;
  }

  removeWebhook(id: string): void {
    const result = this.database
      .prepare('DELETE FROM content_webhooks WHERE workspace_id = ? AND id = ?')
      .run(this.workspaceId, id);
    if (result.changes === 0) throw notFound(WEBHOOK, id);
  }
}
