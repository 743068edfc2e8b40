/** Registers `polett content …`; each action loads its command lazily, like the rest of the CLI. */
import type { Command } from 'commander';
import type { ContentGenerateOptions } from './content.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerContentCommands(
  program: Command,
  action: <Arguments extends unknown[]>(
    run: (...parameters: Arguments) => Promise<void>,
  ) => (...parameters: Arguments) => Promise<void>,
): void {
  const content = program
    .command('content')
    .description('texts in the brand’s voice: generate from a template');
  content
    .command('generate')
    .description(
      'write texts from a template with the brand profile, streamed; rule findings go to standard error',
    )
    .requiredOption(
      '-t, --template <name>',
      'template id (linkedin-post, review-reply…) or the name of your own',
    )
    .option('-f, --field <key=value>', 'a field of the template (repeatable)', collect)
    .option('-n, --variants <count>', 'how many variants, 1 to 5', '1')
    .option('-w, --workspace <slug>', 'the workspace (when there are several)')
    .option('-p, --profile <name>', 'the brand profile (when there are several)')
    .option('-l, --language <sv|en>', "the text's language (default: the profile's)")
    .option('--max-tokens <count>', 'largest text per variant in tokens')
    .option('--json', 'print one JSON object')
    .action(
      action(async (options: ContentGenerateOptions) =>
        (await import('./content.js')).runContentGenerate(options),
      ),
    );
}
