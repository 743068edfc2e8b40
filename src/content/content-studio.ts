/**
 * The content studio of one workspace: what the routes and the CLI call. It ties the store, the
 * model registry's chat chain, the workspace's knowledge and the job queue together, so that each
 * surface stays a thin layer.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { LanguageModel } from 'ai';
import { jobNotFoundError, workspaceJobQueue, type JobQueue, type JobRecord } from '../jobs/index.js';
import type { KnowledgeSearcher } from '../knowledge/search-contract.js';
import type { ModelRegistry } from '../models/index.js';
import type { BrandProfile } from './brand-profile.js';
import {
  openContentStore,
  type ContentText,
  type TextState,
  type WorkspaceContentStore,
} from './content-store.js';
import {
  chatModelMissingError,
  checkGeneratedText,
  generateVariants,
  retrievePassages,
  rewriteSelection,
  type CheckedText,
  type Citation,
  type GenerationEvent,
} from './generation.js';
import type { RewriteInstruction } from './prompt-assembly.js';
import { applyFix, type Fix } from './rule-checks.js';
import {
  checkTemplateFields,
  fillTemplateDraft,
  type ContentLanguage,
  type ContentTemplate,
} from './templates.js';
import { BulkImports, bulkResultFile, bulkResultRows, CONTENT_BULK_JOB } from './bulk/bulk-run.js';
import { readBulkFile } from './bulk/bulk-file.js';
import { isPolettError, PolettError } from '../errors.js';
import { openInsightsStore } from '../insights/index.js';
import { CONTENT_WEBHOOK_JOB, WEBHOOK_MAX_ATTEMPTS, type StateChangeEvent } from './webhook-delivery.js';

export interface ContentStudioDependencies {
  database: Database;
  models: ModelRegistry;
  jobs?: JobQueue;
  /**
   * The knowledge of a workspace (Knowledge's `searcherFor`). Without it generation runs without
   * sources: the prompt says so, and every fact-stating sentence is flagged.
   */
  knowledgeFor?: (workspaceId: string) => KnowledgeSearcher | undefined;
}

export interface GenerateRequest {
  profileId: string;
  templateId: string;
  fields: Record<string, string>;
  language?: ContentLanguage | undefined;
  variants?: number;
  audience?: string | undefined;
  likeText?: string | undefined;
  maxOutputTokens?: number | undefined;
}

export function openContentStudio(dependencies: ContentStudioDependencies) {
  const store = openContentStore(dependencies.database);
  return {
    forWorkspace: (workspaceId: string) => new ContentStudio(dependencies, store.forWorkspace(workspaceId)),
  };
}

export class ContentStudio {
  constructor(
    private readonly dependencies: ContentStudioDependencies,
    readonly store: WorkspaceContentStore,
  ) {}

  get workspaceId(): string {
    return this.store.workspaceId;
  }

  /** Whether a chat model serves; tier 1 (none) still fills templates and checks drafts. */
  hasChatModel(): boolean {
    return this.dependencies.models.taskStatus().find((status) => status.task === 'chat')?.ready ?? false;
  }

  /** The registry's chat chain for this workspace; one sentence naming the model needed when none serves. */
  chatModel(): LanguageModel {
    if (!this.hasChatModel()) throw chatModelMissingError();
    return this.dependencies.models.languageModel({ task: 'chat', workspaceId: this.workspaceId });
  }

  knowledge(): KnowledgeSearcher | undefined {
    return this.dependencies.knowledgeFor?.(this.workspaceId);
  }

  private profile(profileId: string): BrandProfile {
    return this.store.requireProfile(profileId).profile;
  }

  /** Tier 1: the template's draft with the fields filled in. */
  draft(request: {
    templateId: string;
    fields: Record<string, string>;
    language?: ContentLanguage | undefined;
    profileId?: string | undefined;
  }): string {
    const template = this.store.requireTemplate(request.templateId);
    const language =
      request.language ?? (request.profileId ? this.profile(request.profileId).language : 'sv');
    return fillTemplateDraft(template, request.fields, language);
  }

  /**
   * Validates everything a generation needs before any event is sent (profile, template, fields,
   * model), so that a bad request is a plain error rather than a broken stream.
   */
  prepareGeneration(request: GenerateRequest, signal?: AbortSignal): AsyncGenerator<GenerationEvent> {
    const profile = this.profile(request.profileId);
    const template = this.store.requireTemplate(request.templateId);
    const fields = checkTemplateFields(template, request.fields);
    const model = this.chatModel();
    const knowledge = this.knowledge();
    return generateVariants({
      model,
      profile,
      template,
      fields,
      language: request.language ?? profile.language,
      variants: request.variants ?? 1,
      ...(knowledge ? { knowledge } : {}),
      ...(request.audience ? { audience: request.audience } : {}),
      ...(request.likeText ? { likeText: request.likeText } : {}),
      ...(request.maxOutputTokens ? { maxOutputTokens: request.maxOutputTokens } : {}),
      ...(signal ? { signal } : {}),
    });
  }

