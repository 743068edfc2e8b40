/** Test-data builders: a fresh data folder with a given configuration, opened as a Polett instance. */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PolettConfigInput } from '../src/config/index.js';
import {
  hashPassword,
  openPlatform,
  type ApiKeyScope,
  type Platform,
  type Role,
  type UserRecord,
  type WorkspaceRecord,
} from '../src/platform/index.js';
import { openPolett, type OpenPolettOptions, type Polett } from '../src/polett.js';
import { createApp } from '../src/server/app.js';
import {
  CSRF_COOKIE,
  CSRF_HEADER,
  csrfTokenFor,
  SESSION_COOKIE,
} from '../src/server/platform/session-cookies.js';

export function buildDataDir(config: PolettConfigInput = {}): { dataDir: string; remove: () => void } {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'polett-test-'));
  writeFileSync(path.join(dataDir, 'polett.json'), JSON.stringify(config, null, 2));
  return { dataDir, remove: () => rmSync(dataDir, { recursive: true, force: true }) };
}

/** Opens Polett on a fresh data folder; `close()` also removes the folder. */
export function buildPolett(
  config: PolettConfigInput = {},
  options: Omit<OpenPolettOptions, 'dataDir'> = {},
): Polett & { dataDir: string } {
  const { dataDir, remove } = buildDataDir(config);
  const polett = openPolett({ env: {}, ...options, dataDir });
  return {
    ...polett,
    dataDir,
    async close() {
      await polett.close();
      remove();
    },
  };
}

// ---- Platform: users, workspaces, sessions and keys, built straight in storage (no HTTP) ----

/** The password every built user has, unless a test chooses another. */
export const BUILT_USER_PASSWORD = 'korrekt häst batteri häftstift';

let builtPasswordHash: Promise<string> | undefined;

/** A user with a real argon2id hash of `password` (hashed once per test file for the default password). */
export async function buildUser(
  platform: Platform,
  options: { email?: string; name?: string; password?: string; locale?: 'sv' | 'en' } = {},
): Promise<UserRecord> {
  const password = options.password ?? BUILT_USER_PASSWORD;
  let passwordHash: string;
  if (password === BUILT_USER_PASSWORD) {
    builtPasswordHash ??= hashPassword(BUILT_USER_PASSWORD);
    passwordHash = await builtPasswordHash;
  } else passwordHash = await hashPassword(password);
  return platform.users.create({
    email: options.email ?? `user-${randomUUID().slice(0, 8)}@example.se`,
    name: options.name ?? 'Test Testsson',
    passwordHash,
    locale: options.locale ?? 'en',
  });
}

/** A workspace owned by `owner`, with other members in the given roles. */
export function buildWorkspace(
  platform: Platform,
  options: { name?: string; owner: UserRecord; members?: Array<{ user: UserRecord; role: Role }> },
): WorkspaceRecord {
  const workspace = platform.workspaces.create({
    name: options.name ?? `Arbetsyta ${randomUUID().slice(0, 6)}`,
    ownerUserId: options.owner.id,
  });
  for (const member of options.members ?? [])
    platform.forWorkspace(workspace.id).members.add(member.user.id, member.role);
  return workspace;
}

/** A signed-in browser: the cookie header to send and the CSRF token for writes. */
export interface BuiltSession {
  secret: string;
  csrfToken: string;
  /** Headers for a read (cookie only). */
  headers: Record<string, string>;
  /** Headers for a write (cookie, CSRF token and a JSON content type). */
  writeHeaders: Record<string, string>;
}

export function buildSession(platform: Platform, user: UserRecord): BuiltSession {
  const { secret } = platform.sessions.create(user.id);
  const csrfToken = csrfTokenFor(secret);
  const cookie = `${SESSION_COOKIE}=${secret}; ${CSRF_COOKIE}=${csrfToken}`;
  return {
    secret,
    csrfToken,
    headers: { cookie },
    writeHeaders: { cookie, [CSRF_HEADER]: csrfToken, 'content-type': 'application/json' },
  };
}

/** An API key of a workspace, with its bearer headers. */
export function buildApiKey(
  platform: Platform,
  workspaceId: string,
  scopes: ApiKeyScope[] = ['admin'],
): { id: string; secret: string; headers: Record<string, string> } {
  const { record, secret } = platform
    .forWorkspace(workspaceId)
    .apiKeys.create({ name: `key ${scopes.join('+')}`, scopes });
  return {
    id: record.id,
    secret,
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
  };
}

/** Polett with its HTTP app and the platform the app uses, sharing one clock. */
export function buildPlatformServer(
  config: PolettConfigInput = {},
  options: { now?: () => Date } = {},
): { polett: Polett; platform: Platform; app: ReturnType<typeof createApp>; close: () => Promise<void> } {
  const polett = buildPolett(config);
  const platform = openPlatform(polett.storage, options.now ? { now: options.now } : {});
  const now = options.now;
  const app = createApp({ ...polett, platform, ...(now ? { now: () => now().getTime() } : {}) });
  return { polett, platform, app, close: () => polett.close() };
}
