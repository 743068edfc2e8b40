/**
 * The HTTP application. Thin routes: authenticate, validate, call the capability's core, present.
 * Each capability adds one routes file; errors become Polett's one error shape here, once.
 *
 * The order of the middleware is the security model, so it is all here, in one place:
 * locale → client address → body limit → rate limits (/api, /v1) → authentication (/api) →
 * the workspace gate (/api/workspaces/:workspaceId/*) → the route's own permission → the route.
 */
import { apiReferenceRoutes } from './api-reference.js';
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { PolettError, toPolettError } from '../errors.js';
import { openPlatform, type Platform } from '../platform/index.js';
import { SqliteStorage } from '../storage/index.js';
import { requestLocale, type AppEnvironment, type ServerDependencies } from './context.js';
import { registerOpenAICompatibleDocument } from './openai/openapi-document.js';
import { invalidRequest } from './openapi.js';
import { authenticate } from './platform/authenticate.js';
import { clientAddress } from './platform/client-address.js';
import { rateLimits } from './platform/rate-limits.js';
import { WORKSPACE_ROUTES_PATH, workspaceAccess } from './platform/workspace-access.js';
import { accountRoutes, SESSION_DAYS } from './routes/accounts.js';
import { healthRoutes } from './routes/health.js';
import { openAICompatibleRoutes } from './routes/openai-compatible.js';
import { workspaceRoutes } from './routes/workspaces.js';
import { jobAndModelRoutes } from './routes/jobs-and-models.js';
import { providerRoutes } from './routes/providers.js';
import { learnRoutes } from './routes/learn.js';
import { contentRoutes } from './routes/content.js';
import { KNOWLEDGE_UPLOAD_PATH, knowledgeRoutes } from './routes/knowledge.js';
import { INSIGHTS_UPLOAD_PATH, insightsRoutes } from './routes/insights.js';
import { openKnowledge, type Knowledge } from '../knowledge/index.js';
import { webAppRoutes, defaultWebRoot } from './web-app.js';
import { AssistantService } from '../assistant/service.js';
import { assistantRoutes } from './routes/assistants.js';
import { widgetRoutes } from './routes/widget.js';

export type { ServerDependencies } from './context.js';

/** Turns a Hono HTTPException (415 from a validator, say) into Polett's error. */
function fromHttpException(exception: HTTPException): PolettError {
  if (exception.status === 415) {
    return new PolettError({
      code: 'unsupported_media_type',
      status: 415,
      field: 'content-type',
      message: {
        sv: 'Anropets innehållstyp stöds inte; skicka JSON med Content-Type: application/json.',
        en: 'The request content type is not supported; send JSON with Content-Type: application/json.',
      },
    });
  }
  return new PolettError({
    code: 'http_error',
    status: exception.status,
    message: {
      sv: `Anropet avvisades (${exception.status}: ${exception.message}); kontrollera anropet och försök igen.`,
      en: `The request was refused (${exception.status}: ${exception.message}); check the request and try again.`,
    },
    cause: exception,
  });
}

/** The Assistant's service: given (Polett shares one with its CLI), or made on the SQLite storage. */
function resolveAssistants(
  dependencies: ServerDependencies,
  platform: Platform,
  knowledge: Knowledge | undefined,
): AssistantService | undefined {
  if (dependencies.assistants) return dependencies.assistants;
  if (!(dependencies.storage instanceof SqliteStorage)) return undefined;
  return new AssistantService({
    database: dependencies.storage.database,
    models: dependencies.models,
    config: dependencies.config,
    visitorTokenKey: dependencies.storage.deriveKey('visitor-tokens'),
    ...(dependencies.jobs ? { jobs: dependencies.jobs } : {}),
    ...(dependencies.knowledge
      ? { knowledge: dependencies.knowledge }
      : knowledge
        ? { knowledge: (workspaceId: string) => knowledge.searcherFor(workspaceId) }
        : {}),
    companyName: (workspaceId) => platform.forWorkspace(workspaceId).workspace.get()?.name ?? 'Polett',
    ...(dependencies.now ? { now: dependencies.now } : {}),
  });
}

function resolvePlatform(dependencies: ServerDependencies): Platform {
  if (dependencies.platform) return dependencies.platform;
  if (dependencies.storage instanceof SqliteStorage)
    return openPlatform(dependencies.storage, { sessionDays: SESSION_DAYS });
  throw new Error('createApp needs a platform for storage other than SQLite');
}

