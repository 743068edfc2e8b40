/**
 * `polett assistant …`: the Assistant from the terminal, over the same core as the widget.
 * `ask` streams the answer to stdout (sources after it); `eval` scores the answer pipeline on a
 * SweFAQ-shaped file; `--json` prints one JSON object.
 */
import { PolettError } from '../../errors.js';
import { AssistantService } from '../../assistant/service.js';
import { runAssistantEval } from '../../assistant/evaluation.js';
import { STAFF_VISITOR_PREFIX } from '../../assistant/schemas.js';
import { openKnowledge, registryEmbedder } from '../../knowledge/index.js';
import { openPlatform } from '../../platform/index.js';
import { openPolett, type Polett } from '../../polett.js';
import { cliLocale, say } from '../output.js';
import { resolveWorkspace } from '../resolve-workspace.js';

export interface AssistantCliOptions {
  /** The data folder; the configured one when absent (tests pass their own). */
  dataDir?: string;
  workspace?: string;
  assistant?: string;
  json?: boolean;
  limit?: string;
}

/** The name of the assistant `ask` makes when a workspace has none yet. */
const DEFAULT_ASSISTANT = 'Assistent';

function open(options: AssistantCliOptions): Polett {
  return openPolett(options.dataDir ? { dataDir: options.dataDir } : {});
}

function serviceOf(polett: Polett): AssistantService {
  const knowledge = openKnowledge({
    database: polett.storage.database,
    models: polett.models,
    jobs: polett.jobs,
    dataDir: polett.config.dataDir,
  });
  const platform = openPlatform(polett.storage);
  return new AssistantService({
    database: polett.storage.database,
    models: polett.models,
    config: polett.config,
    visitorTokenKey: polett.storage.deriveKey('visitor-tokens'),
    jobs: polett.jobs,
    knowledge: (workspaceId) => knowledge.searcherFor(workspaceId),
    companyName: (workspaceId) => platform.forWorkspace(workspaceId).workspace.get()?.name ?? 'Polett',
  });
}

export async function runAssistantAsk(question: string, options: AssistantCliOptions): Promise<void> {
  const locale = cliLocale();
  const polett = open(options);
  try {
    const workspaceId = resolveWorkspace(polett, options.workspace);
    const service = serviceOf(polett);
    const scope = service.scope(workspaceId);
    let assistant = options.assistant ? scope.assistants.find(options.assistant) : scope.assistants.list()[0];
    if (!assistant && options.assistant)
      throw new PolettError({
        code: 'assistant_not_found',
        status: 404,
        field: 'assistant',
        message: {
          sv: `Assistenten "${options.assistant}" finns inte; se listan med \`polett assistant list\`.`,
          en: `The assistant "${options.assistant}" does not exist; see the list with \`polett assistant list\`.`,
        },
      });
    if (!assistant) {
      assistant = scope.assistants.create({ name: DEFAULT_ASSISTANT });
      process.stderr.write(
        `${say({ sv: `Skapade assistenten "${DEFAULT_ASSISTANT}".`, en: `Created the assistant "${DEFAULT_ASSISTANT}".` }, locale)}\n`,
      );
    }
    const conversation = scope.conversations.create({
      assistantId: assistant.id,
      visitorId: `${STAFF_VISITOR_PREFIX}cli`,
    });
    for await (const event of service.ask(workspaceId, conversation.id, question)) {
      if (event.type === 'delta' && !options.json) process.stdout.write(event.text);
      if (event.type !== 'answer') continue;
      const { message } = event;
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify({
            answer: message.text,
            kind: message.kind,
            citations: message.citations,
            status: event.conversation.status,
            conversationId: conversation.id,
            assistant: assistant.name,
          })}\n`,
        );
        continue;
      }
      process.stdout.write('\n');
      if (message.citations.length > 0) {
        process.stdout.write(`\n${say({ sv: 'Källor', en: 'Sources' }, locale)}:\n`);
        for (const citation of message.citations) {
          const where = citation.url ?? (citation.page ? `s. ${citation.page}` : '');
          process.stdout.write(
            `  [${citation.marker}] ${[citation.title, ...citation.headingPath].filter(Boolean).join(' › ')}${where ? ` (${where})` : ''}\n`,
          );
        }
      }
    }
  } finally {
    await polett.close();
  }
}

export async function runAssistantList(options: AssistantCliOptions): Promise<void> {
  const polett = open(options);
  try {
    const workspaceId = resolveWorkspace(polett, options.workspace);
    const assistants = serviceOf(polett).scope(workspaceId).assistants.list();
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ assistants })}\n`);
      return;
    }
    for (const assistant of assistants)
      process.stdout.write(
        `${assistant.id}  ${assistant.name}  ${assistant.allowedOrigins.join(', ') || '-'}\n`,
      );
  } finally {
    await polett.close();
  }
}

/**
 * `polett assistant eval <file.jsonl> [--json]`: `n`, `citedRight` and `abstained` (shares), with
 * whatever chat model is configured (tier 1 with none).
 */
export async function runAssistantEvalCommand(file: string, options: AssistantCliOptions): Promise<void> {
  const locale = cliLocale();
  const polett = open(options);
  try {
    const limit = options.limit ? Number(options.limit) : undefined;
    if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
      throw new PolettError({
        code: 'invalid_option',
        status: 400,
        field: 'limit',
        message: {
          sv: `--limit ska vara ett positivt heltal, inte "${options.limit}".`,
          en: `--limit must be a positive whole number, not "${options.limit}".`,
        },
      });
    const embedder = registryEmbedder(polett.models, null);
    const report = await runAssistantEval(file, {
      models: polett.models,
      ...(embedder ? { embedder } : {}),
      ...(limit ? { limit } : {}),
    });
    if (options.json) {
      process.stdout.write(
        `${JSON.stringify({ n: report.n, citedRight: report.citedRight, abstained: report.abstained })}\n`,
      );
      return;
    }
    const percent = (value: number) => `${(value * 100).toFixed(1)} %`;
    process.stdout.write(
      [
        say(
          {
            sv: `Frågor: ${report.n} (nivå ${report.tier}: ${report.tier === 1 ? 'ingen chattmodell' : 'chattmodell'})`,
            en: `Questions: ${report.n} (tier ${report.tier}: ${report.tier === 1 ? 'no chat model' : 'chat model'})`,
          },
          locale,
        ),
        say(
          {
            sv: `Citerade rätt stycke: ${percent(report.citedRight)}`,
            en: `Cited the right passage: ${percent(report.citedRight)}`,
          },
          locale,
        ),
        say(
          {
            sv: `Avstod och lämnade över: ${percent(report.abstained)}`,
            en: `Abstained and handed over: ${percent(report.abstained)}`,
          },
          locale,
        ),
        `${say({ sv: 'Svarstyper', en: 'Kinds of answer' }, locale)}: ${Object.entries(report.kinds)
          .map(([kind, count]) => `${kind} ${count}`)
          .join(', ')}`,
        '',
      ].join('\n'),
    );
  } finally {
    await polett.close();
  }
}
