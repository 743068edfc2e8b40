import { afterEach, describe, expect, it } from 'vitest';
import { buildApiKey, buildPolett, buildUser, buildWorkspace } from '../../test-support/builders.js';
import type { Polett } from '../polett.js';
import { openPlatform, RateLimiter, slugify } from './index.js';

let polett: Polett | undefined;
afterEach(async () => {
  await polett?.close();
  polett = undefined;
});

function build() {
  polett = buildPolett();
  return openPlatform(polett.storage);
}

describe('the platform stores', () => {
  it('keeps e-mail addresses unique whatever their letter case', async () => {
    const platform = build();
    await buildUser(platform, { email: 'Åsa@Example.se' });
    await expect(buildUser(platform, { email: 'åsa@example.SE' })).rejects.toThrow(/UNIQUE/);
    expect(platform.users.findByEmail('ÅSA@EXAMPLE.SE ')?.user.email).toBe('Åsa@Example.se');
  });

  it('reaches a workspace’s data only through its scope: ids from another workspace match nothing', async () => {
    const platform = build();
    const owner = await buildUser(platform);
    const a = buildWorkspace(platform, { owner, name: 'A' });
    const b = buildWorkspace(platform, { owner, name: 'B' });
    const keyOfB = buildApiKey(platform, b.id);
    const invitationOfB = platform
      .forWorkspace(b.id)
      .invitations.create({ email: 'x@example.se', role: 'viewer', invitedBy: null });
    const scopeOfA = platform.forWorkspace(a.id);
    expect(scopeOfA.apiKeys.get(keyOfB.id)).toBeUndefined();
    expect(scopeOfA.apiKeys.revoke(keyOfB.id)).toBe(false);
    expect(scopeOfA.invitations.revoke(invitationOfB.record.id)).toBe(false);
    expect(scopeOfA.apiKeys.list()).toEqual([]);
    platform
      .forWorkspace(b.id)
      .audit.record({ actor: { type: 'system', id: null, label: null }, action: 'b.only' });
    expect(scopeOfA.audit.list({ limit: 10 })).toEqual([]);
    expect(platform.forWorkspace(b.id).apiKeys.get(keyOfB.id)?.revokedAt).toBeNull();
  });

  it('verifies a workspace key through the foundation’s key store, with its workspace', async () => {
    const platform = build();
    const owner = await buildUser(platform);
    const workspace = buildWorkspace(platform, { owner });
    const key = buildApiKey(platform, workspace.id, ['read']);
    expect(polett!.storage.apiKeys.verify(key.secret)).toMatchObject({
      workspaceId: workspace.id,
      scopes: ['read'],
    });
  });

  it('ends every session of a user, or every one but the current', async () => {
    const platform = build();
    const user = await buildUser(platform);
    const first = platform.sessions.create(user.id);
    platform.sessions.create(user.id);
    platform.sessions.create(user.id);
    expect(platform.sessions.deleteAllForUser(user.id, first.record.idHash)).toBe(2);
    expect(platform.sessions.verify(first.secret)?.userId).toBe(user.id);
    expect(platform.sessions.deleteAllForUser(user.id)).toBe(1);
    expect(platform.sessions.verify(first.secret)).toBeUndefined();
  });

  it('sweeps expired sessions when a new one starts', async () => {
    polett = buildPolett();
    let now = new Date('2026-01-01T00:00:00Z');
    const platform = openPlatform(polett.storage, { now: () => now, sessionDays: 1 });
    const user = await buildUser(platform);
    platform.sessions.create(user.id);
    now = new Date('2026-01-03T00:00:00Z');
    platform.sessions.create(user.id);
    expect(platform.sessions.countForUser(user.id)).toBe(1);
  });

  it('makes URL names from company names', () => {
    expect(slugify('Kaffe & Kakor AB')).toBe('kaffe-kakor-ab');
    expect(slugify('Åkesson Öl')).toBe('akesson-ol');
    expect(slugify('!!!')).toBe('workspace');
  });
});

describe('the rate limiter', () => {
  it('allows a burst, then says how long to wait, and refills with time', () => {
    let now = 0;
    const limiter = new RateLimiter({ requests: 2, windowSeconds: 60 }, () => now);
    expect(limiter.take('a')).toEqual({ allowed: true });
    expect(limiter.take('a')).toEqual({ allowed: true });
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 30 });
    expect(limiter.take('b')).toEqual({ allowed: true });
    now = 30_000;
    expect(limiter.take('a')).toEqual({ allowed: true });
    expect(limiter.peek('a')).toMatchObject({ allowed: false });
  });
});
