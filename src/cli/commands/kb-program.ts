/** The `polett kb` commands, registered on the program by src/cli/main.ts. */
import type { Command } from 'commander';

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerKnowledgeCommands(
  program: Command,
  action: <Arguments extends unknown[]>(
    run: (...parameters: Arguments) => Promise<void>,
  ) => (...parameters: Arguments) => Promise<void>,
): void {
  const kb = program
    .command('kb')
    .description("the knowledge base: the company's own documents, searched in Swedish");
  const load = () => import('./kb.js');
  kb.command('add <target>')
    .description('add a file, a folder (its files), a web page, or with --site a whole site, and index it')
    .option('-c, --collection <name>', 'the collection to add it to (default: default)')
    .option('--site', 'crawl the site from this address (same host, robots.txt respected)')
    .option('--max-pages <count>', 'most pages of a site to read (default: 100)')
    .option('--tag <tag>', 'a tag to filter searches by (repeatable)', collect)
    .option('--every-hours <hours>', 're-sync on a schedule, this often')
    .option('-w, --workspace <slug or id>', 'the workspace (default: the only one)')
    .option('--json', 'print JSON')
    .action(
      action(async (target: string, options: Record<string, never>) =>
        (await load()).runKbAdd(target, options),
      ),
    );
  kb.command('list')
    .description('the sources, with their status and errors')
    .option('-w, --workspace <slug or id>', 'the workspace (default: the only one)')
    .option('--json', 'print JSON')
    .action(action(async (options: Record<string, never>) => (await load()).runKbList(options)));
  kb.command('search <query>')
    .description('search the knowledge base: passages with score, source and location')
    .option('-c, --collection <name>', 'only this collection (repeatable)', collect)
    .option('-n, --limit <count>', 'how many passages (default: 10)')
    .option('-w, --workspace <slug or id>', 'the workspace (default: the only one)')
    .option('--json', 'print JSON')
    .action(
      action(async (query: string, options: Record<string, never>) =>
        (await load()).runKbSearch(query, options),
      ),
    );
  kb.command('remove <sourceId>')
    .description('remove a source, its documents and every index entry')
    .option('-w, --workspace <slug or id>', 'the workspace (default: the only one)')
    .action(
      action(async (sourceId: string, options: Record<string, never>) =>
        (await load()).runKbRemove(sourceId, options),
      ),
    );
  kb.command('sync [sourceId]')
    .description('re-sync a source (or all): only what changed is re-indexed, what vanished is removed')
    .option('-w, --workspace <slug or id>', 'the workspace (default: the only one)')
    .option('--json', 'print JSON')
    .action(
      action(async (sourceId: string | undefined, options: Record<string, never>) =>
        (await load()).runKbSync(sourceId, options),
      ),
    );
  kb.command('eval <file>')
    .description(
      'recall@1, recall@5 and MRR on a JSONL file of questions and candidate answers (SweFAQ shape)',
    )
    .option('--json', 'print one JSON object: recall1, recall5, mrr, n')
    .action(
      action(async (file: string, options: { json?: boolean }) => (await load()).runKbEval(file, options)),
    );
}
