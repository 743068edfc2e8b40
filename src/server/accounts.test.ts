import { afterEach, describe, expect, it } from 'vitest';
import {
  BUILT_USER_PASSWORD,
  buildApiKey,
  buildPlatformServer,
  buildSession,
  buildUser,
  buildWorkspace,
} from '../../test-support/builders.js';

type Server = ReturnType<typeof buildPlatformServer>;
let server: Server | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const json = { 'content-type': 'application/json' };
const fromAddress = (ip: string) => ({ incoming: { socket: { remoteAddress: ip } } });

function cookieHeaderFrom(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ');
}

function csrfFrom(response: Response): string {
  const cookie = response.headers.getSetCookie().find((value) => value.startsWith('polett_csrf='));
  return cookie!.split(';')[0]!.slice('polett_csrf='.length);
}

const owner = {
  email: 'Agare@Kafferosteriet.se',
  name: 'Åsa Ägare',
  password: 'en lång och bra mening',
  workspaceName: 'Kafferosteriet AB',
  locale: 'sv',
};

describe('first-run set-up', () => {
  it('creates the owner and the first workspace once, then answers 409', async () => {
    server = buildPlatformServer();
    const { app, platform } = server;
    expect(await (await app.request('/api/setup')).json()).toEqual({ ownerExists: false });

    const created = await app.request('/api/setup', {
      method: 'POST',
      headers: json,
      body: JSON.stringify(owner),
    });
    expect(created.status).toBe(201);
    const body = (await created.json()) as {
      user: { email: string };
      workspaces: Array<{ role: string; workspace: { slug: string } }>;
    };
    expect(body.user.email).toBe(owner.email);
    expect(body.workspaces).toMatchObject([{ role: 'owner', workspace: { slug: 'kafferosteriet-ab' } }]);
    const cookies = created.headers.getSetCookie();
    expect(cookies.find((cookie) => cookie.startsWith('polett_session='))).toMatch(/HttpOnly/);
    expect(cookies.find((cookie) => cookie.startsWith('polett_session='))).toMatch(/SameSite=Lax/);
    expect(cookies.find((cookie) => cookie.startsWith('polett_session='))).not.toMatch(/Secure/);
    expect(cookies.find((cookie) => cookie.startsWith('polett_csrf='))).not.toMatch(/HttpOnly/);
    expect(platform.users.findByEmail('agare@kafferosteriet.se')?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(created.headers.get('cache-control')).toBe('no-store');

    expect(await (await app.request('/api/setup')).json()).toEqual({ ownerExists: true });
    const again = await app.request('/api/setup', {
      method: 'POST',
      headers: { ...json, 'accept-language': 'en' },
      body: JSON.stringify({ ...owner, email: 'another@example.se' }),
    });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({
      error: { code: 'setup_done', message: expect.stringMatching(/already has an owner/) },
    });
  });

  it('marks the session cookie Secure over https, and refuses a short password in the caller’s language', async () => {
    server = buildPlatformServer();
    const weak = await server.app.request('https://polett.example.se/api/setup', {
      method: 'POST',
      headers: { ...json, 'accept-language': 'sv-SE,sv;q=0.9' },
      body: JSON.stringify({ ...owner, password: 'kort' }),
    });
    expect(weak.status).toBe(400);
    expect(await weak.json()).toMatchObject({
      error: { code: 'password_weak', field: 'password', message: expect.stringMatching(/^Lösenordet/) },
    });
    const created = await server.app.request('https://polett.example.se/api/setup', {
      method: 'POST',
      headers: json,
      body: JSON.stringify(owner),
    });
    expect(created.status).toBe(201);
    expect(created.headers.getSetCookie().every((cookie) => /; Secure/.test(cookie))).toBe(true);
  });
});

describe('signing in', () => {
  it('signs in with the right password (any letter case in the address) and audits wrong ones', async () => {
    server = buildPlatformServer();
    const { app, platform } = server;
    const user = await buildUser(platform, { email: 'Bo@Example.se' });
    const workspace = buildWorkspace(platform, { owner: user });

    const wrong = await app.request(
      '/api/session',
      {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ email: 'bo@example.se', password: 'fel lösenord!!' }),
      },
      fromAddress('10.0.0.1'),
    );
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: { code: 'credentials_invalid' } });
    const unknown = await app.request('/api/session', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email: 'ingen@example.se', password: 'fel lösenord!!' }),
    });
    expect(unknown.status).toBe(401);

    const right = await app.request(
      '/api/session',
      {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ email: 'BO@example.SE', password: BUILT_USER_PASSWORD }),
      },
      fromAddress('10.0.0.1'),
    );
    expect(right.status).toBe(200);
    const me = await app.request('/api/me', { headers: { cookie: cookieHeaderFrom(right) } });
    expect(((await me.json()) as { user: { id: string } }).user.id).toBe(user.id);

    const actions = platform
      .forWorkspace(workspace.id)
      .audit.list({ limit: 10 })
      .map((entry) => [entry.action, entry.ip]);
    expect(actions).toEqual([
      ['auth.sign_in', '10.0.0.1'],
      ['auth.sign_in_failed', '10.0.0.1'],
    ]);
  });

  it('refuses a sign-in posted as a form (what a cross-site page could send without JavaScript)', async () => {
    server = buildPlatformServer();
    const response = await server.app.request('/api/session', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=a%40example.se&password=abcdefghijkl',
    });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
  });

  it('makes an account wait after repeated failures (429 with Retry-After), even with the right password', async () => {
    server = buildPlatformServer({
      server: {
        rateLimit: {
          signInPerAccount: { requests: 3, windowSeconds: 600 },
          signInPerIp: { requests: 50, windowSeconds: 600 },
        },
      },
    });
    const { app, platform } = server;
    await buildUser(platform, { email: 'cia@example.se' });
    const attempt = (password: string, ip: string) =>
      app.request(
        '/api/session',
        { method: 'POST', headers: json, body: JSON.stringify({ email: 'cia@example.se', password }) },
        fromAddress(ip),
      );
    for (let index = 0; index < 3; index += 1)
      expect((await attempt('fel lösenord!!', `10.0.0.${index}`)).status).toBe(401);
    const blocked = await attempt(BUILT_USER_PASSWORD, '10.0.0.9');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await blocked.json()).toMatchObject({ error: { code: 'sign_in_rate_limited', retryable: true } });
  });

  it('makes an address wait after failures across many accounts', async () => {
    server = buildPlatformServer({
      server: { rateLimit: { signInPerIp: { requests: 2, windowSeconds: 600 } } },
    });
    const attempt = (email: string) =>
      server!.app.request(
        '/api/session',
        { method: 'POST', headers: json, body: JSON.stringify({ email, password: 'gissning nummer ett' }) },
        fromAddress('192.0.2.7'),
      );
    expect((await attempt('a@example.se')).status).toBe(401);
    expect((await attempt('b@example.se')).status).toBe(401);
    expect((await attempt('c@example.se')).status).toBe(429);
  });
});

