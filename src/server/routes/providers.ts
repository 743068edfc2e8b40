/**
 * `POST /api/workspaces/{workspaceId}/providers`: adds (or replaces) an OpenAI-compatible provider
 * from the web app's model step: the key is stored encrypted as a secret, `polett.json` gets the
 * provider, a chat model alias and a place in the chat task's chain, and the running registry
 * takes the new configuration at once. Providers belong to the installation, so this needs
 * `models.manage`, and every change is written to the workspace's audit log.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { updateConfigFile, type PolettConfig } from '../../config/index.js';
import { IMPLICIT_GGUF_PROVIDER, type ModelRegistry } from '../../models/index.js';
import { PolettError } from '../../errors.js';
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

function providerTypeConflict(name: string, type: string): PolettError {
  return new PolettError({
    code: 'provider_type_conflict',
    status: 409,
    field: 'name',
    message: {
      sv: `Leverantören "${name}" finns redan av typen ${type}; välj ett annat namn eller ändra den i polett.json.`,
      en: `The provider "${name}" already exists with the type ${type}; choose another name or change it in polett.json.`,
    },
  });
}

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
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    (context) => {
      const input = context.req.valid('json');
      const access = context.get('workspace');
      const alias = `${input.name}-chat`;
      const secret = providerSecretName(input.name);
      const { models, storage } = dependencies;
      // The chain chat uses now; when it is the implicit local default, it is written out so that
      // adding a remote provider appends to it instead of silently replacing the local model.
      const currentChat = models.aliasesFor('chat');
      const implicitLocal = currentChat.filter((name) => !(name in dependencies.config.models));
      // The key first, so that the file never names a secret that is not there; if the file
      // cannot be written, the previous key is put back.
      let previousKey: string | undefined;
      try {
        previousKey = input.apiKey ? storage.secrets.get(secret) : undefined;
      } catch {
        // An old key that can no longer be decrypted is replaced, not restored.
      }
      if (input.apiKey) storage.secrets.set(secret, input.apiKey);
      let config: PolettConfig;
      try {
        config = updateConfigFile({ dataDir: dependencies.config.dataDir }, (content) => {
          const providers = (content.providers ??= {}) as Record<string, Record<string, unknown> | undefined>;
          const modelEntries = (content.models ??= {}) as Record<string, unknown>;
          const tasks = (content.tasks ??= {}) as Record<string, string[] | undefined>;
          const existing = providers[input.name];
          if (existing !== undefined && existing.type !== 'openai-compatible') {
            throw providerTypeConflict(input.name, String(existing.type));
          }
          // Settings written by hand (timeouts, headers, redactPii...) stay.
          providers[input.name] = {
            ...existing,
            type: 'openai-compatible',
            baseURL: input.baseURL,
            ...(input.apiKey ? { apiKey: { secret } } : {}),
          };
          modelEntries[alias] = { provider: input.name, model: input.model };
          if (tasks.chat === undefined && implicitLocal.length > 0) {
            providers[IMPLICIT_GGUF_PROVIDER] ??= { type: 'local-gguf' };
            for (const name of implicitLocal)
              modelEntries[name] ??= { provider: IMPLICIT_GGUF_PROVIDER, model: name };
            tasks.chat = [...implicitLocal];
          }
          const chain = tasks.chat ?? [];
          if (!chain.includes(alias)) tasks.chat = [...chain, alias];
        });
      } catch (error) {
        if (input.apiKey) {
          if (previousKey === undefined) storage.secrets.delete(secret);
          else storage.secrets.set(secret, previousKey);
        }
        throw error;
      }
      models.reconfigure(config, { rebuild: [input.name] });
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