  /** The rule checks on any text (a person's draft in tier 1), and the fact check when asked. */
  async check(request: {
    text: string;
    profileId: string;
    templateId?: string | undefined;
    language?: ContentLanguage | undefined;
    facts?: boolean;
  }): Promise<CheckedText> {
    const profile = this.profile(request.profileId);
    const template = request.templateId ? this.store.requireTemplate(request.templateId) : undefined;
    const language = request.language ?? profile.language;
    const passages = request.facts
      ? await retrievePassages(this.knowledge(), request.text, profile, language)
      : undefined;
    return checkGeneratedText(request.text, {
      profile,
      language,
      ...(template ? { template } : {}),
      ...(passages ? { passages } : {}),
    });
  }

  /** Applies one fix and checks the result again. */
  async fix(request: {
    text: string;
    fix: Fix;
    profileId: string;
    templateId?: string | undefined;
    language?: ContentLanguage | undefined;
    facts?: boolean;
  }): Promise<CheckedText> {
    const profile = this.profile(request.profileId);
    const language = request.language ?? profile.language;
    if (request.fix.kind === 'rewrite') {
      const rewritten = await this.rewrite({
        profileId: request.profileId,
        text: request.text,
        instruction: request.fix.instruction,
        language: request.fix.language,
        templateId: request.templateId,
      });
      return { text: rewritten.text, findings: rewritten.findings, citations: rewritten.citations };
    }
    const text = applyFix(request.text, request.fix, language);
    return this.check({ ...request, text, language });
  }

  async rewrite(request: {
    profileId: string;
    text: string;
    instruction: RewriteInstruction;
    selection?: { start: number; end: number } | undefined;
    language?: ContentLanguage | undefined;
    audience?: string | undefined;
    templateId?: string | undefined;
    maxOutputTokens?: number | undefined;
  }) {
    const profile = this.profile(request.profileId);
    const template = request.templateId ? this.store.requireTemplate(request.templateId) : undefined;
    return rewriteSelection({
      model: this.chatModel(),
      profile,
      instruction: request.instruction,
      text: request.text,
      language: request.language ?? profile.language,
      ...(request.selection ? { selection: request.selection } : {}),
      ...(request.audience ? { audience: request.audience } : {}),
      ...(template ? { template } : {}),
      ...(request.maxOutputTokens ? { maxOutputTokens: request.maxOutputTokens } : {}),
    });
  }

  /** Saves a text (generated or written), checked against its profile and template. */
  createText(request: {
    profileId: string;
    templateId: string;
    title: string;
    body: string;
    language?: ContentLanguage | undefined;
    origin: 'generated' | 'written';
    citations?: Citation[];
    author: string | null;
  }): ContentText {
    const profile = this.profile(request.profileId);
    const template: ContentTemplate = this.store.requireTemplate(request.templateId);
    const language = request.language ?? profile.language;
    const checked = checkGeneratedText(request.body, { profile, template, language });
    return this.store.createText({
      profileId: request.profileId,
      templateId: template.id,
      title: request.title,
      language,
      body: request.body,
      findings: checked.findings,
      citations: request.citations ?? [],
      origin: request.origin,
      author: request.author,
    });
  }

  /** A new version of the text, checked again. */
  updateText(
    id: string,
    update: { body: string; title?: string | undefined; note?: string | undefined; author: string | null },
  ): ContentText {
    const text = this.store.requireText(id);
    // Its profile or own template may have been deleted since (the texts stay): the text is still
    // edited, and checked against what is left.
    const profile = text.profileId ? this.store.getProfile(text.profileId)?.profile : undefined;
    const template = this.existingTemplate(text.templateId);
    const findings = profile
      ? checkGeneratedText(update.body, {
          profile,
          ...(template ? { template } : {}),
          language: text.language,
        }).findings
      : [];
    return this.store.updateBody(id, {
      body: update.body,
      findings,
      citations: text.body === update.body ? text.citations : [],
      author: update.author,
      ...(update.title ? { title: update.title } : {}),
      ...(update.note ? { note: update.note } : {}),
    });
  }