describe('sessions', () => {
  it('refuses an expired session', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    server = buildPlatformServer({}, { now: () => now });
    const user = await buildUser(server.platform);
    const session = buildSession(server.platform, user);
    expect((await server.app.request('/api/me', { headers: session.headers })).status).toBe(200);
    now = new Date('2026-01-16T00:00:00Z');
    const expired = await server.app.request('/api/me', { headers: session.headers });
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ error: { code: 'authentication_required' } });
  });

  it('refuses a cookie-authenticated write without the CSRF token, and accepts it with the token', async () => {
    server = buildPlatformServer();
    const user = await buildUser(server.platform);
    const session = buildSession(server.platform, user);
    const body = JSON.stringify({ name: 'Ny Arbetsyta' });
    const withoutToken = await server.app.request('/api/workspaces', {
      method: 'POST',
      headers: { cookie: session.headers.cookie!, 'content-type': 'application/json' },
      body,
    });
    expect(withoutToken.status).toBe(403);
    expect(await withoutToken.json()).toMatchObject({ error: { code: 'csrf_token_invalid' } });
    const wrongToken = await server.app.request('/api/workspaces', {
      method: 'POST',
      headers: { ...session.writeHeaders, 'x-csrf-token': 'x'.repeat(64) },
      body,
    });
    expect(wrongToken.status).toBe(403);
    const withToken = await server.app.request('/api/workspaces', {
      method: 'POST',
      headers: session.writeHeaders,
      body,
    });
    expect(withToken.status).toBe(201);
    expect(server.platform.workspaces.listForUser(user.id)).toHaveLength(1);
  });

  it('signs out everywhere: every session of the user ends', async () => {
    server = buildPlatformServer();
    const user = await buildUser(server.platform);
    const first = buildSession(server.platform, user);
    const second = buildSession(server.platform, user);
    const response = await server.app.request('/api/sessions', {
      method: 'DELETE',
      headers: first.writeHeaders,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ sessionsEnded: 2 });
    expect((await server.app.request('/api/me', { headers: first.headers })).status).toBe(401);
    expect((await server.app.request('/api/me', { headers: second.headers })).status).toBe(401);
  });

  it('signs out of one browser only', async () => {
    server = buildPlatformServer();
    const user = await buildUser(server.platform);
    const first = buildSession(server.platform, user);
    const second = buildSession(server.platform, user);
    expect(
      (await server.app.request('/api/session', { method: 'DELETE', headers: first.writeHeaders })).status,
    ).toBe(204);
    expect((await server.app.request('/api/me', { headers: first.headers })).status).toBe(401);
    expect((await server.app.request('/api/me', { headers: second.headers })).status).toBe(200);
  });

  it('changes the password, keeps this session and ends the others', async () => {
    server = buildPlatformServer();
    const { app, platform } = server;
    const user = await buildUser(platform, { email: 'dan@example.se' });
    const here = buildSession(platform, user);
    const elsewhere = buildSession(platform, user);
    const wrong = await app.request('/api/me/password', {
      method: 'POST',
      headers: here.writeHeaders,
      body: JSON.stringify({ currentPassword: 'inte rätt alls', newPassword: 'ett helt nytt lösenord' }),
    });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error: { code: 'password_wrong', field: 'currentPassword' } });

    const changed = await app.request('/api/me/password', {
      method: 'POST',
      headers: here.writeHeaders,
      body: JSON.stringify({ currentPassword: BUILT_USER_PASSWORD, newPassword: 'ett helt nytt lösenord' }),
    });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toEqual({ sessionsEnded: 1 });
    expect((await app.request('/api/me', { headers: here.headers })).status).toBe(200);
    expect((await app.request('/api/me', { headers: elsewhere.headers })).status).toBe(401);
    const signIn = (password: string) =>
      app.request('/api/session', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ email: 'dan@example.se', password }),
      });
    expect((await signIn(BUILT_USER_PASSWORD)).status).toBe(401);
    expect((await signIn('ett helt nytt lösenord')).status).toBe(200);
  });

  it('speaks the user’s saved language', async () => {
    server = buildPlatformServer();
    const user = await buildUser(server.platform, { locale: 'sv' });
    const session = buildSession(server.platform, user);
    const response = await server.app.request('/api/workspaces/finns-inte', {
      headers: { ...session.headers, 'accept-language': 'en' },
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({
      error: { message: expect.stringMatching(/^Arbetsytan finns inte/) },
    });
  });
});

