/**
 * Request and response schemas of Polett's REST API for accounts and workspaces. The server
 * validates with them, the OpenAPI document is generated from them, and the web app and the CLI
 * import them: so this file imports nothing but zod and the roles table.
 */
import { z } from 'zod';
import { API_KEY_SCOPES, PERMISSIONS, ROLES } from './roles.js';

export const localeSchema = z.enum(['sv', 'en']).meta({ id: 'Locale', description: 'Swedish or English.' });
export const roleSchema = z.enum(ROLES).meta({ id: 'Role' });
export const permissionSchema = z.enum(PERMISSIONS).meta({ id: 'Permission' });
export const apiKeyScopeSchema = z.enum(API_KEY_SCOPES).meta({
  id: 'ApiKeyScope',
  description:
    '`inference`: the OpenAI-compatible /v1 API; `read`, `write`, `admin`: the REST API in the key’s workspace.',
});

const emailSchema = z.email().max(254);
const passwordSchema = z.string().min(1).max(1024);
const nameSchema = z.string().trim().min(1).max(200);
const retentionDaysSchema = z.number().int().min(1).max(36_500).nullable();

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ example: 'permission_denied' }),
      message: z
        .string()
        .meta({ description: "One sentence in the caller's language: what was wrong and what to do." }),
      field: z.string().optional(),
      retryable: z.boolean(),
    }),
  })
  .meta({ id: 'Error' });

export const userSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    locale: localeSchema,
    createdAt: z.string(),
  })
  .meta({ id: 'User' });

export const workspaceSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    slug: z.string(),
    conversationRetentionDays: z.number().int().nullable(),
    feedbackRetentionDays: z.number().int().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'Workspace' });

export const workspaceMembershipSchema = z
  .object({ workspace: workspaceSchema, role: roleSchema.nullable(), permissions: z.array(permissionSchema) })
  .meta({
    id: 'WorkspaceMembership',
    description: 'A workspace with the caller’s role (null for an API key) and permissions.',
  });

export const workspaceListSchema = z
  .object({ workspaces: z.array(workspaceMembershipSchema) })
  .meta({ id: 'WorkspaceList' });

export const setupStatusSchema = z.object({ ownerExists: z.boolean() }).meta({ id: 'SetupStatus' });

export const setupRequestSchema = z
  .object({
    email: emailSchema,
    name: nameSchema,
    password: passwordSchema,
    locale: localeSchema.default('sv'),
    workspaceName: nameSchema.meta({ description: "The company's name; becomes the first workspace." }),
  })
  .meta({ id: 'SetupRequest' });

export const signInRequestSchema = z
  .object({ email: z.string().min(1).max(254), password: passwordSchema })
  .meta({ id: 'SignInRequest' });

export const sessionSchema = z
  .object({
    user: userSchema,
    csrfToken: z
      .string()
      .meta({ description: 'Send it as x-csrf-token with every cookie-authenticated write.' }),
    workspaces: z.array(workspaceMembershipSchema),
  })
  .meta({ id: 'Session' });

export const apiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string(),
    scopes: z.array(apiKeyScopeSchema),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: 'ApiKey' });

export const meSchema = z
  .object({
    user: userSchema.nullable(),
    apiKey: apiKeySchema.extend({ workspaceId: z.string().nullable() }).nullable(),
    csrfToken: z.string().nullable(),
    workspaces: z.array(workspaceMembershipSchema),
  })
  .meta({ id: 'Me', description: 'The caller: a signed-in person, or an API key.' });

export const updateMeRequestSchema = z
  .object({ name: nameSchema.optional(), locale: localeSchema.optional() })
  .meta({ id: 'UpdateMeRequest' });

export const changePasswordRequestSchema = z
  .object({ currentPassword: passwordSchema, newPassword: passwordSchema })
  .meta({ id: 'ChangePasswordRequest' });

export const signedOutSchema = z.object({ sessionsEnded: z.number().int() }).meta({ id: 'SignedOut' });

export const acceptInvitationRequestSchema = z
  .object({
    token: z.string().min(1).max(200),
    name: nameSchema,
    password: passwordSchema,
    locale: localeSchema.default('sv'),
  })
  .meta({ id: 'AcceptInvitationRequest' });

export const createWorkspaceRequestSchema = z
  .object({ name: nameSchema })
  .meta({ id: 'CreateWorkspaceRequest' });

