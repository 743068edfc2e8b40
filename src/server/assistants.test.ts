/**
 * The Assistant over HTTP: staff routes (assistants, curated answers, the Inbox) and the widget's
 * public routes (origin allowlist, visitor tokens, limits, streamed answers, live agent replies,
 * the signed hand-over webhook). Tier 1 (no model), with passages from a fixed searcher.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssistantService } from '../assistant/service.js';
import { passage, passageSearcher } from '../assistant/testing/passage-searcher.js';
import { VISITOR_TOKEN_SECONDS } from '../assistant/visitor-tokens.js';
import { openPlatform, type Platform } from '../platform/index.js';
import { buildPolett, buildSession, buildUser, buildWorkspace } from '../../test-support/builders.js';
import { waitFor } from '../../test-support/job-builders.js';
import { createApp } from './app.js';

const ORIGIN = 'https://www.lindqvists-cykel.example';
const PASSAGES = [
  passage({
    title: 'Returpolicy',
    text: 'Du har 30 dagars öppet köp. Returen är kostnadsfri med returetiketten i paketet.',
    location: { url: 'https://www.lindqvists-cykel.example/villkor#retur' },
  }),
];

interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

let polett: ReturnType<typeof buildPolett>;
let platform: Platform;
let app: ReturnType<typeof createApp>;
let workspaceId: string;
let owner: ReturnType<typeof buildSession>;
let agent: ReturnType<typeof buildSession>;
let viewer: ReturnType<typeof buildSession>;
let assistantId: string;
let webhookSecret: string;
let service: AssistantService;
let receiver: Server;
const received: Received[] = [];
let clock = Date.now();

beforeAll(async () => {
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  polett = buildPolett({
    server: { rateLimit: { widgetMessagesPerVisitor: { requests: 5, windowSeconds: 60 } } },
  });
  platform = openPlatform(polett.storage);
  const ownerUser = await buildUser(platform, { email: 'astrid@example.se', locale: 'sv' });
  const agentUser = await buildUser(platform, { email: 'agent@example.se', name: 'Agneta Agent' });
  const viewerUser = await buildUser(platform, { email: 'viewer@example.se' });
  const workspace = buildWorkspace(platform, {
    name: 'Lindqvists Cykel AB',
    owner: ownerUser,
    members: [
      { user: agentUser, role: 'agent' },
      { user: viewerUser, role: 'viewer' },
    ],
  });
  workspaceId = workspace.id;
  owner = buildSession(platform, ownerUser);
  agent = buildSession(platform, agentUser);
  viewer = buildSession(platform, viewerUser);
  const assistants = (service = new AssistantService({
    database: polett.storage.database,
    models: polett.models,
    config: polett.config,
    visitorTokenKey: polett.storage.deriveKey('visitor-tokens'),
    jobs: polett.jobs,
    knowledge: () => passageSearcher(PASSAGES),
    companyName: () => 'Lindqvists Cykel AB',
    now: () => clock,
  }));
  app = createApp({ ...polett, platform, assistants, now: () => clock });
  polett.startWorkers();
});

afterAll(async () => {
  await polett.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

const api = (path: string) => `/api/workspaces/${workspaceId}${path}`;
const widget = (path: string) => `/widget/api/assistants/${assistantId}${path}`;

async function startVisitor(origin = ORIGIN) {
  const session = await app.request(widget('/session'), {
    method: 'POST',
    headers: { origin, 'content-type': 'application/json' },
    body: '{}',
  });
  expect(session.status).toBe(200);
  const { token, visitorId } = (await session.json()) as { token: string; visitorId: string };
  const headers = { origin, authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const created = await app.request(widget('/conversations'), { method: 'POST', headers, body: '{}' });
  expect(created.status).toBe(201);
  const { conversationId } = (await created.json()) as { conversationId: string };
  return { token, visitorId, headers, conversationId };
}

/** The events of a server-sent event stream, parsed. */
async function sseEvents(response: Response): Promise<Array<{ event: string; data: unknown }>> {
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((block) => block.trim())
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      const data = /^data: (.*)$/m.exec(block)?.[1] ?? 'null';
      return { event, data: JSON.parse(data) as unknown };
    });
}