describe('limits and API keys', () => {
  it('refuses an oversized body with 413', async () => {
    server = buildPlatformServer({ server: { bodyLimitBytes: 2048 } });
    const response = await server.app.request('/api/session', {
      method: 'POST',
      headers: { ...json, 'content-length': '5000' },
      body: JSON.stringify({ email: 'a@example.se', password: 'x'.repeat(4900) }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: 'body_too_large' } });
  });

  it('rate-limits per IP address and per API key with 429 and Retry-After', async () => {
    server = buildPlatformServer({
      server: {
        rateLimit: {
          perIp: { requests: 3, windowSeconds: 60 },
          perApiKey: { requests: 2, windowSeconds: 60 },
        },
      },
    });
    const { app } = server;
    const statuses: number[] = [];
    for (let index = 0; index < 4; index += 1)
      statuses.push((await app.request('/api/setup', {}, fromAddress('198.51.100.1'))).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    // Another address is not affected.
    expect((await app.request('/api/setup', {}, fromAddress('198.51.100.2'))).status).toBe(200);

    const user = await buildUser(server.platform);
    const workspace = buildWorkspace(server.platform, { owner: user });
    const key = buildApiKey(server.platform, workspace.id, ['read']);
    const byKey: Response[] = [];
    for (let index = 0; index < 3; index += 1)
      byKey.push(await app.request('/api/me', { headers: key.headers }, fromAddress(`203.0.113.${index}`)));
    expect(byKey.map((response) => response.status)).toEqual([200, 200, 429]);
    expect(Number(byKey[2]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await byKey[2]!.json()).toMatchObject({ error: { code: 'rate_limited' } });
    // Also on the OpenAI-compatible API.
    expect(
      (await app.request('/v1/models', { headers: key.headers }, fromAddress('203.0.113.9'))).status,
    ).toBe(429);
  });

  it('refuses a key with the wrong scope, an inference-only key on the REST API, and a revoked key', async () => {
    server = buildPlatformServer();
    const { app, platform } = server;
    const user = await buildUser(platform);
    const workspace = buildWorkspace(platform, { owner: user });
    const reader = buildApiKey(platform, workspace.id, ['read']);
    const inference = buildApiKey(platform, workspace.id, ['inference']);

    expect(
      (await app.request(`/api/workspaces/${workspace.id}/members`, { headers: reader.headers })).status,
    ).toBe(200);
    const keys = await app.request(`/api/workspaces/${workspace.id}/keys`, { headers: reader.headers });
    expect(keys.status).toBe(403);
    expect(await keys.json()).toMatchObject({ error: { code: 'permission_denied' } });
    expect(
      (await app.request(`/api/workspaces/${workspace.id}`, { headers: inference.headers })).status,
    ).toBe(403);
    expect((await app.request('/v1/models', { headers: reader.headers })).status).toBe(403);
    expect((await app.request('/v1/models', { headers: inference.headers })).status).toBe(200);
    // A key needs no CSRF token: a browser never sends Authorization on its own.
    const created = await app.request('/api/workspaces', {
      method: 'POST',
      headers: reader.headers,
      body: '{"name":"x"}',
    });
    expect(created.status).toBe(403);
    expect(await created.json()).toMatchObject({ error: { code: 'user_required' } });

    platform.forWorkspace(workspace.id).apiKeys.revoke(reader.id);
    const revoked = await app.request(`/api/workspaces/${workspace.id}`, { headers: reader.headers });
    expect(revoked.status).toBe(401);
    expect((await app.request('/api/me', { headers: { authorization: 'Basic abc' } })).status).toBe(401);
  });
});

describe('invitations', () => {
  it('invites a new person with a one-time token that sets their password', async () => {
    server = buildPlatformServer();
    const { app, platform } = server;
    const user = await buildUser(platform);
    const workspace = buildWorkspace(platform, { owner: user });
    const session = buildSession(platform, user);
    const invited = await app.request(`/api/workspaces/${workspace.id}/members`, {
      method: 'POST',
      headers: session.writeHeaders,
      body: JSON.stringify({ email: 'Eva@Example.se', role: 'agent' }),
    });
    expect(invited.status).toBe(201);
    const { token } = (await invited.json()) as { token: string };
    expect(token).toMatch(/^pli_/);

    const accept = (password: string) =>
      app.request('/api/invitations/accept', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ token, name: 'Eva Agent', password, locale: 'sv' }),
      });
    const accepted = await accept('evas eget lösenord');
    expect(accepted.status).toBe(201);
    const body = (await accepted.json()) as { workspaces: Array<{ role: string }>; csrfToken: string };
    expect(body.workspaces).toMatchObject([{ role: 'agent' }]);
    expect(body.csrfToken).toBe(csrfFrom(accepted));
    expect((await accept('evas eget lösenord')).status).toBe(404);
  });

  it('adds a person who has an account at once, lets only an owner invite an owner, and withdraws an invitation', async () => {
    server = buildPlatformServer();
    const { app, platform } = server;
    const owner = await buildUser(platform);
    const admin = await buildUser(platform);
    const existing = await buildUser(platform, { email: 'finns@example.se' });
    const workspace = buildWorkspace(platform, { owner, members: [{ user: admin, role: 'admin' }] });
    const base = `/api/workspaces/${workspace.id}`;
    const adminSession = buildSession(platform, admin);
    const invite = (body: unknown) =>
      app.request(`${base}/members`, {
        method: 'POST',
        headers: adminSession.writeHeaders,
        body: JSON.stringify(body),
      });

    const joined = await invite({ email: 'FINNS@example.se', role: 'editor' });
    expect(joined.status).toBe(201);
    expect(await joined.json()).toMatchObject({ member: { userId: existing.id, role: 'editor' } });
    expect((await invite({ email: 'ny@example.se', role: 'owner' })).status).toBe(403);

    const pending = (await (await invite({ email: 'ny@example.se', role: 'viewer' })).json()) as {
      invitation: { id: string };
    };
    const list = (await (await app.request(`${base}/members`, { headers: adminSession.headers })).json()) as {
      members: unknown[];
      invitations: Array<{ id: string }>;
    };
    expect(list.members).toHaveLength(3);
    expect(list.invitations.map((invitation) => invitation.id)).toEqual([pending.invitation.id]);
    const withdrawn = await app.request(`${base}/invitations/${pending.invitation.id}`, {
      method: 'DELETE',
      headers: adminSession.writeHeaders,
    });
    expect(withdrawn.status).toBe(204);
    expect(platform.forWorkspace(workspace.id).invitations.listPending()).toEqual([]);
  });

  it('saves a person’s language and answers in it', async () => {
    server = buildPlatformServer();
    const user = await buildUser(server.platform, { locale: 'en' });
    const session = buildSession(server.platform, user);
    const changed = await server.app.request('/api/me', {
      method: 'PATCH',
      headers: session.writeHeaders,
      body: JSON.stringify({ locale: 'sv', name: 'Ny Namnsson' }),
    });
    expect(await changed.json()).toMatchObject({ locale: 'sv', name: 'Ny Namnsson' });
    const refused = await server.app.request('/api/workspaces/saknas/keys', { headers: session.headers });
    expect(await refused.json()).toMatchObject({ error: { message: expect.stringMatching(/^Arbetsytan/) } });
  });
});
