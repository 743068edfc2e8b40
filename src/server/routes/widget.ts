/**
 * The website widget's public API, under `/widget/api/assistants/{assistantId}/…`, and the widget
 * script itself at `/widget.js`. No session, no CSRF: a visitor proves nothing but that the page
 * they are on is allowed to embed the assistant (its Origin on the assistant's allowlist) and
 * then carries a short-lived signed visitor token. Limits per visitor and per IP, message length
 * caps and the daily spend cap keep one visitor from costing the company or slowing everyone else.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { validateCustomerText, type PublicAssistant } from '../../assistant/index.js';
import type { AssistantService } from '../../assistant/service.js';
import { visitorTokenErrors, type VisitorClaims } from '../../assistant/visitor-tokens.js';
import { PolettError } from '../../errors.js';
import type { AppEnvironment } from '../context.js';
import { eventStream } from '../event-stream.js';

const widgetErrors = {
  unknownAssistant: () =>
    new PolettError({
      code: 'assistant_not_found',
      status: 404,
      field: 'assistantId',
      message: {
        sv: 'Assistenten finns inte; kontrollera data-assistant i skripttaggen.',
        en: 'The assistant does not exist; check data-assistant in the script tag.',
      },
    }),
  originNotAllowed: (origin: string | undefined) =>
    new PolettError({
      code: 'origin_not_allowed',
      status: 403,
      field: 'origin',
      message: {
        sv: `Sidan ${origin ?? '(okänd)'} får inte visa den här assistenten; lägg till den bland assistentens tillåtna webbplatser i Polett.`,
        en: `The page ${origin ?? '(unknown)'} may not show this assistant; add it to the assistant's allowed sites in Polett.`,
      },
    }),
  notYourConversation: () =>
    new PolettError({
      code: 'conversation_not_found',
      status: 404,
      field: 'conversationId',
      message: {
        sv: 'Konversationen finns inte för den här besökaren; starta en ny.',
        en: 'The conversation does not exist for this visitor; start a new one.',
      },
    }),
  invalidBody: (detail: string) =>
    new PolettError({
      code: 'invalid_request',
      status: 400,
      field: 'body',
      message: {
        sv: `Anropet är fel (${detail}); skicka JSON enligt widgetens format.`,
        en: `The request is wrong (${detail}); send JSON in the widget's format.`,
      },
    }),
};

/** The built widget script, read once; undefined before `npm run build` has made it. */
function loadWidgetScript(webRoot: string): string | undefined {
  const file = path.join(webRoot, 'widget.js');
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

async function jsonOf<Schema extends z.ZodType>(context: Context, schema: Schema): Promise<z.output<Schema>> {
  let body: unknown = {};
  const text = await context.req.text();
  if (text.trim()) {
    try {
      body = JSON.parse(text);
    } catch {
      throw widgetErrors.invalidBody('not JSON');
    }
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw widgetErrors.invalidBody(parsed.error.issues[0]?.message ?? 'invalid');
  return parsed.data;
}

export function widgetRoutes(dependencies: { assistants: AssistantService; webRoot: string }) {
  const { assistants } = dependencies;
  const app = new Hono<AppEnvironment>();
  let script: string | undefined;

  app.get('/widget.js', (context) => {
    script ??= loadWidgetScript(dependencies.webRoot);
    if (!script)
      throw new PolettError({
        code: 'widget_not_built',
        status: 503,
        message: {
          sv: 'Widgeten är inte byggd; kör npm run build och starta om Polett.',
          en: 'The widget is not built; run npm run build and restart Polett.',
        },
      });
    context.header('content-type', 'text/javascript; charset=utf-8');
    context.header('cache-control', 'public, max-age=300');
    // Any site may load the script; only allowed origins can talk to an assistant with it.
    context.header('access-control-allow-origin', '*');
    context.header('cross-origin-resource-policy', 'cross-origin');
    return context.body(script);
  });

  const api = new Hono<
    AppEnvironment & { Variables: { assistant: PublicAssistant; visitor: VisitorClaims } }
  >();

  // The assistant, the origin check and CORS, for every route of one assistant.
  api.use('/assistants/:assistantId/*', async (context, next) => {
    const assistant = assistants.store.findPublicAssistant(context.req.param('assistantId') ?? '');
    if (!assistant) throw widgetErrors.unknownAssistant();
    const origin = context.req.header('origin');
    const allowed = origin !== undefined && assistant.allowedOrigins.includes(origin.toLowerCase());
    // Every origin may read the answer, refusals included, so that a site not yet on the list sees
    // the one sentence saying what to configure; only allowed origins get anything else.
    if (origin !== undefined) {
      context.header('access-control-allow-origin', origin);
      context.header('vary', 'Origin');
    }
    if (context.req.method === 'OPTIONS') {
      context.header('access-control-allow-methods', 'GET, POST');
      context.header('access-control-allow-headers', 'content-type, authorization, accept-language');
      context.header('access-control-max-age', '600');
      return context.body(null, 204);
    }
    if (origin !== undefined && !allowed) throw widgetErrors.originNotAllowed(origin);
    context.set('assistant', assistant);
    await next();
  });

  // A visitor token for every route but the one that issues it.
  api.use('/assistants/:assistantId/conversations/*', async (context, next) => {
    const header = context.req.header('authorization');
    // EventSource cannot send headers: the live stream takes the token as a query parameter.
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : context.req.query('token');
    if (!token) throw visitorTokenErrors.invalid();
    context.set('visitor', assistants.visitorTokens.verify(token, context.get('assistant').id));
    await next();
  });
  api.use('/assistants/:assistantId/conversations', async (context, next) => {
    const header = context.req.header('authorization');
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (!token) throw visitorTokenErrors.invalid();
    context.set('visitor', assistants.visitorTokens.verify(token, context.get('assistant').id));
    await next();
  });

  const ownConversation = (
    context: Context<AppEnvironment & { Variables: { assistant: PublicAssistant; visitor: VisitorClaims } }>,
  ) => {
    const assistant = context.get('assistant');
    const conversation = assistants
      .scope(assistant.workspaceId)
      .conversations.get(context.req.param('conversationId') ?? '');
    if (
      !conversation ||
      conversation.visitorId !== context.get('visitor').visitorId ||
      conversation.assistantId !== assistant.id
    )
      throw widgetErrors.notYourConversation();
    return conversation;
  };

  api.post('/assistants/:assistantId/session', async (context) => {
    const assistant = context.get('assistant');
    // A session starts only on an allowed page; an unknown site is refused until configured.
    if (!context.req.header('origin')) throw widgetErrors.originNotAllowed(undefined);
    const body = await jsonOf(context, z.object({ token: z.string().max(2_000).optional() }));
    let visitorId: string | undefined;
    if (body.token) {
      try {
        visitorId = assistants.visitorTokens.verify(body.token, assistant.id).visitorId;
      } catch {
        visitorId = undefined;
      }
    }
    const { token, claims } = assistants.visitorTokens.issue(assistant.id, visitorId);
    return context.json({
      token,
      visitorId: claims.visitorId,
      expiresAt: new Date(claims.expiresAt * 1000).toISOString(),
      assistant: {
        name: assistant.name,
        languagePolicy: assistant.languagePolicy,
        maxMessageChars: assistant.maxMessageChars,
      },
    });
  });

  api.post('/assistants/:assistantId/conversations', (context) => {
    const assistant = context.get('assistant');
    const scope = assistants.scope(assistant.workspaceId);
    const conversation = scope.conversations.create({
      assistantId: assistant.id,
      visitorId: context.get('visitor').visitorId,
    });
    // The page's language (the widget sends it as Accept-Language) until the customer's own words
    // say otherwise: "Do you ship?" is too short to detect, but on an English page it is English.
    scope.conversations.setLanguage(conversation.id, context.get('locale'));
    return context.json({ conversationId: conversation.id, status: conversation.status }, 201);
  });

  api.get('/assistants/:assistantId/conversations/:conversationId', (context) => {
    const conversation = ownConversation(context);
    const messages = assistants
      .scope(conversation.workspaceId)
      .messages.list(conversation.id)
      .map(({ id, role, kind, text, citations, createdAt, feedback }) => ({
        id,
        role,
        kind,
        text,
        citations,
        createdAt,
        feedback,
      }));
    return context.json({ status: conversation.status, messages });
  });

  api.post('/assistants/:assistantId/conversations/:conversationId/messages', async (context) => {
    const assistant = context.get('assistant');
    const conversation = ownConversation(context);
    // No length here: the body limit bounds it, and validateCustomerText says "too long" in the
    // customer's language rather than a schema's English.
    const body = await jsonOf(context, z.object({ text: z.string() }));
    // Refused before the stream opens: a plain 4xx the widget shows as one sentence.
    validateCustomerText(body.text, assistant.maxMessageChars);
    assistants.takeMessageAllowance(context.get('visitor').visitorId, context.get('ip'));
    const locale = context.get('locale');
    const events = assistants.ask(assistant.workspaceId, conversation.id, body.text, context.req.raw.signal);
    return eventStream(context, {
      async produce(send, gone) {
        try {
          for await (const event of events) {
            if (gone.aborted) break;
            if (event.type === 'delta') await send('delta', { text: event.text });
            else if (event.type === 'question') await send('question', { id: event.message.id });
            else if (event.type === 'answer') {
              const { id, role, kind, text, citations, createdAt } = event.message;
              await send('answer', {
                message: { id, role, kind, text, citations, createdAt },
                status: event.conversation.status,
              });
            }
            // Passages stay on the server: the customer sees the citations of the answer only.
          }
        } catch (error) {
          const polettError = error instanceof PolettError ? error : undefined;
          if (!polettError) console.error(error);
          await send('error', {
            message:
              polettError?.localized[locale] ??
              (locale === 'sv'
                ? 'Något gick fel när svaret skrevs; försök igen eller be att få prata med en medarbetare.'
                : 'Something went wrong while writing the answer; try again or ask to talk to a colleague.'),
          });
        }
      },
      // The visitor went away mid-answer: the turn stops (and its model call with it).
      onEnd: () => void events.return(undefined).catch(() => {}),
    });
  });

  api.get('/assistants/:assistantId/conversations/:conversationId/events', (context) => {
    const conversation = ownConversation(context);
    let stopListening: (() => void) | undefined;
    // An open widget keeps this stream for as long as its page is open, so what it holds is the
    // memory of an idle conversation: one listener and the response.
    return eventStream(context, {
      holdOpen: true,
      // Not async: the listener is in place before the stream can end, so that onEnd removes it.
      produce(send) {
        const ready = send('ready', { status: conversation.status });
        stopListening = assistants.listen(conversation.id, (event) => {
          if (event.type === 'status') {
            void send('status', { status: event.conversation.status });
            return;
          }
          // The customer sees agents' replies and status notes live; their own and the assistant's
          // messages arrive on the message stream they sent.
          if (event.message.role !== 'agent' && event.message.role !== 'system') return;
          const { id, role, kind, text, createdAt } = event.message;
          void send('message', { id, role, kind, text, createdAt, citations: [] });
        });
        return ready;
      },
      onEnd: () => stopListening?.(),
    });
  });

  api.post('/assistants/:assistantId/conversations/:conversationId/handover', (context) => {
    const conversation = ownConversation(context);
    const updated = assistants.requestPerson(conversation.workspaceId, conversation.id);
    const messages = assistants.scope(conversation.workspaceId).messages.list(conversation.id);
    const last = messages.at(-1);
    return context.json({
      status: updated.status,
      message:
        last && last.kind === 'handover'
          ? {
              id: last.id,
              role: last.role,
              kind: last.kind,
              text: last.text,
              citations: [],
              createdAt: last.createdAt,
            }
          : null,
    });
  });

  api.post(
    '/assistants/:assistantId/conversations/:conversationId/messages/:messageId/feedback',
    async (context) => {
      const conversation = ownConversation(context);
      const body = await jsonOf(
        context,
        z.object({ value: z.union([z.literal(1), z.literal(-1), z.null()]) }),
      );
      const scope = assistants.scope(conversation.workspaceId);
      const message = scope.messages.get(context.req.param('messageId'));
      if (!message || message.conversationId !== conversation.id) throw widgetErrors.notYourConversation();
      scope.messages.setFeedback(message.id, body.value);
      return context.body(null, 204);
    },
  );

  app.route('/widget/api', api);
  return app;
}
