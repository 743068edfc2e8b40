/**
 * The `polett` command. Each subcommand is a thin layer over the same core the HTTP API uses;
 * every error is turned into one sentence here, once.
 */
import { Command } from 'commander';
import { registerAssistantCommands } from './commands/assistant-program.js';
import { registerInsightsCommands } from './commands/insights-program.js';
import { registerContentCommands } from './commands/content-program.js';
import { registerKnowledgeCommands } from './commands/kb-program.js';
import { reportError } from './output.js';

function action<Arguments extends unknown[]>(run: (...parameters: Arguments) => Promise<void>) {
  return async (...parameters: Arguments) => {
    try {
      await run(...parameters);
    } catch (error) {
      reportError(error);
    }
  };
}

export function buildProgram(): Command {
  const program = new Command('polett')
    .description('Polett: pretrained language models at work for your business, in Swedish and English.')
    .showHelpAfterError();

  program
    .command('start')
    .description('start the HTTP server (web app, REST API, OpenAI-compatible API)')
    .option('-p, --port <port>', 'port to listen on (default: POLETT_PORT or 8787)')
    .action(
      action(async (options: { port?: string }) => (await import('./commands/start.js')).runStart(options)),
    );

  program
    .command('doctor')
    .description('check the installation, the data folder, the database and every configured model')
    .action(action(async () => (await import('./commands/doctor.js')).runDoctor()));

  program
    .command('chat')
    .description('chat with a configured model in the terminal, streamed')
    .option('-m, --model <alias>', 'model alias (default: the chat task)')
    .option('-s, --system <text>', 'system prompt')
    .option('--max-tokens <count>', 'largest answer in tokens')
    .action(
      action(async (options: { model?: string; system?: string; maxTokens?: string }) =>
        (await import('./commands/chat.js')).runChat(options),
      ),
    );

  const models = program.command('models').description('list, pull, add and test models');
  models
    .command('list')
    .description('configured and local models, their tasks and readiness')
    .option('--json', 'print JSON')
    .action(
      action(async (options: { json?: boolean }) =>
        (await import('./commands/models.js')).runModelsList(options),
      ),
    );
  models
    .command('catalogue [task]')
    .description('recommended Hugging Face models that handle Swedish (task: chat, embed, rerank, classify)')
    .option('--json', 'print JSON')
    .action(
      action(async (task: string | undefined, options: { json?: boolean }) =>
        (await import('./commands/models.js')).runModelsCatalogue(task, options),
      ),
    );
  models
    .command('pull <reference>')
    .description('download owner/repo[/file] from the Hugging Face hub (or HF_ENDPOINT) into the data folder')
    .option('-n, --name <name>', 'the name to register it under')
    .option('-q, --quantization <quantization>', 'GGUF variant to choose, such as Q4_K_M')
    .option('--dtype <dtype>', 'ONNX precision: fp32, fp16, q8, q4...')
    .action(
      action(async (reference: string, options: { name?: string; quantization?: string; dtype?: string }) =>
        (await import('./commands/models.js')).runModelsPull(reference, options),
      ),
    );
  models
    .command('add <path>')
    .description('register a local GGUF file or ONNX folder (air-gapped sites)')
    .option('-n, --name <name>', 'the name to register it under')
    .action(
      action(async (target: string, options: { name?: string }) =>
        (await import('./commands/models.js')).runModelsAdd(target, options),
      ),
    );
  models
    .command('remove <name>')
    .description('forget a registered local model (its files stay)')
    .action(action(async (name: string) => (await import('./commands/models.js')).runModelsRemove(name)));
  models
    .command('test <alias>')
    .description('load a model, run one call and print the timing')
    .action(action(async (alias: string) => (await import('./commands/models.js')).runModelsTest(alias)));

  const keys = program.command('keys').description('API keys for the REST and OpenAI-compatible APIs');
  keys
    .command('create <name>')
    .description('create an API key (shown once)')
    .option('--scope <scope...>', 'scopes: inference, read, write, admin (default: inference)')
    .option('-w, --workspace <slug or id>', 'bind the key to a workspace, for its REST API')
    .action(
      action(async (name: string, options: { scope?: string[]; workspace?: string }) =>
        (await import('./commands/keys.js')).runKeysCreate(name, options),
      ),
    );
  keys
    .command('list')
    .description('list API keys')
    .action(action(async () => (await import('./commands/keys.js')).runKeysList()));
  keys
    .command('revoke <id>')
    .description('revoke an API key')
    .action(action(async (id: string) => (await import('./commands/keys.js')).runKeysRevoke(id)));

  const users = program.command('users').description('accounts of the web app and the REST API');
  users
    .command('create-owner')
    .description(
      "create the owner's account and the first workspace (headless set-up; password from standard input)",
    )
    .requiredOption('--email <address>', "the owner's e-mail address")
    .requiredOption('--name <name>', "the owner's name")
    .requiredOption('--workspace <name>', "the company's name, the first workspace")
    .option('--locale <sv|en>', "the owner's language (default: sv)")
    .action(
      action(async (options: { email: string; name: string; workspace: string; locale?: string }) =>
        (await import('./commands/accounts.js')).runUsersCreateOwner(options),
      ),
    );

  const workspaces = program.command('workspaces').description('workspaces: brands or sites of the company');
  workspaces
    .command('list')
    .description('every workspace, with its members and owners')
    .option('--json', 'print JSON')
    .action(
      action(async (options: { json?: boolean }) =>
        (await import('./commands/accounts.js')).runWorkspacesList(options),
      ),
    );

  const secrets = program.command('secrets').description('provider API keys stored encrypted');
  secrets
    .command('set <name>')
    .description('store a secret read from standard input')
    .action(action(async (name: string) => (await import('./commands/keys.js')).runSecretsSet(name)));

  program
    .command('tokens <text>')
    .description(
      'split a text into tokens with real tokenizers; counts, cost per model, context window filled',
    )
    .option(
      '-t, --tokenizer <name>',
      'o200k, cl100k, llama3, qwen3, gemma3 or local:<alias> (repeatable; default: all built-in)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--json', 'print JSON')
    .action(
      action(async (text: string, options: { tokenizer?: string[]; json?: boolean }) =>
        (await import('./commands/tokens.js')).runTokens(text, options),
      ),
    );

  registerInsightsCommands(program, action);
  registerContentCommands(program, action);
  registerKnowledgeCommands(program, action);
  registerAssistantCommands(program, action);

  return program;
}

export async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}
