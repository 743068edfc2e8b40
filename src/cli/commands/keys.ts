import { openPolett } from '../../polett.js';
import { INFERENCE_SCOPE } from '../../server/routes/openai-compatible.js';
import { cliLocale, say } from '../output.js';

/** `polett keys create <name>`: prints the key once; only its hash is stored. */
export async function runKeysCreate(name: string, options: { scope?: string[] }): Promise<void> {
  const polett = openPolett();
  try {
    const scopes = options.scope && options.scope.length > 0 ? options.scope : [INFERENCE_SCOPE];
    const { record, secret } = polett.storage.apiKeys.create({ name, scopes });
    process.stdout.write(`${secret}\n`);
    process.stderr.write(
      say({
        sv: `Nyckeln "${record.name}" (${record.id}) skapades med ${scopes.join(', ')}. Spara den nu: den visas inte igen.\n`,
        en: `The key "${record.name}" (${record.id}) was created with ${scopes.join(', ')}. Save it now: it is not shown again.\n`,
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
