/**
 * `POST /api/workspaces/{workspaceId}/providers`: adds (or replaces) an OpenAI-compatible provider
 * from the web app's model step: the key is stored encrypted as a secret, `polett.json` gets the
 * provider, a chat model alias and a place in the chat task's chain, and the running registry
 * takes the new configuration at once. Providers belong to the installation, so this needs
 * `models.manage`, and every change is written to the workspace's audit log.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { updateConfigFile, type PolettConfig } from '../../config/index.js';
import type { ModelRegistry } from '../../models/index.js';
import { workspaceParamsSchema } from '../../platform/schemas.js';
import type { Storage } from '../../storage/index.js';
import { createRouter, errorResponses, jsonBody, jsonResponse, SIGNED_IN } from '../openapi.js';
import { requirePermission } from '../platform/workspace-access.js';

export const saveProviderRequestSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/i, 'letters, digits, - and _, starting with a letter or digit'),
    baseURL: z.url(),
    apiKey: z.string().min(1).max(500).optional(),
    model: z.string().min(1).max(200),
  })
  .meta({ id: 'SaveProviderRequest' });

const savedProviderSchema = z
  .object({ provider: z.string(), alias: z.string(), chatChain: z.array(z.string()) })
  .meta({ id: 'SavedProvider' });

/** The secret a provider's key is stored under. */
export function providerSecretName(provider: string): string {
  return `provider-${provider}`;
}

export function providerRoutes(dependencies: {
  config: PolettConfig;
  storage: Storage;
  models: ModelRegistry;
}) {
  const app = createRouter();
  app.openapi(
    createRoute({
      method: 'post',
      path: '/workspaces/{workspaceId}/providers',
      summary: "Add an OpenAI-compatible provider and put its model in the chat task's chain",
      tags: ['Models'],
      security: SIGNED_IN,
      middleware: requirePermission('models.manage'),
      description: 'Needs the `models.manage` permission. The key is stored encrypted, never in polett.json.',
      request: { params: workspaceParamsSchema, body: jsonBody(saveProviderRequestSchema) },
      responses: {
        201: jsonResponse(savedProviderSchema, 'The provider is saved and in use'),
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    (context) => {
      const input = context.req.valid('json');
      const access = context.get('workspace');
      const alias = `${input.name}-chat`;
      // Validated as a whole before anything is written; the key is stored only once the file is valid.
      const secret = providerSecretName(input.name);
      const config = updateConfigFile({ dataDir: dependencies.config.dataDir }, (content) => {
        const providers = (content.providers ??= {}) as Record<string, unknown>;
        const models = (content.models ??= {}) as Record<string, unknown>;
        const tasks = (content.tasks ??= {}) as Record<string, string[] | undefined>;
        providers[input.name] = {
          type: 'openai-compatible',
          baseURL: input.baseURL,
          ...(input.apiKey ? { apiKey: { secret } } : {}),
        };
        models[alias] = { provider: input.name, model: input.model };
        const chain = tasks.chat ?? [];
        if (!chain.includes(alias)) tasks.chat = [...chain, alias];
      });
      if (input.apiKey) dependencies.storage.secrets.set(secret, input.apiKey);
      dependencies.models.reconfigure(config);
      access.scope.audit.record({
        actor: access.acting.actor,
        action: 'provider.saved',
        target: input.name,
        details: { baseURL: input.baseURL, model: input.model, withKey: input.apiKey !== undefined },
        ip: access.acting.ip,
      });
      return context.json({ provider: input.name, alias, chatChain: config.tasks.chat ?? [] }, 201);
    },
  );
  return app;
}
