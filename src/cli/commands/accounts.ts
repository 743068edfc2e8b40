/**
 * `polett users create-owner` (first-run set-up on a headless server) and `polett workspaces list`,
 * over the same platform core as the HTTP API.
 */
import type { Locale } from '../../errors.js';
import { PolettError } from '../../errors.js';
import { openPlatform, setUpOwner, type UserRecord, type WorkspaceRecord } from '../../platform/index.js';
import { openPolett } from '../../polett.js';
import { say } from '../output.js';

export interface CreateOwnerOptions {
  email: string;
  name: string;
  workspace: string;
  locale?: string;
}

function localeOption(value: string | undefined): Locale {
  if (value === undefined || value === 'sv' || value === 'en') return value ?? 'sv';
  throw new PolettError({
    code: 'invalid_option',
    status: 400,
    field: 'locale',
    message: {
      sv: `Språket "${value}" finns inte; välj sv eller en.`,
      en: `The language "${value}" does not exist; choose sv or en.`,
    },
  });
}

/** Creates the owner and the first workspace in a data folder (the folder of POLETT_DATA_DIR when none is given). */
export async function createOwner(
  options: CreateOwnerOptions,
  password: string,
  dataDir?: string,
): Promise<{ user: UserRecord; workspace: WorkspaceRecord }> {
  const polett = openPolett(dataDir ? { dataDir } : {});
  try {
    return await setUpOwner(openPlatform(polett.storage), {
      email: options.email,
      name: options.name,
      password,
      locale: localeOption(options.locale),
      workspaceName: options.workspace,
    });
  } finally {
    await polett.close();
  }
}

async function readStandardInput(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // Only the line break a shell adds is dropped: spaces may belong to a pass phrase.
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** `polett users create-owner`: the password comes from standard input, never from the command line. */
export async function runUsersCreateOwner(options: CreateOwnerOptions): Promise<void> {
  const password = await readStandardInput();
  if (!password) {
    process.stderr.write(
      say({
        sv: 'Inget lösenord lästes från standard in; skicka det så här: `printf %s "$LOSENORD" | polett users create-owner …`.\n',
        en: 'No password was read from standard input; send it like this: `printf %s "$PASSWORD" | polett users create-owner …`.\n',
      }),
    );
    process.exitCode = 1;
    return;
  }
  const { user, workspace } = await createOwner(options, password);
  process.stdout.write(
    say({
      sv: `Ägaren ${user.email} och arbetsytan "${workspace.name}" (${workspace.id}) är skapade. Logga in i webbappen.\n`,
      en: `The owner ${user.email} and the workspace "${workspace.name}" (${workspace.id}) are created. Sign in to the web app.\n`,
    }),
  );
}

export interface WorkspaceSummary {
  id: string;
  slug: string;
  name: string;
  members: number;
  owners: string[];
  conversationRetentionDays: number | null;
  feedbackRetentionDays: number | null;
}

/** Every workspace of a data folder, with its members and owners. */
export async function listWorkspaces(dataDir?: string): Promise<WorkspaceSummary[]> {
  const polett = openPolett(dataDir ? { dataDir } : {});
  try {
    const platform = openPlatform(polett.storage);
    return platform.workspaces.listAll().map((workspace) => {
      const members = platform.forWorkspace(workspace.id).members.list();
      return {
        id: workspace.id,
        slug: workspace.slug,
        name: workspace.name,
        members: members.length,
        owners: members.filter((member) => member.role === 'owner').map((member) => member.email),
        conversationRetentionDays: workspace.conversationRetentionDays,
        feedbackRetentionDays: workspace.feedbackRetentionDays,
      };
    });
  } finally {
    await polett.close();
  }
}

/** `polett workspaces list [--json]`. */
export async function runWorkspacesList(options: { json?: boolean }): Promise<void> {
  const workspaces = await listWorkspaces();
  if (options.json) {
    process.stdout.write(`${JSON.stringify(workspaces, null, 2)}\n`);
    return;
  }
  if (workspaces.length === 0) {
    process.stdout.write(
      say({
        sv: 'Inga arbetsytor ännu; öppna webbappen eller kör `polett users create-owner`.\n',
        en: 'No workspaces yet; open the web app or run `polett users create-owner`.\n',
      }),
    );
    return;
  }
  for (const workspace of workspaces) {
    process.stdout.write(
      `${workspace.id}  ${workspace.slug}  ${workspace.name}  ${workspace.members}  ${workspace.owners.join(',')}\n`,
    );
  }
}
