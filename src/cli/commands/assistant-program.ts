/** The `polett assistant` commands, registered on the program by src/cli/main.ts. */
import type { Command } from 'commander';

export function registerAssistantCommands(
  program: Command,
  action: <Arguments extends unknown[]>(
    run: (...parameters: Arguments) => Promise<void>,
  ) => (...parameters: Arguments) => Promise<void>,
): void {
  const assistant = program
    .command('assistant')
    .description("customer conversations answered from the company's knowledge");
  const load = () => import('./assistant.js');
  assistant
    .command('ask <question>')
    .description('ask as a customer would; the answer streams, with its sources')
    .option(
      '-a, --assistant <name or id>',
      'the assistant (default: the first; one is made if there is none)',
    )
    .option('-w, --workspace <slug or id>', 'the workspace (default: the only one)')
    .option('--json', 'print JSON')
    .action(
      action(async (question: string, options: Record<string, never>) =>
        (await load()).runAssistantAsk(question, options),
      ),
    );
  assistant
    .command('list')
    .description("the workspace's assistants")
    .option('-w, --workspace <slug or id>', 'the workspace (default: the only one)')
    .option('--json', 'print JSON')
    .action(action(async (options: Record<string, never>) => (await load()).runAssistantList(options)));
  assistant
    .command('eval <file>')
    .description(
      'score the assistant on a SweFAQ-shaped .jsonl file: how often it cites the right passage, how often it abstains',
    )
    .option('--limit <count>', 'only the first questions')
    .option('--json', 'print JSON: n, citedRight, abstained')
    .action(
      action(async (file: string, options: Record<string, never>) =>
        (await load()).runAssistantEvalCommand(file, options),
      ),
    );
}
