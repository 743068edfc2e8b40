/**
 * Assistants, curated answers and the Inbox over HTTP, for the company's staff. Every route sits
 * under `/api/workspaces/{workspaceId}/`, behind the workspace gate (app.ts). The customer-facing
 * routes of the widget are in widget.ts.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import {
  assistantErrors,
  assistantSchema,
  assistantSettingsSchema,
  conversationSchema,
  CONVERSATION_STATUSES,
  curatedAnswerInputSchema,
  curatedAnswerSchema,
  messageSchema,
  STAFF_VISITOR_PREFIX,
  type AssistantEvent,
} from '../../assistant/index.js';
import { assistantAnalytics, assistantAnalyticsSchema } from '../../assistant/analytics.js';
import type { AssistantService } from '../../assistant/service.js';
import type { Permission } from '../../platform/index.js';
import { workspaceParamsSchema } from '../../platform/schemas.js';
import type { AppEnvironment } from '../context.js';
import { createRouter, errorResponses, jsonBody, jsonResponse, SIGNED_IN } from '../openapi.js';
import { requirePermission } from '../platform/workspace-access.js';
import type { Context } from 'hono';

const assistantParams = workspaceParamsSchema.extend({ assistantId: z.string().min(1) });
const conversationParams = workspaceParamsSchema.extend({ conversationId: z.string().min(1) });
const curatedParams = workspaceParamsSchema.extend({ curatedId: z.string().min(1) });

const passageViewSchema = z
  .object({
    chunkId: z.string(),
    title: z.string(),
    headingPath: z.array(z.string()),
    text: z.string(),
    location: z.object({
      url: z.string().optional(),
      page: z.number().optional(),
      sheet: z.string().optional(),
      row: z.number().optional(),
    }),
  })
  .meta({ id: 'PassageView' });

const assistantWithWebhookSchema = assistantSchema
  .extend({
    webhookSecret: z.string().meta({ description: 'Signs webhook deliveries (x-polett-signature).' }),
  })
  .meta({ id: 'AssistantWithWebhookSecret' });

const conversationDetailSchema = z
  .object({
    conversation: conversationSchema,
    messages: z.array(messageSchema),
    summary: z.string(),
    passages: z.array(passageViewSchema),
  })
  .meta({ id: 'ConversationDetail' });

const askResultSchema = z
  .object({ conversation: conversationSchema, answer: messageSchema })
  .meta({ id: 'AssistantAnswer' });

function route(permission: Permission, tags: string[]) {
  return {
    tags,
    security: SIGNED_IN,
    middleware: requirePermission(permission),
    description: `Needs the \`${permission}\` permission in the workspace (see the roles table).`,
  };
}

/** The acting person's (or key's) id, for assignments and authorship. */
function actorId(context: Context<AppEnvironment>): string {
  const actor = context.get('workspace').acting.actor;
  return actor.id ?? 'unknown';
}

function presentPassages(passages: ReturnType<AssistantService['conversationDetail']>['passages']) {
  return passages.map((passage) => ({
    chunkId: passage.chunkId,
    title: passage.title,
    headingPath: passage.headingPath,
    text: passage.text,
    location: passage.location,
  }));
}