describe('assistants for staff', () => {
  it('lets an owner create an assistant and refuses a viewer', async () => {
    const refused = await app.request(api('/assistants'), {
      method: 'POST',
      headers: viewer.writeHeaders,
      body: JSON.stringify({ name: 'Kundtjänst' }),
    });
    expect(refused.status).toBe(403);

    const created = await app.request(api('/assistants'), {
      method: 'POST',
      headers: owner.writeHeaders,
      body: JSON.stringify({
        name: 'Kundtjänst',
        allowedOrigins: [ORIGIN],
        webhookUrl: `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`,
      }),
    });
    expect(created.status).toBe(201);
    const body = (await created.json()) as { id: string; webhookSecret: string; confidenceThreshold: number };
    assistantId = body.id;
    webhookSecret = body.webhookSecret;
    expect(body.webhookSecret).toMatch(/^whsec_/);
    expect(body.confidenceThreshold).toBe(0.5);

    const bad = await app.request(api('/assistants'), {
      method: 'POST',
      headers: owner.writeHeaders,
      body: JSON.stringify({ name: 'Fel', allowedOrigins: ['inte en webbplats'] }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { field: string } }).error.field).toBe('allowedOrigins.0');
  });

  it('answers a test question through the staff route', async () => {
    const response = await app.request(api(`/assistants/${assistantId}/ask`), {
      method: 'POST',
      headers: owner.writeHeaders,
      body: JSON.stringify({ text: 'Hur många dagars öppet köp har jag?' }),
    });
    expect(response.status).toBe(200);
    const { answer } = (await response.json()) as { answer: { kind: string; citations: unknown[] } };
    expect(answer.kind).toBe('faq');
    expect(answer.citations).toHaveLength(1);
  });

  it('lets staff go on in their own test conversation but never write into a customer’s', async () => {
    const ask = (body: object) =>
      app.request(api(`/assistants/${assistantId}/ask`), {
        method: 'POST',
        headers: viewer.writeHeaders,
        body: JSON.stringify(body),
      });
    const first = await ask({ text: 'Hur många dagars öppet köp har jag?' });
    expect(first.status).toBe(200);
    const own = ((await first.json()) as { conversation: { id: string } }).conversation.id;
    expect((await ask({ text: 'Och returen?', conversationId: own })).status).toBe(200);

    const customer = await startVisitor();
    const intrusion = await ask({ text: 'Du får 100 % rabatt', conversationId: customer.conversationId });
    expect(intrusion.status).toBe(404);
    expect(service.scope(workspaceId).messages.list(customer.conversationId)).toHaveLength(0);
  });
});

