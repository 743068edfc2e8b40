import { afterEach, describe, expect, it } from 'vitest';
import {
  buildApiKey,
  buildPlatformServer,
  buildSession,
  buildUser,
  buildWorkspace,
} from '../../test-support/builders.js';
import { PERMISSIONS, can, ROLES, type Permission, type Role } from '../platform/index.js';

type Server = ReturnType<typeof buildPlatformServer>;
let server: Server | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function workspaceWithEveryRole() {
  server = buildPlatformServer();
  const { platform } = server;
  const users = {} as Record<Role, Awaited<ReturnType<typeof buildUser>>>;
  for (const role of ROLES)
    users[role] = await buildUser(platform, { email: `${role}@example.se`, name: role });
  const target = await buildUser(platform, { email: 'target@example.se' });
  const workspace = buildWorkspace(platform, {
    name: 'Roller AB',
    owner: users.owner,
    members: [
      ...ROLES.filter((role) => role !== 'owner').map((role) => ({ user: users[role], role })),
      { user: target, role: 'viewer' },
    ],
  });
  return { server, platform, users, target, workspace };
}

describe('roles over HTTP', () => {
  it('refuses every route the roles table denies with 403, and lets through what it allows', async () => {
    const { server, platform, users, target, workspace } = await workspaceWithEveryRole();
    const key = platform.forWorkspace(workspace.id).apiKeys.create({ name: 'k', scopes: ['read'] }).record;
    const base = `/api/workspaces/${workspace.id}`;
    // One request per permission, harmless enough to repeat for each role.
    const probes: Record<
      Exclude<Permission, 'inbox.reply' | 'content.write' | 'knowledge.write' | 'models.manage'>,
      { method: string; path: string; body?: unknown }
    > = {
      read: { method: 'GET', path: `${base}/members` },
      'audit.read': { method: 'GET', path: `${base}/audit` },
      'keys.manage': { method: 'GET', path: `${base}/keys` },
      'members.manage': { method: 'PATCH', path: `${base}/members/${target.id}`, body: { role: 'viewer' } },
      'workspace.manage': { method: 'PATCH', path: base, body: { conversationRetentionDays: 90 } },
    };
    for (const role of ROLES) {
      const session = buildSession(platform, users[role]);
      for (const [permission, probe] of Object.entries(probes)) {
        const response = await server.app.request(probe.path, {
          method: probe.method,
          headers: probe.method === 'GET' ? session.headers : session.writeHeaders,
          ...(probe.body ? { body: JSON.stringify(probe.body) } : {}),
        });
        const expected = can(role, permission as Permission) ? 200 : 403;
        expect({ role, permission, status: response.status }).toEqual({ role, permission, status: expected });
      }
    }
    // Revoking is a keys.manage write: an agent and a viewer are refused, an admin is not.
    for (const role of ['agent', 'viewer', 'editor'] as const) {
      const response = await server.app.request(`${base}/keys/${key.id}`, {
        method: 'DELETE',
        headers: buildSession(platform, users[role]).writeHeaders,
      });
      expect(response.status).toBe(403);
    }
    expect(platform.forWorkspace(workspace.id).apiKeys.get(key.id)?.revokedAt).toBeNull();
  });

  it('lets only an owner make an owner, and keeps the last owner', async () => {
    const { server, platform, users, workspace } = await workspaceWithEveryRole();
    const base = `/api/workspaces/${workspace.id}/members`;
    const admin = buildSession(platform, users.admin);
    const owner = buildSession(platform, users.owner);
    const promote = await server.app.request(`${base}/${users.editor.id}`, {
      method: 'PATCH',
      headers: admin.writeHeaders,
      body: JSON.stringify({ role: 'owner' }),
    });
    expect(promote.status).toBe(403);
    const demoteOwner = await server.app.request(`${base}/${users.owner.id}`, {
      method: 'PATCH',
      headers: admin.writeHeaders,
      body: JSON.stringify({ role: 'viewer' }),
    });
    expect(demoteOwner.status).toBe(403);
    const removeSelf = await server.app.request(`${base}/${users.owner.id}`, {
      method: 'DELETE',
      headers: owner.writeHeaders,
    });
    expect(removeSelf.status).toBe(409);
    expect(await removeSelf.json()).toMatchObject({ error: { code: 'last_owner' } });
    const makeOwner = await server.app.request(`${base}/${users.admin.id}`, {
      method: 'PATCH',
      headers: owner.writeHeaders,
      body: JSON.stringify({ role: 'owner' }),
    });
    expect(makeOwner.status).toBe(200);
    expect(
      (
        await server.app.request(`${base}/${users.owner.id}`, {
          method: 'DELETE',
          headers: owner.writeHeaders,
        })
      ).status,
    ).toBe(204);
    expect(platform.workspaces.roleOf(workspace.id, users.owner.id)).toBeUndefined();
  });
});

