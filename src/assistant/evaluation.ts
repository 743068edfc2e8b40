/**
 * `polett assistant eval`: how often the assistant's answer cites the passage that holds the right
 * answer, and how often it abstains. A file shaped like SuperLim's SweFAQ (the same as
 * `polett kb eval`) is loaded as a knowledge base — every distinct answer a document in a fresh,
 * temporary store — and every question is asked of a fresh assistant, in a conversation of its
 * own, through the real answer pipeline with whatever chat model is configured (tier 1 with none).
 */
import type { ModelRegistry } from '../models/index.js';
import { readEvalAnswers, readEvalFile } from '../knowledge/evaluation.js';
import { createKnowledgeSearcher } from '../knowledge/hybrid-search.js';
import { openScratchKnowledge } from '../knowledge/scratch-database.js';
import { nearDuplicateHash, type Embedder } from '../knowledge/sqlite-knowledge-store.js';
import { respond, type AssistantEvent } from './respond.js';
import type { MessageKind } from './schemas.js';
import { openAssistantStore } from './store.js';

export interface AssistantEvalReport {
  /** Questions asked. */
  n: number;
  /** Share of questions whose answer cites a passage of the right answer's document. */
  citedRight: number;
  /** Share of questions where the assistant said it had no reliable answer and handed over. */
  abstained: number;
  /** How the questions were answered: `faq` (tier 1), `answer` (a chat model), `abstain`… */
  kinds: Partial<Record<MessageKind, number>>;
  tier: 1 | 2;
}

export interface AssistantEvalOptions {
  models: ModelRegistry;
  embedder?: Embedder;
  /** Only the first `limit` questions (for a quick look). */
  limit?: number;
  onProgress?: (done: number, total: number) => void;
}

export async function runAssistantEval(
  path: string,
  options: AssistantEvalOptions,
): Promise<AssistantEvalReport> {
  const questions = (await readEvalFile(path)).slice(0, options.limit ?? Number.POSITIVE_INFINITY);
  const answers = await readEvalAnswers(path);
  const scratch = await openScratchKnowledge();
  try {
    const { knowledge, database, workspaceId } = scratch;
    const source = knowledge.createSource({ kind: 'file', location: path, name: 'eval' });
    const documentsOfNearHash = new Map<string, Set<string>>();
    const total = answers.length + questions.length;
    let done = 0;
    for (const answer of answers) {
      done += 1;
      const prepared = await knowledge.prepareDocument(
        source.id,
        `answer-${done}`,
        { title: '', format: 'text', blocks: [{ kind: 'paragraph', text: answer, location: {} }] },
        options.embedder ? { embedder: options.embedder } : {},
      );
      const { documentId } = knowledge.writeDocument(prepared);
      const near = nearDuplicateHash(answer);
      documentsOfNearHash.set(near, (documentsOfNearHash.get(near) ?? new Set()).add(documentId));
      options.onProgress?.(done, total);
    }

    const searcher = createKnowledgeSearcher({ knowledge, embedder: options.embedder, reranker: undefined });
    const scope = openAssistantStore(database).forWorkspace(workspaceId);
    const assistant = scope.assistants.create({ name: 'Utvärdering' });
    const tier = options.models.taskStatus().some((status) => status.task === 'chat' && status.ready) ? 2 : 1;
    let citedRight = 0;
    let abstained = 0;
    const kinds: Partial<Record<MessageKind, number>> = {};
    for (const { question, answer } of questions) {
      const wanted = documentsOfNearHash.get(nearDuplicateHash(answer.trim())) ?? new Set<string>();
      const conversation = scope.conversations.create({ assistantId: assistant.id, visitorId: 'eval' });
      const documentOfChunk = new Map<string, string>();
      let last: AssistantEvent | undefined;
      for await (const event of respond(
        { models: options.models, knowledge: () => searcher, companyName: () => 'Polett' },
        scope,
        { conversationId: conversation.id, text: question },
      )) {
        if (event.type === 'passages')
          for (const passage of event.passages) documentOfChunk.set(passage.chunkId, passage.documentId);
        last = event;
      }
      if (last?.type === 'answer') {
        const { kind, citations } = last.message;
        kinds[kind] = (kinds[kind] ?? 0) + 1;
        if (kind === 'abstain') abstained += 1;
        if (citations.some((citation) => wanted.has(documentOfChunk.get(citation.chunkId) ?? '')))
          citedRight += 1;
      }
      done += 1;
      options.onProgress?.(done, total);
    }
    const share = (count: number) => Math.round((count / Math.max(1, questions.length)) * 10_000) / 10_000;
    return { n: questions.length, citedRight: share(citedRight), abstained: share(abstained), kinds, tier };
  } finally {
    scratch.close();
  }
}