  private existingTemplate(id: string): ContentTemplate | undefined {
    try {
      return this.store.requireTemplate(id);
    } catch (error) {
      if (isPolettError(error) && error.status === 404) return undefined;
      throw error;
    }
  }

  /** Changes the state and enqueues one signed delivery per webhook of the workspace. */
  async changeState(id: string, to: TextState, by: string | null): Promise<ContentText> {
    const { text, from } = this.store.changeState(id, to);
    const webhooks = this.store.listWebhooks();
    if (webhooks.length > 0 && this.dependencies.jobs) {
      const event: StateChangeEvent = {
        id: randomUUID(),
        type: 'content.text.state_changed',
        occurredAt: text.updatedAt,
        workspaceId: this.workspaceId,
        text: { id: text.id, title: text.title, version: text.version, templateId: text.templateId },
        from,
        to,
        by,
      };
      const queue = workspaceJobQueue(this.dependencies.jobs, this.workspaceId);
      for (const webhook of webhooks)
        await queue.enqueue({
          type: CONTENT_WEBHOOK_JOB,
          input: { webhookId: webhook.id, event },
          maxAttempts: WEBHOOK_MAX_ATTEMPTS,
        });
    }
    return text;
  }

  // ---- Bulk ----

  bulkImports(): BulkImports {
    return new BulkImports(this.store.database, this.workspaceId);
  }

  /** Reads a CSV or XLSX catalogue and stores its rows; broken rows are kept with their error. */
  async uploadBulk(bytes: Uint8Array, fileName: string) {
    const file = await readBulkFile(bytes, fileName);
    const bulkImport = this.bulkImports().create(file, fileName);
    return { ...bulkImport, sample: file.rows.slice(0, 5) };
  }

  /** Maps the columns once and starts the run as a durable job. */
  async startBulk(
    importId: string,
    run: {
      profileId: string;
      templateId: string;
      mapping: Record<string, string>;
      language?: ContentLanguage | undefined;
      maxOutputTokens?: number | undefined;
    },
  ): Promise<JobRecord> {
    if (!this.dependencies.jobs)
      throw new PolettError({
        code: 'jobs_unavailable',
        status: 503,
        message: {
          sv: 'Jobbkön är inte igång; starta Polett med `polett start`.',
          en: 'The job queue is not running; start Polett with `polett start`.',
        },
      });
    const profile = this.profile(run.profileId);
    const template = this.store.requireTemplate(run.templateId);
    this.bulkImports().map(importId, {
      template,
      profileId: run.profileId,
      language: run.language ?? profile.language,
      mapping: run.mapping,
      maxOutputTokens: run.maxOutputTokens,
    });
    return workspaceJobQueue(this.dependencies.jobs, this.workspaceId).enqueue({
      type: CONTENT_BULK_JOB,
      input: { importId },
      maxAttempts: 5,
    });
  }

  /** The run's result as CSV or XLSX: each row with its text, findings, near-duplicate and error. */
  async bulkResult(jobId: string, format: 'csv' | 'xlsx', locale: 'sv' | 'en'): Promise<Uint8Array> {
    const jobs = this.dependencies.jobs;
    const queue = jobs ? workspaceJobQueue(jobs, this.workspaceId) : undefined;
    const job = await queue?.get(jobId);
    if (!queue || !job || job.type !== CONTENT_BULK_JOB) throw jobNotFoundError(jobId);
    const { importId } = job.input as { importId: string };
    const failed = await queue.listItems(jobId, { state: 'failed', limit: 100_000 });
    return bulkResultFile(
      bulkResultRows(this.store.database, this.workspaceId, importId, jobId, failed, locale),
      format,
      locale,
    );
  }

  /**
   * The review-reply template's fields for a piece of feedback from Insights (`/content?reply=<id>`):
   * read-only use of Insights' store, bound to this workspace like everything else.
   */
  reviewReplyFields(feedbackId: string): { templateId: string; fields: Record<string, string> } {
    const feedback = openInsightsStore(this.store.database)
      .forWorkspace(this.workspaceId)
      .getFeedback(feedbackId);
    if (!feedback)
      throw new PolettError({
        code: 'content_not_found',
        status: 404,
        field: 'feedbackId',
        message: {
          sv: `Återkopplingen ${feedbackId} finns inte i arbetsytan; öppna den på nytt från Insikter.`,
          en: `The feedback ${feedbackId} does not exist in the workspace; open it again from Insights.`,
        },
      });
    return {
      templateId: 'review-reply',
      fields: {
        review: feedback.text,
        rating: feedback.rating === null ? '' : String(feedback.rating),
        reviewerName: feedback.author ?? '',
      },
    };
  }
}