export function assistantRoutes(dependencies: { assistants: AssistantService }) {
  const { assistants } = dependencies;
  const app = createRouter();
  const tags = ['Assistants'];
  const inbox = ['Inbox'];

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces/{workspaceId}/assistants',
      summary: "The workspace's assistants",
      ...route('read', tags),
      request: { params: workspaceParamsSchema },
      responses: {
        200: jsonResponse(z.object({ assistants: z.array(assistantSchema) }), 'Assistants'),
        ...errorResponses(401, 403, 404),
      },
    }),
    (context) =>
      context.json({ assistants: assistants.scope(context.get('workspace').id).assistants.list() }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces/{workspaceId}/assistants',
      summary: 'Create an assistant (its widget is refused everywhere until origins are allowed)',
      ...route('workspace.manage', tags),
      request: { params: workspaceParamsSchema, body: jsonBody(assistantSettingsSchema) },
      responses: {
        201: jsonResponse(assistantWithWebhookSchema, 'The new assistant'),
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    (context) => {
      const access = context.get('workspace');
      const scope = assistants.scope(access.id);
      const created = scope.assistants.create(context.req.valid('json'));
      access.scope.audit.record({
        actor: access.acting.actor,
        action: 'assistant.created',
        target: created.id,
        details: { name: created.name },
        ip: access.acting.ip,
      });
      return context.json({ ...created, webhookSecret: scope.assistants.webhookSecret(created.id)! }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces/{workspaceId}/assistants/{assistantId}',
      summary: 'One assistant, with its webhook secret',
      ...route('workspace.manage', tags),
      request: { params: assistantParams },
      responses: {
        200: jsonResponse(assistantWithWebhookSchema, 'The assistant'),
        ...errorResponses(401, 403, 404),
      },
    }),
    (context) => {
      const { assistantId } = context.req.valid('param');
      const scope = assistants.scope(context.get('workspace').id);
      const found = scope.assistants.get(assistantId);
      if (!found) throw assistantErrors.assistantNotFound(assistantId);
      return context.json({ ...found, webhookSecret: scope.assistants.webhookSecret(found.id)! }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/workspaces/{workspaceId}/assistants/{assistantId}',
      summary: 'Change an assistant',
      ...route('workspace.manage', tags),
      request: { params: assistantParams, body: jsonBody(assistantSettingsSchema.partial()) },
      responses: {
        200: jsonResponse(assistantSchema, 'The assistant'),
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    (context) => {
      const access = context.get('workspace');
      const { assistantId } = context.req.valid('param');
      const changes = Object.fromEntries(
        Object.entries(context.req.valid('json')).filter(([, value]) => value !== undefined),
      );
      const updated = assistants.scope(access.id).assistants.update(assistantId, changes);
      access.scope.audit.record({
        actor: access.acting.actor,
        action: 'assistant.updated',
        target: assistantId,
        details: { fields: Object.keys(changes) },
        ip: access.acting.ip,
      });
      return context.json(updated, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/workspaces/{workspaceId}/assistants/{assistantId}',
      summary: 'Delete an assistant and its conversations',
      ...route('workspace.manage', tags),
      request: { params: assistantParams },
      responses: { 204: { description: 'Deleted' }, ...errorResponses(401, 403, 404) },
    }),
    (context) => {
      const access = context.get('workspace');
      const { assistantId } = context.req.valid('param');
      if (!assistants.scope(access.id).assistants.remove(assistantId))
        throw assistantErrors.assistantNotFound(assistantId);
      access.scope.audit.record({
        actor: access.acting.actor,
        action: 'assistant.deleted',
        target: assistantId,
        ip: access.acting.ip,
      });
      return context.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces/{workspaceId}/assistants/{assistantId}/ask',
      summary: 'Ask the assistant as a customer would (a test conversation), and get the whole answer',
      ...route('read', tags),
      request: {
        params: assistantParams,
        body: jsonBody(z.object({ text: z.string().max(20_000), conversationId: z.string().optional() })),
      },
      responses: { 200: jsonResponse(askResultSchema, 'The answer'), ...errorResponses(400, 401, 403, 404) },
    }),
    async (context) => {
      const workspaceId = context.get('workspace').id;
      const { assistantId } = context.req.valid('param');
      const body = context.req.valid('json');
      const scope = assistants.scope(workspaceId);
      if (!scope.assistants.get(assistantId)) throw assistantErrors.assistantNotFound(assistantId);
      const staffVisitor = `${STAFF_VISITOR_PREFIX}${actorId(context)}`;
      if (body.conversationId !== undefined) {
        // Only one's own test conversation with this assistant: never a customer's, where a
        // message would be written in the customer's name.
        const existing = scope.conversations.get(body.conversationId);
        if (!existing || existing.assistantId !== assistantId || existing.visitorId !== staffVisitor)
          throw assistantErrors.conversationNotFound(body.conversationId);
      }
      const conversationId =
        body.conversationId ?? scope.conversations.create({ assistantId, visitorId: staffVisitor }).id;
      let last: AssistantEvent | undefined;
      for await (const event of assistants.ask(
        workspaceId,
        conversationId,
        body.text,
        context.req.raw.signal,
      ))
        last = event;
      if (last?.type !== 'answer') throw new Error('the assistant ended without an answer');
      return context.json({ conversation: last.conversation, answer: last.message }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces/{workspaceId}/assistant-analytics',
      summary:
        'Conversations a day and how they ended, feedback, time to first token, cost per conversation, unanswered questions grouped',
      ...route('read', tags),
      request: {
        params: workspaceParamsSchema,
        query: z.object({
          days: z.coerce.number().int().min(1).max(366).default(30),
          assistantId: z.string().optional(),
        }),
      },
      responses: {
        200: jsonResponse(assistantAnalyticsSchema, 'Analytics'),
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    (context) => {
      const { days, assistantId } = context.req.valid('query');
      const until = new Date(Date.now() + 86_400_000);
      until.setUTCHours(0, 0, 0, 0);
      const since = new Date(until.getTime() - days * 86_400_000);
      const analytics = assistantAnalytics(assistants.scope(context.get('workspace').id), {
        since,
        until,
        ...(assistantId ? { assistantId } : {}),
      });
      return context.json(analytics, 200);
    },
  );

  // ---- Curated answers ----

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces/{workspaceId}/curated-answers',
      summary: 'Curated answers: questions with an answer staff approved',
      ...route('read', tags),
      request: { params: workspaceParamsSchema },
      responses: {
        200: jsonResponse(z.object({ curatedAnswers: z.array(curatedAnswerSchema) }), 'Curated answers'),
        ...errorResponses(401, 403, 404),
      },
    }),
    (context) =>
      context.json({ curatedAnswers: assistants.scope(context.get('workspace').id).curated.list() }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces/{workspaceId}/curated-answers',
      summary: 'Approve an answer to a question; a close enough customer question gets it verbatim',
      ...route('knowledge.write', tags),
      request: { params: workspaceParamsSchema, body: jsonBody(curatedAnswerInputSchema) },
      responses: { 201: jsonResponse(curatedAnswerSchema, 'Created'), ...errorResponses(400, 401, 403, 404) },
    }),
    (context) => {
      const input = context.req.valid('json');
      const created = assistants
        .scope(context.get('workspace').id)
        .curated.create({ ...input, createdBy: actorId(context) });
      return context.json(created, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/workspaces/{workspaceId}/curated-answers/{curatedId}',
      summary: 'Remove a curated answer',
      ...route('knowledge.write', tags),
      request: { params: curatedParams },
      responses: { 204: { description: 'Removed' }, ...errorResponses(401, 403, 404) },
    }),
    (context) => {
      const { curatedId } = context.req.valid('param');
      if (!assistants.scope(context.get('workspace').id).curated.remove(curatedId))
        throw assistantErrors.curatedAnswerNotFound(curatedId);
      return context.body(null, 204);
    },
  );

  // ---- The Inbox ----

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces/{workspaceId}/conversations',
      summary: 'Conversations, newest activity first; the Inbox asks for `waiting` and `assigned`',
      ...route('read', inbox),
      request: {
        params: workspaceParamsSchema,
        query: z.object({
          status: z
            .string()
            .optional()
            .meta({ description: `Comma-separated: ${CONVERSATION_STATUSES.join(', ')}` }),
          assistantId: z.string().optional(),
          limit: z.coerce.number().int().min(1).max(500).optional(),
        }),
      },
      responses: {
        200: jsonResponse(z.object({ conversations: z.array(conversationSchema) }), 'Conversations'),
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    (context) => {
      const query = context.req.valid('query');
      const statuses = (query.status ?? '')
        .split(',')
        .map((status) => status.trim())
        .filter((status): status is (typeof CONVERSATION_STATUSES)[number] =>
          (CONVERSATION_STATUSES as readonly string[]).includes(status),
        );
      const conversations = assistants.scope(context.get('workspace').id).conversations.list({
        statuses,
        ...(query.assistantId ? { assistantId: query.assistantId } : {}),
        ...(query.limit ? { limit: query.limit } : {}),
      });
      return context.json({ conversations }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces/{workspaceId}/conversations/{conversationId}',
      summary: 'One conversation: transcript, a short summary, and the passages the assistant used',
      ...route('read', inbox),
      request: { params: conversationParams },
      responses: {
        200: jsonResponse(conversationDetailSchema, 'The conversation'),
        ...errorResponses(401, 403, 404),
      },
    }),
    (context) => {
      const { conversationId } = context.req.valid('param');
      const detail = assistants.conversationDetail(context.get('workspace').id, conversationId);
      return context.json({ ...detail, passages: presentPassages(detail.passages) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workspaces/{workspaceId}/conversations/{conversationId}/events',
      summary: 'A conversation, live, as server-sent events (message, status)',
      ...route('read', inbox),
      request: { params: conversationParams },
      responses: {
        200: { description: 'An event stream', content: { 'text/event-stream': { schema: z.string() } } },
        ...errorResponses(401, 403, 404),
      },
    }),
    (context) => {
      const { conversationId } = context.req.valid('param');
      // A 404 before the stream opens.
      assistants.conversationDetail(context.get('workspace').id, conversationId);
      return streamSSE(context, async (stream) => {
        await stream.writeSSE({ event: 'ready', data: '{}' });
        for await (const event of assistants.subscribe(conversationId, context.req.raw.signal))
          await stream.writeSSE({ event: event.type, data: JSON.stringify(event) });
      }) as never;
    },
  );

  const action = (
    path: string,
    summary: string,
    run: (workspaceId: string, conversationId: string, agentId: string) => unknown,
  ) =>
    app.openapi(
      createRoute({
        method: 'post',
        path: `/workspaces/{workspaceId}/conversations/{conversationId}/${path}`,
        summary,
        ...route('inbox.reply', inbox),
        request: { params: conversationParams },
        responses: {
          200: jsonResponse(conversationSchema, 'The conversation'),
          ...errorResponses(401, 403, 404, 409),
        },
      }),
      (context) => {
        const { conversationId } = context.req.valid('param');
        const result = run(context.get('workspace').id, conversationId, actorId(context));
        return context.json(result as z.infer<typeof conversationSchema>, 200);
      },
    );
  action(
    'assign',
    'Take the conversation: the assistant stays quiet while you answer',
    (workspaceId, id, agent) => assistants.assign(workspaceId, id, agent),
  );
  action('hand-back', 'Hand the conversation back to the assistant', (workspaceId, id) =>
    assistants.handBack(workspaceId, id),
  );
  action('close', 'Close the conversation (and tell the webhook)', (workspaceId, id) =>
    assistants.close(workspaceId, id),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces/{workspaceId}/conversations/{conversationId}/replies',
      summary: "Reply to the customer as yourself; it reaches the customer's widget live",
      ...route('inbox.reply', inbox),
      request: {
        params: conversationParams,
        body: jsonBody(z.object({ text: z.string().min(1).max(10_000) })),
      },
      responses: {
        201: jsonResponse(messageSchema, 'The reply'),
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    (context) => {
      const { conversationId } = context.req.valid('param');
      const message = assistants.replyAsAgent(
        context.get('workspace').id,
        conversationId,
        actorId(context),
        context.req.valid('json').text,
      );
      return context.json(message, 201);
    },
  );

  return app;
}
