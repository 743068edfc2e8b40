/**
 * Roles and permissions: the one table of who may do what in a workspace. The server's checks,
 * the README's table and the web app's menus all read it, so they cannot drift apart.
 */
import type { LocalizedText } from '../errors.js';

/** Roles in a workspace, from the most to the least trusted. */
export const ROLES = ['owner', 'admin', 'editor', 'agent', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** What a role or an API key scope may do in a workspace. */
export const PERMISSIONS = [
  'read',
  'inbox.reply',
  'content.write',
  'knowledge.write',
  'models.manage',
  'audit.read',
  'keys.manage',
  'members.manage',
  'workspace.manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Each role's permissions. Only owners grant or take away the owner role (see `canAssignRole`). */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  owner: PERMISSIONS,
  admin: PERMISSIONS,
  editor: ['read', 'content.write', 'knowledge.write'],
  agent: ['read', 'inbox.reply'],
  viewer: ['read'],
};

/** Whether a role holds a permission. */
export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

/** Whether a member of `actor` role may give someone the `target` role (or take it away). */
export function canAssignRole(actor: Role, target: Role): boolean {
  if (!can(actor, 'members.manage')) return false;
  return target === 'owner' ? actor === 'owner' : true;
}

/** Scopes of an API key. `inference` is the OpenAI-compatible `/v1` API; the rest reach the REST API. */
export const API_KEY_SCOPES = ['inference', 'read', 'write', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** Each scope's permissions in its key's workspace. */
export const SCOPE_PERMISSIONS: Readonly<Record<ApiKeyScope, readonly Permission[]>> = {
  inference: [],
  read: ['read'],
  write: ['read', 'inbox.reply', 'content.write', 'knowledge.write'],
  admin: ROLE_PERMISSIONS.admin,
};

/** Every permission an API key with these scopes holds. */
export function permissionsOfScopes(scopes: readonly string[]): Permission[] {
  return PERMISSIONS.filter((permission) => scopesAllow(scopes, permission));
}

/** Whether an API key with these scopes holds a permission. */
export function scopesAllow(scopes: readonly string[], permission: Permission): boolean {
  return scopes.some((scope) => (SCOPE_PERMISSIONS[scope as ApiKeyScope] ?? []).includes(permission));
}

/** Names of roles and permissions for people, in both languages. */
export const ROLE_NAMES: Readonly<Record<Role, LocalizedText>> = {
  owner: { sv: 'Ägare', en: 'Owner' },
  admin: { sv: 'Administratör', en: 'Admin' },
  editor: { sv: 'Redaktör', en: 'Editor' },
  agent: { sv: 'Supportagent', en: 'Support agent' },
  viewer: { sv: 'Läsare', en: 'Viewer' },
};

export const PERMISSION_DESCRIPTIONS: Readonly<Record<Permission, LocalizedText>> = {
  read: { sv: 'se arbetsytans innehåll', en: "see the workspace's content" },
  'inbox.reply': { sv: 'ta över och svara i inkorgen', en: 'take over and reply in the inbox' },
  'content.write': { sv: 'skapa och redigera innehåll', en: 'create and edit content' },
  'knowledge.write': { sv: 'lägga till och ta bort dokument', en: 'add and remove documents' },
  'models.manage': { sv: 'välja och testa modeller', en: 'choose and test models' },
  'audit.read': { sv: 'läsa granskningsloggen', en: 'read the audit log' },
  'keys.manage': { sv: 'skapa och återkalla API-nycklar', en: 'create and revoke API keys' },
  'members.manage': {
    sv: 'bjuda in, ändra roll och ta bort medlemmar',
    en: 'invite members, change roles, remove members',
  },
  'workspace.manage': { sv: 'byta namn och ändra lagringstider', en: 'rename, change retention settings' },
};

/** The roles table as Markdown, as the README shows it (a test keeps the two equal). */
export function renderRolesTable(): string {
  const header = `| permission | ${ROLES.map((role) => ROLE_NAMES[role].en).join(' | ')} |`;
  const rule = `|---|${ROLES.map(() => ':-:').join('|')}|`;
  const rows = PERMISSIONS.map(
    (permission) =>
      `| \`${permission}\` — ${PERMISSION_DESCRIPTIONS[permission].en} | ${ROLES.map((role) => (can(role, permission) ? '✓' : '—')).join(' | ')} |`,
  );
  const owners = `| make someone owner, or take the owner role away | ${ROLES.map((role) => (canAssignRole(role, 'owner') ? '✓' : '—')).join(' | ')} |`;
  return [header, rule, ...rows, owners].join('\n');
}