export function createApp(dependencies: ServerDependencies) {
  const app = new OpenAPIHono<AppEnvironment>({
    defaultHook: (result) => {
      if (!result.success) throw invalidRequest(result.error);
    },
  });
  const { config } = dependencies;
  const fallbackLocale = config.locale;
  const platform = resolvePlatform(dependencies);

  app.use('*', async (context, next) => {
    context.set('locale', requestLocale(context, fallbackLocale));
    context.set('ip', clientAddress(context, config.server.trustProxy));
    await next();
  });

  const limitBody = bodyLimit({
    maxSize: config.server.bodyLimitBytes,
    onError: (context) => {
      const error = new PolettError({
        code: 'body_too_large',
        status: 413,
        field: 'body',
        message: {
          sv: `Anropet är större än ${config.server.bodyLimitBytes} byte; skicka mindre delar eller höj server.bodyLimitBytes.`,
          en: `The request is larger than ${config.server.bodyLimitBytes} bytes; send smaller parts or raise server.bodyLimitBytes.`,
        },
      });
      return context.json(error.toJSON(context.get('locale')), 413);
    },
  });
  // GET and HEAD carry no body; asking for one makes the Node adapter build a full Request, which
  // costs more than the rest of the middleware together.
  // The knowledge upload streams its body to disk under a limit of its own (routes/knowledge-upload.ts),
  // and so does a feedback file sent to Insights (routes/insights-upload.ts).
  app.use('*', (context, next) =>
    context.req.method === 'GET' ||
    context.req.method === 'HEAD' ||
    KNOWLEDGE_UPLOAD_PATH.test(context.req.path) ||
    (context.req.method === 'POST' && INSIGHTS_UPLOAD_PATH.test(context.req.path))
      ? next()
      : limitBody(context, next),
  );

  const limits = rateLimits(config.server.rateLimit, dependencies.now);
  app.use('/api/*', limits);
  app.use('/v1/*', limits);
  app.use('/widget/api/*', limits);
  app.use('/hooks/*', limits);
  // Answers about accounts, keys and workspaces are personal: no browser or proxy may keep them.
  // Set before the route answers: a header added to a finished response makes Hono copy it.
  app.use('/api/*', async (context, next) => {
    context.header('Cache-Control', 'no-store');
    await next();
  });
  app.use('/api/*', authenticate(platform));
  app.use(WORKSPACE_ROUTES_PATH, workspaceAccess(platform));

  app.onError((thrown, context) => {
    const error = thrown instanceof HTTPException ? fromHttpException(thrown) : toPolettError(thrown);
    if (error.status >= 500 && error.code === 'internal_error') console.error(thrown);
    if (error.retryAfterSeconds !== undefined)
      context.header('Retry-After', String(Math.ceil(error.retryAfterSeconds)));
    return context.json(error.toJSON(context.get('locale') ?? fallbackLocale), error.status as 500);
  });

  app.notFound((context) => {
    const error = new PolettError({
      code: 'not_found',
      status: 404,
      message: {
        sv: `Adressen ${context.req.path} finns inte; se /health för att kontrollera att Polett svarar.`,
        en: `The path ${context.req.path} does not exist; see /health to check that Polett answers.`,
      },
    });
    return context.json(error.toJSON(context.get('locale')), 404);
  });

  app.route('/health', healthRoutes(dependencies));
  app.route('/v1', openAICompatibleRoutes(dependencies));
  app.route(
    '/api',
    accountRoutes({ platform, config, ...(dependencies.now ? { now: dependencies.now } : {}) }),
  );
  app.route('/api', workspaceRoutes({ platform }));
  app.route('/api', providerRoutes(dependencies));
  app.route('/api', learnRoutes(dependencies));
  app.route('/', insightsRoutes(dependencies));
  // One Knowledge for its own routes and for the capabilities that answer from it.
  const knowledge =
    dependencies.storage instanceof SqliteStorage
      ? openKnowledge({
          database: dependencies.storage.database,
          models: dependencies.models,
          ...(dependencies.jobs ? { jobs: dependencies.jobs } : {}),
          dataDir: dependencies.config.dataDir,
        })
      : undefined;
  app.route('/api', knowledgeRoutes(dependencies, knowledge));
  app.route('/api', contentRoutes(dependencies, knowledge));
  if (dependencies.jobs)
    app.route('/api', jobAndModelRoutes({ jobs: dependencies.jobs, models: dependencies.models }));
  const assistants = resolveAssistants(dependencies, platform, knowledge);
  if (assistants) {
    app.route('/api', assistantRoutes({ assistants }));
    app.route('/', widgetRoutes({ assistants, webRoot: defaultWebRoot() }));
  }

  app.openAPIRegistry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: 'polett_session',
    description: 'The session cookie from sign-in; writes also need the x-csrf-token header.',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key (`plt_…`) of a workspace, with scopes.',
  });
  registerOpenAICompatibleDocument(app.openAPIRegistry);
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Polett API',
      version: dependencies.version,
      description:
        'The REST API of Polett (accounts, workspaces, API keys, audit log, usage) and its OpenAI-compatible API. ' +
        "Errors share one shape: a stable code, a message in the caller's language and the offending field.",
    },
  });
  app.route('/docs', apiReferenceRoutes());
  app.route('/', webAppRoutes());
  return app;
}
