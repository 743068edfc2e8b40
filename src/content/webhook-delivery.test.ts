/**
 * Webhook delivery's guard rails: no webhook may point at the cloud's metadata service (it hands
 * out the server's credentials), and a receiver's redirect is not followed, so the signed request
 * cannot be led past that check.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPolett, buildUser, buildWorkspace } from '../../test-support/builders.js';
import { isPolettError } from '../errors.js';
import { openPlatform } from '../platform/index.js';
import { openContentStore, type WorkspaceContentStore } from './content-store.js';
import { contentWebhookJobHandler, type StateChangeEvent } from './webhook-delivery.js';

function errorOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (isPolettError(error)) return error;
    throw error;
  }
  throw new Error('expected a PolettError');
}

describe('content webhooks', () => {
  const polett = buildPolett();
  let store: WorkspaceContentStore;
  let workspaceId: string;
  let redirector: Server;
  let target: Server;
  let targetCalls = 0;
  const port = (server: Server) => (server.address() as { port: number }).port;

  beforeAll(async () => {
    const platform = openPlatform(polett.storage);
    workspaceId = buildWorkspace(platform, { owner: await buildUser(platform) }).id;
    store = openContentStore(polett.storage.database).forWorkspace(workspaceId);
    target = createServer((_request, response) => {
      targetCalls += 1;
      response.writeHead(204).end();
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    redirector = createServer((_request, response) => {
      response.writeHead(307, { location: `http://127.0.0.1:${port(target)}/stolen` }).end();
    });
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => redirector.close(resolve));
    await new Promise((resolve) => target.close(resolve));
    await polett.close();
  });

  it('refuses a link-local or metadata address in any spelling, and keeps local receivers', () => {
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://2852039166/latest',
      'http://[fe80::1]/hook',
      'http://[::ffff:169.254.169.254]/hook',
      'http://metadata.google.internal/computeMetadata/v1/',
    ]) {
      const error = errorOf(() => store.createWebhook(url));
      expect(error.code, url).toBe('content_webhook_address');
      expect(error.localized.sv).toContain('metadatatjänst');
    }
    expect(store.listWebhooks()).toEqual([]);
    expect(store.createWebhook('http://127.0.0.1:5678/webhook').url).toBe('http://127.0.0.1:5678/webhook');
    expect(store.createWebhook('https://hooks.example.se/polett').secret).toMatch(/^whsec_/);
  });

  it('does not follow a redirect with the signed request', async () => {
    const webhook = store.createWebhook(`http://127.0.0.1:${port(redirector)}/hook`);
    const event: StateChangeEvent = {
      id: 'event-1',
      type: 'content.text.state_changed',
      occurredAt: new Date().toISOString(),
      workspaceId,
      text: { id: 'text-1', title: 'Höstens bönor', version: 1, templateId: 'linkedin-post' },
      from: 'draft',
      to: 'in_review',
      by: null,
    };
    const handler = contentWebhookJobHandler({ database: polett.storage.database });
    const context = { workspaceId, signal: new AbortController().signal, attempt: 1 };
    const outcome = await Promise.resolve(
      handler.run({ webhookId: webhook.id, event }, context as never),
    ).catch((error: unknown) => error);
    expect(isPolettError(outcome) && outcome.code).toBe('content_webhook_failed');
    expect(targetCalls).toBe(0);
    // A refusal is not retried, and says so; the receiver's path (often a secret) stays out of it.
    expect(isPolettError(outcome) && outcome.isRetryable).toBe(false);
    expect((outcome as Error).message).toBe(
      `The webhook to http://127.0.0.1:${port(redirector)} refused the event (HTTP 307); Polett does not try again, correct the receiver or the webhook's address.`,
    );
  });
});