describe('workspace administration', () => {
  it('creates, lists and revokes API keys; the key is shown once and works for /v1 in its workspace', async () => {
    server = buildPlatformServer();
    const { app, platform } = server;
    const owner = await buildUser(platform);
    const workspace = buildWorkspace(platform, { owner });
    const session = buildSession(platform, owner);
    const base = `/api/workspaces/${workspace.id}/keys`;
    const created = await app.request(base, {
      method: 'POST',
      headers: session.writeHeaders,
      body: JSON.stringify({ name: 'Webbplatsen', scopes: ['inference', 'read'] }),
    });
    expect(created.status).toBe(201);
    const { key, secret } = (await created.json()) as { key: { id: string; prefix: string }; secret: string };
    expect(secret.startsWith(key.prefix)).toBe(true);

    const listed = (await (await app.request(base, { headers: session.headers })).json()) as {
      keys: Array<Record<string, unknown>>;
    };
    expect(listed.keys).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(secret);
    expect(listed.keys[0]).toMatchObject({
      name: 'Webbplatsen',
      scopes: ['inference', 'read'],
      lastUsedAt: null,
    });

    expect((await app.request('/v1/models', { headers: { authorization: `Bearer ${secret}` } })).status).toBe(
      200,
    );
    const me = (await (
      await app.request('/api/me', { headers: { authorization: `Bearer ${secret}` } })
    ).json()) as {
      apiKey: { workspaceId: string; lastUsedAt: string | null };
    };
    expect(me.apiKey.workspaceId).toBe(workspace.id);
    expect(me.apiKey.lastUsedAt).not.toBeNull();

    const revoked = await app.request(`${base}/${key.id}`, {
      method: 'DELETE',
      headers: session.writeHeaders,
    });
    expect(revoked.status).toBe(200);
    expect((await app.request('/v1/models', { headers: { authorization: `Bearer ${secret}` } })).status).toBe(
      401,
    );
    expect(
      (await app.request(`${base}/${key.id}`, { method: 'DELETE', headers: session.writeHeaders })).status,
    ).toBe(404);
  });

  it('changes settings and audits every change, newest first, a page at a time', async () => {
    server = buildPlatformServer();
    const { app, platform } = server;
    const owner = await buildUser(platform, { email: 'owner@example.se' });
    const workspace = buildWorkspace(platform, { owner });
    const session = buildSession(platform, owner);
    const base = `/api/workspaces/${workspace.id}`;
    const updated = await app.request(base, {
      method: 'PATCH',
      headers: session.writeHeaders,
      body: JSON.stringify({ name: 'Nytt Namn', conversationRetentionDays: 30, feedbackRetentionDays: null }),
    });
    expect(updated.status).toBe(200);
    expect(await updated.json()).toMatchObject({
      name: 'Nytt Namn',
      conversationRetentionDays: 30,
      feedbackRetentionDays: null,
    });
    const invalid = await app.request(base, {
      method: 'PATCH',
      headers: session.writeHeaders,
      body: JSON.stringify({ conversationRetentionDays: -1 }),
    });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({
      error: { code: 'invalid_request', field: 'conversationRetentionDays' },
    });

    const key = buildApiKey(platform, workspace.id, ['admin']);
    await app.request(`${base}/keys`, {
      method: 'POST',
      headers: key.headers,
      body: JSON.stringify({ name: 'a', scopes: ['read'] }),
    });
    await app.request(`${base}/members`, {
      method: 'POST',
      headers: session.writeHeaders,
      body: JSON.stringify({ email: 'ny@example.se', role: 'viewer' }),
    });

    const first = (await (
      await app.request(`${base}/audit?limit=2`, { headers: session.headers })
    ).json()) as {
      entries: Array<{ action: string; actor: { type: string; label: string } }>;
      nextBefore: number | null;
    };
    expect(first.entries.map((entry) => entry.action)).toEqual(['member.invited', 'key.created']);
    expect(first.entries[1]!.actor).toMatchObject({ type: 'api-key', label: 'key admin' });
    const second = (await (
      await app.request(`${base}/audit?limit=2&before=${first.nextBefore}`, { headers: session.headers })
    ).json()) as typeof first;
    expect(second.entries.map((entry) => entry.action)).toEqual(['workspace.updated']);
    expect(second.nextBefore).toBeNull();
  });

  it('summarises the usage ledger of its own workspace per day and task', async () => {
    server = buildPlatformServer();
    const { app, platform, polett } = server;
    const owner = await buildUser(platform);
    const workspace = buildWorkspace(platform, { owner });
    const other = buildWorkspace(platform, { owner, name: 'Annan' });
    const record = (workspaceId: string, at: string, task: string, inputTokens: number, cost: number) =>
      polett.storage.usage.record({
        at,
        workspaceId,
        task,
        provider: 'p',
        model: 'm',
        inputTokens,
        outputTokens: 1,
        latencyMs: 5,
        cost,
        currency: 'SEK',
        ok: true,
        errorCode: null,
      });
    const today = new Date().toISOString().slice(0, 10);
    record(workspace.id, `${today}T08:00:00.000Z`, 'chat', 10, 0.5);
    record(workspace.id, `${today}T09:00:00.000Z`, 'chat', 20, 0.25);
    record(workspace.id, `${today}T09:00:00.000Z`, 'embed', 7, 0);
    record(other.id, `${today}T09:00:00.000Z`, 'chat', 1000, 9);
    const response = await app.request(`/api/workspaces/${workspace.id}/usage`, {
      headers: buildSession(platform, owner).headers,
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { rows: unknown[] };
    expect(body.rows).toEqual([
      { day: today, task: 'chat', calls: 2, inputTokens: 30, outputTokens: 2, cost: 0.75, currency: 'SEK' },
      { day: today, task: 'embed', calls: 1, inputTokens: 7, outputTokens: 1, cost: 0, currency: 'SEK' },
    ]);
  });
});

describe('the OpenAPI document', () => {
  it('describes every /api route, the /v1 routes and the error shape, and serves a reference page', async () => {
    server = buildPlatformServer();
    const document = (await (await server.app.request('/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { security?: unknown; requestBody?: unknown }>>;
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
    };
    expect(document.openapi).toBe('3.1.0');
    const documented = new Set(
      Object.entries(document.paths).flatMap(([path, operations]) =>
        Object.keys(operations).map(
          (method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`,
        ),
      ),
    );
    const registered = server.app.routes
      .filter(
        (route) =>
          route.method !== 'ALL' && (route.path.startsWith('/api/') || route.path.startsWith('/v1/')),
      )
      .map((route) => `${route.method} ${route.path}`);
    expect(registered.filter((route) => !documented.has(route))).toEqual([]);
    expect(document.components.schemas).toHaveProperty('Error');
    expect(document.components.schemas).toHaveProperty('Workspace');
    expect(Object.keys(document.components.securitySchemes)).toEqual(['session', 'apiKey']);
    expect(PERMISSIONS.length).toBeGreaterThan(0);

    const docs = await server.app.request('/docs');
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('/openapi.json');
    const script = await server.app.request('/docs/assets/swagger-ui-bundle.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('javascript');
  });
});
