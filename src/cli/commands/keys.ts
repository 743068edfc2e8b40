import { PolettError } from '../../errors.js';
import { API_KEY_SCOPES, openPlatform, type ApiKeyScope } from '../../platform/index.js';
import { openPolett } from '../../polett.js';
import { INFERENCE_SCOPE } from '../../server/routes/openai-compatible.js';
import { cliLocale, say } from '../output.js';

/**
 * `polett keys create <name> [--workspace <slug or id>]`: prints the key once; only its hash is
 * stored. A key with a workspace serves that workspace's REST API too; one without serves `/v1` only.
 */
export async function runKeysCreate(
  name: string,
  options: { scope?: string[]; workspace?: string },
): Promise<void> {
  const polett = openPolett();
  try {
    const scopes = options.scope && options.scope.length > 0 ? options.scope : [INFERENCE_SCOPE];
    // Checked for every key: a misspelt scope would make a key that nothing accepts.
    const validScopes = scopes.filter((scope): scope is ApiKeyScope =>
      (API_KEY_SCOPES as readonly string[]).includes(scope),
    );
    if (validScopes.length !== scopes.length) {
      throw new PolettError({
        code: 'invalid_option',
        status: 400,
        field: 'scope',
        message: {
          sv: `Okänd behörighet; välj bland ${API_KEY_SCOPES.join(', ')}.`,
          en: `Unknown scope; choose among ${API_KEY_SCOPES.join(', ')}.`,
        },
      });
    }
    let created: { id: string; name: string; secret: string };
    if (options.workspace) {
      const workspace = openPlatform(polett.storage)
        .workspaces.listAll()
        .find((candidate) => candidate.id === options.workspace || candidate.slug === options.workspace);
      if (!workspace) {
        throw new PolettError({
          code: 'workspace_not_found',
          status: 404,
          field: 'workspace',
          message: {
            sv: `Arbetsytan "${options.workspace}" finns inte; se \`polett workspaces list\`.`,
            en: `The workspace "${options.workspace}" does not exist; see \`polett workspaces list\`.`,
          },
        });
      }
      const { record, secret } = openPlatform(polett.storage)
        .forWorkspace(workspace.id)
        .apiKeys.create({ name, scopes: validScopes });
      created = { id: record.id, name: record.name, secret };
    } else {
      const { record, secret } = polett.storage.apiKeys.create({ name, scopes });
      created = { id: record.id, name: record.name, secret };
    }
    process.stdout.write(`${created.secret}\n`);
    process.stderr.write(
      say({
        sv: `Nyckeln "${created.name}" (${created.id}) skapades med ${scopes.join(', ')}. Spara den nu: den visas inte igen.\n`,
        en: `The key "${created.name}" (${created.id}) was created with ${scopes.join(', ')}. Save it now: it is not shown again.\n`,
      }),
    );
  } finally {
    await polett.close();
  }
}

export async function runKeysList(): Promise<void> {
  const polett = openPolett();
  try {
    const locale = cliLocale();
    for (const key of polett.storage.apiKeys.list()) {
      const state = key.revokedAt
        ? locale === 'sv'
          ? 'återkallad'
          : 'revoked'
        : locale === 'sv'
          ? 'aktiv'
          : 'active';
      process.stdout.write(
        `${key.id}  ${key.prefix}…  ${key.name}  [${key.scopes.join(',')}]  ${state}  ${key.lastUsedAt ?? '-'}\n`,
      );
    }
  } finally {
    await polett.close();
  }
}

export async function runKeysRevoke(id: string): Promise<void> {
  const polett = openPolett();
  try {
    const revoked = polett.storage.apiKeys.revoke(id);
    process.stdout.write(
      say(
        revoked
          ? { sv: `Nyckeln ${id} är återkallad.\n`, en: `The key ${id} is revoked.\n` }
          : {
              sv: `Ingen aktiv nyckel har id ${id}; se \`polett keys list\`.\n`,
              en: `No active key has the id ${id}; see \`polett keys list\`.\n`,
            },
      ),
    );
    if (!revoked) process.exitCode = 1;
  } finally {
    await polett.close();
  }
}

/** `polett secrets set <name>`: reads a provider API key from standard input and stores it encrypted. */
export async function runSecretsSet(name: string): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const value = Buffer.concat(chunks).toString('utf8').trim();
  const polett = openPolett();
  try {
    if (!value) {
      process.stderr.write(
        say({
          sv: 'Ingen hemlighet lästes från standard in; skicka den så här: `printf %s "$NYCKEL" | polett secrets set namn`.\n',
          en: 'No secret was read from standard input; send it like this: `printf %s "$KEY" | polett secrets set name`.\n',
        }),
      );
      process.exitCode = 1;
      return;
    }
    polett.storage.secrets.set(name, value);
    process.stdout.write(
      say({
        sv: `Hemligheten "${name}" sparades krypterad. Använd den med "apiKey": { "secret": "${name}" }.\n`,
        en: `The secret "${name}" was stored encrypted. Use it with "apiKey": { "secret": "${name}" }.\n`,
      }),
    );
  } finally {
    await polett.close();
  }
}
