/**
 * The HTTP application. Thin routes: authenticate, validate, call the capability's core, present.
 * Each capability adds one routes file; errors become Polett's one error shape here, once.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { PolettError, toPolettError } from '../errors.js';
import { requestLocale, type AppEnvironment, type ServerDependencies } from './context.js';
import { healthRoutes } from './routes/health.js';
import { openAICompatibleRoutes } from './routes/openai-compatible.js';
import { webAppRoutes } from './web-app.js';

export type { ServerDependencies } from './context.js';

export function createApp(dependencies: ServerDependencies) {
  const app = new Hono<AppEnvironment>();
  const fallbackLocale = dependencies.config.locale;

  app.use('*', async (context, next) => {
    context.set('locale', requestLocale(context, fallbackLocale));
    await next();
  });

  app.use(
    '*',
    bodyLimit({
      maxSize: dependencies.config.server.bodyLimitBytes,
      onError: (context) => {
        const error = new PolettError({
          code: 'body_too_large',
          status: 413,
          field: 'body',
          message: {
            sv: `Anropet är större än ${dependencies.config.server.bodyLimitBytes} byte; skicka mindre delar eller höj server.bodyLimitBytes.`,
            en: `The request is larger than ${dependencies.config.server.bodyLimitBytes} bytes; send smaller parts or raise server.bodyLimitBytes.`,
          },
        });
        return context.json(error.toJSON(context.get('locale')), 413);
      },
    }),
  );

  app.onError((thrown, context) => {
    const error = toPolettError(thrown);
    if (error.status >= 500 && error.code === 'internal_error') console.error(thrown);
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
  app.route('/', webAppRoutes());
  return app;
}