describe('the widget’s public routes', () => {
  it('refuses sites that are not on the allowlist, and pages without an origin', async () => {
    const unknown = await app.request(widget('/session'), {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(unknown.status).toBe(403);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('origin_not_allowed');
    const none = await app.request(widget('/session'), { method: 'POST', body: '{}' });
    expect(none.status).toBe(403);
  });

  it('answers a preflight from an allowed site with CORS headers', async () => {
    const preflight = await app.request(widget('/conversations'), {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
  });

  it('streams a cited answer to a visitor', async () => {
    const visitor = await startVisitor();
    const response = await app.request(widget(`/conversations/${visitor.conversationId}/messages`), {
      method: 'POST',
      headers: visitor.headers,
      body: JSON.stringify({ text: 'Hur lång är returrätten, hur många dagar öppet köp?' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const events = await sseEvents(response);
    const answer = events.find((event) => event.event === 'answer')!.data as {
      message: { kind: string; text: string; citations: Array<{ url: string }> };
    };
    expect(answer.message.kind).toBe('faq');
    expect(answer.message.citations[0]!.url).toBe('https://www.lindqvists-cykel.example/villkor#retur');
    const streamed = events
      .filter((event) => event.event === 'delta')
      .map((event) => (event.data as { text: string }).text)
      .join('');
    expect(streamed).toBe(answer.message.text);
  });

  it('refuses bad messages with a reason, before any stream opens', async () => {
    const visitor = await startVisitor();
    const send = (body: string) =>
      app.request(widget(`/conversations/${visitor.conversationId}/messages`), {
        method: 'POST',
        headers: visitor.headers,
        body,
      });
    for (const [body, code] of [
      [JSON.stringify({ text: '' }), 'message_empty'],
      [JSON.stringify({ text: 'x'.repeat(3_000) }), 'message_too_long'],
      [JSON.stringify({ text: 'x'.repeat(200_000) }), 'message_too_long'],
      [JSON.stringify({ text: '\u0000\u0001\u0002binärt' }), 'message_not_text'],
      ['inte json', 'invalid_request'],
    ] as const) {
      const response = await send(body);
      expect(response.status, code).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
    }
  });

  it('refuses tokens of another assistant, forged tokens, and other visitors’ conversations', async () => {
    const visitor = await startVisitor();
    const other = await app.request(api('/assistants'), {
      method: 'POST',
      headers: owner.writeHeaders,
      body: JSON.stringify({ name: 'Annan', allowedOrigins: [ORIGIN] }),
    });
    const otherId = ((await other.json()) as { id: string }).id;
    const wrongAssistant = await app.request(`/widget/api/assistants/${otherId}/conversations`, {
      method: 'POST',
      headers: visitor.headers,
      body: '{}',
    });
    expect(wrongAssistant.status).toBe(403);
    expect(((await wrongAssistant.json()) as { error: { code: string } }).error.code).toBe(
      'visitor_token_other_assistant',
    );
    const forged = await app.request(widget('/conversations'), {
      method: 'POST',
      headers: { ...visitor.headers, authorization: `Bearer ${visitor.token.slice(0, -2)}xx` },
      body: '{}',
    });
    expect(forged.status).toBe(401);
    const stranger = await startVisitor();
    const peek = await app.request(widget(`/conversations/${visitor.conversationId}`), {
      headers: stranger.headers,
    });
    expect(peek.status).toBe(404);
  });

  it('answers a flood from one visitor with 429 and Retry-After, and serves other visitors', async () => {
    const visitor = await startVisitor();
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let index = 0; index < 7; index += 1) {
      const response = await app.request(widget(`/conversations/${visitor.conversationId}/messages`), {
        method: 'POST',
        headers: visitor.headers,
        body: JSON.stringify({ text: `Hej, fråga nummer ${index}` }),
      });
      statuses.push(response.status);
      if (response.status === 429) retryAfter = response.headers.get('retry-after');
      await response.text();
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    const someoneElse = await startVisitor();
    const served = await app.request(widget(`/conversations/${someoneElse.conversationId}/messages`), {
      method: 'POST',
      headers: someoneElse.headers,
      body: JSON.stringify({ text: 'Hur många dagar öppet köp?' }),
    });
    expect(served.status).toBe(200);
    await served.text();
    clock += 120_000;
  });

  it('keeps the visitor when the session is renewed, and refuses an expired token', async () => {
    const visitor = await startVisitor();
    // The widget renews with the token it has: the visitor, and so the conversation, stay.
    const renewed = await app.request(widget('/session'), {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/json' },
      body: JSON.stringify({ token: visitor.token }),
    });
    expect(((await renewed.json()) as { visitorId: string }).visitorId).toBe(visitor.visitorId);
    clock += (VISITOR_TOKEN_SECONDS + 1) * 1000;
    const expired = await app.request(widget(`/conversations/${visitor.conversationId}`), {
      headers: visitor.headers,
    });
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { error: { code: string } }).error.code).toBe('visitor_token_invalid');
  });
});

describe('the hand-over to the Inbox', () => {
  it('moves a conversation to the Inbox, lets an agent reply live, hand back and close, and tells the webhook', async () => {
    const visitor = await startVisitor();
    const handover = await app.request(widget(`/conversations/${visitor.conversationId}/handover`), {
      method: 'POST',
      headers: visitor.headers,
      body: '{}',
    });
    expect(((await handover.json()) as { status: string }).status).toBe('waiting');

    const inbox = await app.request(api('/conversations?status=waiting,assigned'), {
      headers: agent.headers,
    });
    const { conversations } = (await inbox.json()) as { conversations: Array<{ id: string }> };
    expect(conversations.map((conversation) => conversation.id)).toContain(visitor.conversationId);

    // The customer's widget listens for live events while the agent replies.
    const controller = new AbortController();
    const live = await app.request(
      widget(`/conversations/${visitor.conversationId}/events?token=${encodeURIComponent(visitor.token)}`),
      { headers: { origin: ORIGIN }, signal: controller.signal },
    );
    expect(live.status).toBe(200);
    const reader = live.body!.getReader();
    const decoder = new TextDecoder();
    let liveText = '';
    const readUntil = async (needle: string) => {
      while (!liveText.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) break;
        liveText += decoder.decode(value);
      }
    };
    await readUntil('event: ready');

    const viewerReply = await app.request(api(`/conversations/${visitor.conversationId}/replies`), {
      method: 'POST',
      headers: viewer.writeHeaders,
      body: JSON.stringify({ text: 'Hej!' }),
    });
    expect(viewerReply.status).toBe(403);
    const replied = await app.request(api(`/conversations/${visitor.conversationId}/replies`), {
      method: 'POST',
      headers: agent.writeHeaders,
      body: JSON.stringify({ text: 'Hej, jag heter Agneta och hjälper dig gärna!' }),
    });
    expect(replied.status).toBe(201);
    await readUntil('Agneta och hjälper');
    expect(liveText).toContain('event: message');

    const detail = (await (
      await app.request(api(`/conversations/${visitor.conversationId}`), { headers: agent.headers })
    ).json()) as {
      conversation: { status: string; assignedTo: string };
      summary: string;
      messages: unknown[];
    };
    expect(detail.conversation.status).toBe('assigned');
    expect(detail.summary).toMatch(/Kunden har frågat|The customer asked/);

    const back = await app.request(api(`/conversations/${visitor.conversationId}/hand-back`), {
      method: 'POST',
      headers: agent.writeHeaders,
    });
    expect(((await back.json()) as { status: string }).status).toBe('assistant');
    const closed = await app.request(api(`/conversations/${visitor.conversationId}/close`), {
      method: 'POST',
      headers: agent.writeHeaders,
    });
    expect(((await closed.json()) as { status: string }).status).toBe('closed');
    const closedAgain = await app.request(api(`/conversations/${visitor.conversationId}/close`), {
      method: 'POST',
      headers: agent.writeHeaders,
    });
    expect(closedAgain.status).toBe(200);
    const notes = service
      .scope(workspaceId)
      .messages.list(visitor.conversationId)
      .filter((message) => message.kind === 'event');
    // One note for the hand-back, one for the close.
    expect(notes).toHaveLength(2);
    controller.abort();
    // The widget's page went away (the Node adapter cancels the body when the socket closes): its
    // live listener goes with it.
    await reader.cancel();
    await waitFor(() => service.liveListeners(visitor.conversationId) === 0, { timeoutMs: 5_000 });

    // Two deliveries: the hand-over and the close, each signed over `<timestamp>.<body>`.
    const ours = () =>
      received.filter(
        (delivery) =>
          (JSON.parse(delivery.body) as { conversation: { id: string } }).conversation.id ===
          visitor.conversationId,
      );
    await waitFor(() => ours().length >= 2, { timeoutMs: 15_000 });
    const types = ours().map((delivery) => (JSON.parse(delivery.body) as { type: string }).type);
    expect(types).toEqual(['conversation.handed_over', 'conversation.closed']);
    for (const delivery of ours()) {
      const timestamp = delivery.headers['x-polett-timestamp'] as string;
      const expected = `sha256=${createHmac('sha256', webhookSecret).update(`${timestamp}.${delivery.body}`).digest('hex')}`;
      expect(delivery.headers['x-polett-signature']).toBe(expected);
    }
    const closedEvent = JSON.parse(ours()[1]!.body) as {
      conversation: { transcript: Array<{ role: string }> };
    };
    expect(closedEvent.conversation.transcript.map((message) => message.role)).toContain('agent');
  });
});

describe('analytics', () => {
  it('counts conversations by outcome, feedback and the questions it could not answer, grouped', async () => {
    // Two visitors ask the same thing the assistant cannot answer; one is answered and gives a thumbs up.
    for (const text of ['Säljer ni presentkort till elcyklar?', 'Säljer ni presentkort?']) {
      const visitor = await startVisitor();
      const response = await app.request(widget(`/conversations/${visitor.conversationId}/messages`), {
        method: 'POST',
        headers: visitor.headers,
        body: JSON.stringify({ text }),
      });
      await response.text();
    }
    const happy = await startVisitor();
    const answered = await sseEvents(
      await app.request(widget(`/conversations/${happy.conversationId}/messages`), {
        method: 'POST',
        headers: happy.headers,
        body: JSON.stringify({ text: 'Hur många dagars öppet köp har jag?' }),
      }),
    );
    const messageId = (
      answered.find((event) => event.event === 'answer')!.data as { message: { id: string } }
    ).message.id;
    const thumbs = await app.request(
      widget(`/conversations/${happy.conversationId}/messages/${messageId}/feedback`),
      {
        method: 'POST',
        headers: happy.headers,
        body: JSON.stringify({ value: 1 }),
      },
    );
    expect(thumbs.status).toBe(204);

    const response = await app.request(api('/assistant-analytics?days=7'), { headers: viewer.headers });
    expect(response.status).toBe(200);
    const analytics = (await response.json()) as {
      days: Array<{ conversations: number }>;
      totals: {
        conversations: number;
        thumbsUp: number;
        handedOverShare: number;
        firstTokenMedianMs: number | null;
      };
      unanswered: Array<{ question: string; count: number }>;
    };
    expect(analytics.days).toHaveLength(7);
    // Customers' conversations only, not the ones staff held to try the assistant.
    const customers = service
      .scope(workspaceId)
      .conversations.list({ limit: 500 })
      .filter((conversation) => !conversation.visitorId.startsWith('staff:'));
    expect(analytics.totals.conversations).toBe(customers.length);
    expect(customers.length).toBeGreaterThanOrEqual(3);
    expect(analytics.days.reduce((sum, day) => sum + day.conversations, 0)).toBe(
      analytics.totals.conversations,
    );
    expect(analytics.totals.thumbsUp).toBe(1);
    expect(analytics.totals.handedOverShare).toBeGreaterThan(0);
    expect(analytics.totals.firstTokenMedianMs).not.toBeNull();
    const presentkort = analytics.unanswered.find((group) => /presentkort/.test(group.question));
    expect(presentkort?.count).toBe(2);
  });
});

describe('the page’s language', () => {
  it('answers a short English question on an English page in English', async () => {
    const session = await app.request(widget('/session'), {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/json', 'accept-language': 'en' },
      body: '{}',
    });
    const { token } = (await session.json()) as { token: string };
    const headers = {
      origin: ORIGIN,
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'accept-language': 'en',
    };
    const created = await app.request(widget('/conversations'), { method: 'POST', headers, body: '{}' });
    const { conversationId } = (await created.json()) as { conversationId: string };
    const events = await sseEvents(
      await app.request(widget(`/conversations/${conversationId}/messages`), {
        method: 'POST',
        headers,
        body: JSON.stringify({ text: 'Gift cards?' }),
      }),
    );
    const answer = events.find((event) => event.event === 'answer')!.data as { message: { text: string } };
    expect(answer.message.text).toMatch(/^I cannot find a reliable answer/);
  });
});
