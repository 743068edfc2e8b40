/**
 * Accounts: first-run set-up, signing in and out, password changes and accepting an invitation.
 * The HTTP routes and the CLI call these; every sign-in, failed or not, reaches the audit log.
 */
import { PolettError, type Locale } from '../errors.js';
import { checkPasswordPolicy, hashPassword, verifyAgainstNothing, verifyPassword } from './passwords.js';
import { invalidCredentials, rateLimited } from './platform-errors.js';
import { RateLimiter, type RateLimit } from './rate-limiter.js';
import { emailKey } from './sqlite/sqlite-platform.js';
import type { AuditEntryInput, Platform, UserRecord, WorkspaceRecord } from './types.js';

export interface SetUpOwnerInput {
  email: string;
  name: string;
  password: string;
  locale: Locale;
  workspaceName: string;
}

function setupDone(): PolettError {
  return new PolettError({
    code: 'setup_done',
    status: 409,
    retryable: false,
    message: {
      sv: 'Polett har redan en ägare; logga in, eller be ägaren bjuda in dig.',
      en: 'Polett already has an owner; sign in, or ask the owner to invite you.',
    },
  });
}

function emailTaken(): PolettError {
  return new PolettError({
    code: 'email_taken',
    status: 409,
    retryable: false,
    field: 'email',
    message: {
      sv: 'Det finns redan ett konto med den e-postadressen; logga in med det i stället.',
      en: 'An account with that e-mail address exists already; sign in with it instead.',
    },
  });
}

/** First run: creates the owner's account and the company's first workspace, once. */
export async function setUpOwner(
  platform: Platform,
  input: SetUpOwnerInput,
  ip: string | null = null,
): Promise<{ user: UserRecord; workspace: WorkspaceRecord }> {
  if (platform.workspaces.hasOwner()) throw setupDone();
  checkPasswordPolicy(input.password);
  const passwordHash = await hashPassword(input.password);
  // Checked again after the slow hash: two set-up requests may have raced through the first check.
  if (platform.workspaces.hasOwner()) throw setupDone();
  if (platform.users.findByEmail(input.email)) throw emailTaken();
  const user = platform.users.create({
    email: input.email,
    name: input.name,
    passwordHash,
    locale: input.locale,
  });
  const workspace = platform.workspaces.create({ name: input.workspaceName, ownerUserId: user.id });
  platform.forWorkspace(workspace.id).audit.record({
    actor: { type: 'user', id: user.id, label: user.email },
    action: 'setup.completed',
    target: workspace.id,
    details: { workspaceName: workspace.name },
    ip,
  });
  return { user, workspace };
}

/** Limits on sign-in attempts: stricter than on other requests, per account and per IP address. */
export interface SignInLimits {
  perAccount: RateLimit;
  perIp: RateLimit;
}

/** Counts failed sign-ins; a person who keeps failing waits, and so does an address guessing many accounts. */
export class SignInGuard {
  private readonly accounts: RateLimiter;
  private readonly addresses: RateLimiter;

  constructor(limits: SignInLimits, now: () => number = Date.now) {
    this.accounts = new RateLimiter(limits.perAccount, now);
    this.addresses = new RateLimiter(limits.perIp, now);
  }

  /** Throws 429 when the account or the address has used up its attempts. */
  check(email: string, ip: string): void {
    for (const decision of [this.accounts.peek(emailKey(email)), this.addresses.peek(ip)]) {
      if (!decision.allowed) throw rateLimited(decision.retryAfterSeconds, 'sign-in');
    }
  }

  failed(email: string, ip: string): void {
    this.accounts.take(emailKey(email));
    this.addresses.take(ip);
  }

  succeeded(email: string): void {
    this.accounts.reset(emailKey(email));
  }
}

/** Records an event in every workspace the user belongs to, so that each workspace's owners see it. */
export function recordForUser(platform: Platform, userId: string, entry: AuditEntryInput): void {
  for (const { workspace } of platform.workspaces.listForUser(userId))
    platform.forWorkspace(workspace.id).audit.record(entry);
}

export interface SignInInput {
  email: string;
  password: string;
  ip: string;
  userAgent?: string | null;
}

