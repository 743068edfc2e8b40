/** `--workspace <slug or id>` for the CLI commands that work inside one workspace. */
import { PolettError } from '../errors.js';
import { openPlatform } from '../platform/index.js';
import type { Polett } from '../polett.js';

/** The workspace named by slug or id, or the only one there is; one sentence when neither works. */
export function resolveWorkspace(polett: Polett, wanted: string | undefined): string {
  const workspaces = openPlatform(polett.storage).workspaces.listAll();
  if (wanted) {
    const found = workspaces.find((workspace) => workspace.id === wanted || workspace.slug === wanted);
    if (found) return found.id;
    throw new PolettError({
      code: 'workspace_not_found',
      status: 404,
      field: 'workspace',
      message: {
        sv: `Arbetsytan "${wanted}" finns inte; se \`polett workspaces list\`.`,
        en: `The workspace "${wanted}" does not exist; see \`polett workspaces list\`.`,
      },
    });
  }
  if (workspaces.length === 1) return workspaces[0]!.id;
  if (workspaces.length === 0)
    throw new PolettError({
      code: 'workspace_missing',
      status: 400,
      field: 'workspace',
      message: {
        sv: 'Det finns ingen arbetsyta ännu; skapa ägaren och företagets arbetsyta först med `polett users create-owner`.',
        en: "There is no workspace yet; create the owner and the company's workspace first with `polett users create-owner`.",
      },
    });
  throw new PolettError({
    code: 'workspace_ambiguous',
    status: 400,
    field: 'workspace',
    message: {
      sv: `Det finns ${workspaces.length} arbetsytor; välj en med --workspace (se \`polett workspaces list\`).`,
      en: `There are ${workspaces.length} workspaces; choose one with --workspace (see \`polett workspaces list\`).`,
    },
  });
}
