/**
 * A stub OpenAI-compatible upstream on loopback for Content's bulk tests: each answer repeats the
 * first line of the prompt (the task, with the row's fields filled in), so that every row gets its
 * own text, after a delay that leaves room to kill a worker in the middle of a run. It is a fake of
 * a remote API at the HTTP level (the registry's real openai-compatible provider calls it), not a
 * fake model inside Polett.
 *
 * Run as a process: `node --import tsx src/content/testing/catalogue-upstream.ts <delayMs>` prints
 * `{"url":"http://127.0.0.1:<port>/v1"}` and runs until killed.
 */
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { pathToFileURL } from 'node:url';

export interface CatalogueUpstream {
  url: string;
  calls: () => number;
  close(): Promise<void>;
}

function answerFor(body: { messages?: Array<{ role: string; content: unknown }> }): string {
  const user = [...(body.messages ?? [])].reverse().find((message) => message.role === 'user');
  const content = typeof user?.content === 'string' ? user.content : JSON.stringify(user?.content ?? '');
  const firstLine = content.split('\n')[0] ?? '';
  return `${firstLine.replace(/^(Uppgift|Task):\s*/u, '')} Rostat i Göteborg.`;
}

export async function startCatalogueUpstream(options: { delayMs?: number } = {}): Promise<CatalogueUpstream> {
  let calls = 0;
  const app = new Hono();
  app.post('/v1/chat/completions', async (context) => {
    calls += 1;
    const body = (await context.req.json()) as {
      model: string;
      stream?: boolean;
      messages?: Array<{ role: string; content: unknown }>;
    };
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    const content = answerFor(body);
    const usage = { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 };
    if (!body.stream) {
      return context.json({
        id: 'chatcmpl-catalogue',
        object: 'chat.completion',
        created: 1_700_000_000,
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage,
      });
    }
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
      `data: ${JSON.stringify({ id: 'chatcmpl-catalogue', object: 'chat.completion.chunk', created: 1, model: body.model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const parts = content.split(/(?<= )/u);
    const text = [
      chunk({ role: 'assistant', content: '' }),
      ...parts.map((part) => chunk({ content: part })),
      chunk({}, 'stop'),
    ];
    text.push(
      `data: ${JSON.stringify({ id: 'chatcmpl-catalogue', object: 'chat.completion.chunk', created: 1, model: body.model, choices: [], usage })}\n\n`,
      'data: [DONE]\n\n',
    );
    return new Response(text.join(''), { headers: { 'content-type': 'text/event-stream' } });
  });
  const server: ServerType = await new Promise((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/v1`,
    calls: () => calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const upstream = await startCatalogueUpstream({ delayMs: Number(process.argv[2] ?? 0) });
  process.stdout.write(`${JSON.stringify({ url: upstream.url })}\n`);
}