/** Checks the password and starts a session; wrong attempts are audited and count towards the limits. */
export async function signIn(
  platform: Platform,
  guard: SignInGuard,
  input: SignInInput,
): Promise<{ user: UserRecord; sessionSecret: string }> {
  guard.check(input.email, input.ip);
  const found = platform.users.findByEmail(input.email);
  const valid =
    found?.passwordHash != null
      ? await verifyPassword(found.passwordHash, input.password)
      : await verifyAgainstNothing(input.password);
  if (!found || !valid) {
    guard.failed(input.email, input.ip);
    const entry: AuditEntryInput = {
      actor: {
        type: found ? 'user' : 'anonymous',
        id: found?.user.id ?? null,
        label: input.email.slice(0, 200),
      },
      action: 'auth.sign_in_failed',
      ip: input.ip,
    };
    if (found) recordForUser(platform, found.user.id, entry);
    else platform.instanceAudit.record(entry);
    throw invalidCredentials();
  }
  guard.succeeded(input.email);
  const { secret } = platform.sessions.create(found.user.id, {
    ip: input.ip,
    userAgent: input.userAgent ?? null,
  });
  recordForUser(platform, found.user.id, {
    actor: { type: 'user', id: found.user.id, label: found.user.email },
    action: 'auth.sign_in',
    ip: input.ip,
  });
  return { user: found.user, sessionSecret: secret };
}

/** Changes a password after checking the current one, and ends every other session of the user. */
export async function changePassword(
  platform: Platform,
  input: {
    user: UserRecord;
    currentPassword: string;
    newPassword: string;
    keepSessionIdHash: string;
    ip: string;
  },
): Promise<{ sessionsEnded: number }> {
  const currentHash = platform.users.passwordHash(input.user.id);
  if (!currentHash || !(await verifyPassword(currentHash, input.currentPassword))) {
    throw new PolettError({
      code: 'password_wrong',
      status: 400,
      field: 'currentPassword',
      message: {
        sv: 'Det nuvarande lösenordet är fel; skriv in det du loggade in med.',
        en: 'The current password is wrong; type the one you signed in with.',
      },
    });
  }
  checkPasswordPolicy(input.newPassword, 'newPassword');
  platform.users.setPasswordHash(input.user.id, await hashPassword(input.newPassword));
  const sessionsEnded = platform.sessions.deleteAllForUser(input.user.id, input.keepSessionIdHash);
  recordForUser(platform, input.user.id, {
    actor: { type: 'user', id: input.user.id, label: input.user.email },
    action: 'auth.password_changed',
    details: { sessionsEnded },
    ip: input.ip,
  });
  return { sessionsEnded };
}

/** Accepts an invitation: creates the account with the chosen password and joins the workspace. */
export async function acceptInvitation(
  platform: Platform,
  input: { token: string; name: string; password: string; locale: Locale; ip: string },
): Promise<{ user: UserRecord; workspaceId: string; sessionSecret: string }> {
  const invitation = platform.invitations.findByToken(input.token);
  if (!invitation) {
    throw new PolettError({
      code: 'invitation_invalid',
      status: 404,
      field: 'token',
      message: {
        sv: 'Inbjudan finns inte, har redan använts eller har gått ut; be om en ny inbjudan.',
        en: 'The invitation does not exist, has been used or has expired; ask for a new invitation.',
      },
    });
  }
  checkPasswordPolicy(input.password);
  if (platform.users.findByEmail(invitation.email)) throw emailTaken();
  const passwordHash = await hashPassword(input.password);
  const user = platform.users.create({
    email: invitation.email,
    name: input.name,
    passwordHash,
    locale: input.locale,
  });
  const scope = platform.forWorkspace(invitation.workspaceId);
  scope.members.add(user.id, invitation.role);
  platform.invitations.markAccepted(invitation.id);
  scope.audit.record({
    actor: { type: 'user', id: user.id, label: user.email },
    action: 'member.joined',
    target: user.id,
    details: { role: invitation.role, invitationId: invitation.id },
    ip: input.ip,
  });
  const { secret } = platform.sessions.create(user.id, { ip: input.ip });
  return { user, workspaceId: invitation.workspaceId, sessionSecret: secret };
}