export const updateWorkspaceRequestSchema = z
  .object({
    name: nameSchema.optional(),
    conversationRetentionDays: retentionDaysSchema
      .optional()
      .meta({ description: 'Days to keep conversations; null keeps them forever.' }),
    feedbackRetentionDays: retentionDaysSchema
      .optional()
      .meta({ description: 'Days to keep feedback; null keeps it forever.' }),
  })
  .meta({ id: 'UpdateWorkspaceRequest' });

export const memberSchema = z
  .object({ userId: z.string(), email: z.string(), name: z.string(), role: roleSchema, joinedAt: z.string() })
  .meta({ id: 'Member' });

export const invitationSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    role: roleSchema,
    createdAt: z.string(),
    expiresAt: z.string(),
  })
  .meta({ id: 'Invitation' });

export const memberListSchema = z
  .object({ members: z.array(memberSchema), invitations: z.array(invitationSchema) })
  .meta({ id: 'MemberList' });

export const inviteRequestSchema = z
  .object({ email: emailSchema, role: roleSchema })
  .meta({ id: 'InviteRequest' });

export const inviteResultSchema = z
  .object({
    member: memberSchema
      .optional()
      .meta({ description: 'Set when the person had an account and joined at once.' }),
    invitation: invitationSchema.optional(),
    token: z
      .string()
      .optional()
      .meta({ description: 'The invitation token, shown once: send it to the person.' }),
  })
  .meta({ id: 'InviteResult' });

export const changeRoleRequestSchema = z.object({ role: roleSchema }).meta({ id: 'ChangeRoleRequest' });

export const apiKeyListSchema = z.object({ keys: z.array(apiKeySchema) }).meta({ id: 'ApiKeyList' });

export const createApiKeyRequestSchema = z
  .object({ name: nameSchema, scopes: z.array(apiKeyScopeSchema).min(1).max(4) })
  .meta({ id: 'CreateApiKeyRequest' });

export const createdApiKeySchema = z
  .object({ key: apiKeySchema, secret: z.string().meta({ description: 'The key itself, shown once.' }) })
  .meta({ id: 'CreatedApiKey' });

export const auditEntrySchema = z
  .object({
    id: z.number().int(),
    actor: z.object({
      type: z.enum(['user', 'api-key', 'system', 'anonymous']),
      id: z.string().nullable(),
      label: z.string().nullable(),
    }),
    action: z.string().meta({ example: 'key.created' }),
    target: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
    ip: z.string().nullable(),
    at: z.string(),
  })
  .meta({ id: 'AuditEntry' });

export const auditQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.coerce
    .number()
    .int()
    .min(1)
    .optional()
    .meta({ description: 'The `nextBefore` of the previous page.' }),
});

export const auditPageSchema = z
  .object({ entries: z.array(auditEntrySchema), nextBefore: z.number().int().nullable() })
  .meta({ id: 'AuditPage' });

export const usageQuerySchema = z.object({
  since: z.iso.date().optional().meta({ description: 'First day (YYYY-MM-DD); default: 30 days ago.' }),
});

export const usageSchema = z
  .object({
    since: z.string(),
    rows: z.array(
      z.object({
        day: z.string(),
        task: z.string(),
        calls: z.number().int(),
        inputTokens: z.number().int(),
        outputTokens: z.number().int(),
        cost: z.number(),
        currency: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'Usage', description: 'The usage ledger per day and task, newest day first.' });

export const workspaceParamsSchema = z.object({ workspaceId: z.string().min(1) });
export const memberParamsSchema = workspaceParamsSchema.extend({ userId: z.string().min(1) });
export const keyParamsSchema = workspaceParamsSchema.extend({ keyId: z.string().min(1) });
export const invitationParamsSchema = workspaceParamsSchema.extend({ invitationId: z.string().min(1) });

export type UserDto = z.infer<typeof userSchema>;
export type WorkspaceDto = z.infer<typeof workspaceSchema>;
export type WorkspaceMembershipDto = z.infer<typeof workspaceMembershipSchema>;
export type SessionDto = z.infer<typeof sessionSchema>;
export type MeDto = z.infer<typeof meSchema>;
export type MemberDto = z.infer<typeof memberSchema>;
export type ApiKeyDto = z.infer<typeof apiKeySchema>;
export type AuditEntryDto = z.infer<typeof auditEntrySchema>;
export type UsageDto = z.infer<typeof usageSchema>;
export type ErrorDto = z.infer<typeof errorSchema>;
