import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPlatformServer, buildSession, buildUser, buildWorkspace } from '../../test-support/builders.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../../test-support/fake-openai-server.js';

let upstream: FakeOpenAIServer;
beforeAll(async () => {
  upstream = await startFakeOpenAIServer();
});
afterAll(async () => {
  await upstream.close();
});

async function setUp() {
  const server = buildPlatformServer({});
  const owner = await buildUser(server.platform);
  const viewer = await buildUser(server.platform);
  const workspace = buildWorkspace(server.platform, { owner, members: [{ user: viewer, role: 'viewer' }] });
  return {
    server,
    workspace,
    owner: buildSession(server.platform, owner),
    viewer: buildSession(server.platform, viewer),
  };
}

describe('saving a provider from the web app', () => {
  it('stores the key encrypted, updates polett.json, and serves the chat task at once', async () => {
    const { server, workspace, owner } = await setUp();
    const base = `/api/workspaces/${workspace.id}`;
    const saved = await server.app.request(`${base}/providers`, {
      method: 'POST',
      headers: owner.writeHeaders,
      body: JSON.stringify({ name: 'lokal', baseURL: upstream.url, apiKey: 'sk-hemlig-123', model: 'ok' }),
    });
    expect(saved.status).toBe(201);
    expect(await saved.json()).toEqual({ provider: 'lokal', alias: 'lokal-chat', chatChain: ['lokal-chat'] });

    const file = readFileSync(path.join(server.polett.config.dataDir, 'polett.json'), 'utf8');
    expect(file).not.toContain('sk-hemlig-123');
    expect(JSON.parse(file)).toMatchObject({
      providers: {
        lokal: { type: 'openai-compatible', baseURL: upstream.url, apiKey: { secret: 'provider-lokal' } },
      },
      tasks: { chat: ['lokal-chat'] },
    });
    expect(server.polett.storage.secrets.get('provider-lokal')).toBe('sk-hemlig-123');

    const tested = await server.app.request(`${base}/models/chat/test`, {
      method: 'POST',
      headers: owner.writeHeaders,
    });
    expect(tested.status).toBe(200);
    expect(((await tested.json()) as { text: string }).text).toBe('Hej från servern!');

    const audit = (await (
      await server.app.request(`${base}/audit?limit=5`, { headers: owner.headers })
    ).json()) as {
      entries: Array<{ action: string; target: string }>;
    };
    expect(audit.entries[0]).toMatchObject({ action: 'provider.saved', target: 'lokal' });
    await server.close();
  });

  it('refuses a viewer, and leaves the file as it was after a wrong value', async () => {
    const { server, workspace, owner, viewer } = await setUp();
    const base = `/api/workspaces/${workspace.id}`;
    const refused = await server.app.request(`${base}/providers`, {
      method: 'POST',
      headers: viewer.writeHeaders,
      body: JSON.stringify({ name: 'x', baseURL: upstream.url, model: 'ok' }),
    });
    expect(refused.status).toBe(403);
    const wrong = await server.app.request(`${base}/providers`, {
      method: 'POST',
      headers: owner.writeHeaders,
      body: JSON.stringify({ name: 'x', baseURL: 'inte en adress', model: 'ok' }),
    });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { error: { field: string } }).error.field).toBe('baseURL');
    expect(readFileSync(path.join(server.polett.config.dataDir, 'polett.json'), 'utf8')).toBe('{}');
    await server.close();
  });

  it('refuses to turn a provider of another type into an OpenAI-compatible one', async () => {
    const server = buildPlatformServer({
      providers: { claude: { type: 'anthropic', apiKey: { env: 'ANTHROPIC_API_KEY' } } },
    });
    const owner = await buildUser(server.platform);
    const workspace = buildWorkspace(server.platform, { owner });
    const session = buildSession(server.platform, owner);
    const before = readFileSync(path.join(server.polett.config.dataDir, 'polett.json'), 'utf8');
    const response = await server.app.request(`/api/workspaces/${workspace.id}/providers`, {
      method: 'POST',
      headers: session.writeHeaders,
      body: JSON.stringify({ name: 'claude', baseURL: upstream.url, apiKey: 'sk-x', model: 'ok' }),
    });
    expect(response.status).toBe(409);
    expect(readFileSync(path.join(server.polett.config.dataDir, 'polett.json'), 'utf8')).toBe(before);
    expect(server.polett.storage.secrets.names()).toEqual([]);
    await server.close();
  });
});
