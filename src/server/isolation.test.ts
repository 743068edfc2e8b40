/**
 * The isolation test: a user (and an API key) of workspace A walks EVERY route the app has
 * registered, with workspace B's ids in the path parameters, and must be refused each time;
 * no answer may contain B's data. A new route is covered the day it is added, and a route that
 * reaches workspace data without the workspace gate makes this test fail (shown below).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildApiKey,
  buildPlatformServer,
  buildSession,
  buildUser,
  buildWorkspace,
} from '../../test-support/builders.js';
import { openAssistantStore } from '../assistant/index.js';
import type { Database } from 'better-sqlite3';
import { BulkImports } from '../content/bulk/bulk-run.js';
import { openContentStore } from '../content/index.js';
import { openKnowledge } from '../knowledge/index.js';
import { openInsightsStore, pushFeedback } from '../insights/index.js';
import { createApp } from './app.js';

type Server = ReturnType<typeof buildPlatformServer>;
type App = Server['app'];

interface Fixture {
  server: Server;
  /** Headers of A's callers; a fresh session per request, since some routes end sessions. */
  callersOfA: Array<{ name: string; headers: () => Record<string, string> }>;
  /** Path parameters filled with B's ids. */
  idsOfB: Record<string, string>;
  /** Strings only B's data contains: none may appear in an answer to A. */
  secretsOfB: string[];
}

/** One piece of feedback of a workspace, through Insights' store, for Content's review-reply route. */
function feedbackIdOf(database: Database, workspaceId: string): string {
  const insights = openInsightsStore(database).forWorkspace(workspaceId);
  insights.insertFeedback([
    {
      externalId: null,
      contentHash: 'bravo-hemlig-hash',
      text: 'bravo-hemlig recension',
      occurredAt: null,
      rating: 1,
      source: null,
      author: null,
      label: null,
      fields: {},
      importId: null,
      importLine: null,
    },
  ]);
  return insights.listFeedback({ limit: 1 })[0]!.id;
}

async function buildTwoWorkspaces(): Promise<Fixture> {
  const server = buildPlatformServer();
  const { platform } = server;
  const ownerOfA = await buildUser(platform, { email: 'owner@alfa.example' });
  const workspaceA = buildWorkspace(platform, { name: 'Alfa AB', owner: ownerOfA });
  const keyOfA = buildApiKey(platform, workspaceA.id, ['admin', 'inference']);

  const ownerOfB = await buildUser(platform, { email: 'owner@bravo-hemlig.example' });
  const memberOfB = await buildUser(platform, { email: 'member@bravo-hemlig.example' });
  const workspaceB = buildWorkspace(platform, {
    name: 'Bravo Hemlig AB',
    owner: ownerOfB,
    members: [{ user: memberOfB, role: 'editor' }],
  });
  const scopeOfB = platform.forWorkspace(workspaceB.id);
  const keyOfB = buildApiKey(platform, workspaceB.id, ['admin']);
  const invitationOfB = scopeOfB.invitations.create({
    email: 'invited@bravo-hemlig.example',
    role: 'viewer',
    invitedBy: ownerOfB.id,
  });
  scopeOfB.audit.record({
    actor: { type: 'user', id: ownerOfB.id, label: ownerOfB.email },
    action: 'bravo.secret_event',
  });
  server.polett.storage.usage.record({
    at: new Date().toISOString(),
    workspaceId: workspaceB.id,
    task: 'bravo-hemlig-task',
    provider: 'p',
    model: 'm',
    inputTokens: 1,
    outputTokens: 1,
    latencyMs: 1,
    cost: null,
    currency: null,
    ok: true,
    errorCode: null,
  });

  const jobOfB = await server.polett.jobs.enqueue({
    type: 'model.pull',
    workspaceId: workspaceB.id,
    input: { reference: 'bravo-hemlig/model' },
  });
  const knowledgeOfB = await openKnowledge({
    database: server.polett.storage.database,
    dataDir: server.polett.config.dataDir,
  }).forWorkspace(workspaceB.id);
  const sourceOfB = knowledgeOfB.store.createSource({
    kind: 'page',
    location: 'https://bravo-hemlig.example/',
    name: 'Bravo Hemlig källa',
  });
  const contentOfB = openContentStore(server.polett.storage.database).forWorkspace(workspaceB.id);
  const profileOfB = contentOfB.createProfile({ name: 'Bravo Hemlig profil' });
  const textOfB = contentOfB.createText({
    profileId: profileOfB.id,
    templateId: 'faq-answer',
    title: 'Bravo Hemlig text',
    language: 'sv',
    body: 'bravo-hemlig brödtext',
    findings: [],
    citations: [],
    origin: 'written',
    author: null,
  });

  const assistantsOfB = openAssistantStore(server.polett.storage.database).forWorkspace(workspaceB.id);
  const assistantOfB = assistantsOfB.assistants.create({
    name: 'Bravo Hemlig assistent',
    allowedOrigins: ['https://bravo-hemlig.example'],
  });
  const conversationOfB = assistantsOfB.conversations.create({
    assistantId: assistantOfB.id,
    visitorId: 'v-b',
  });
  const messageOfB = assistantsOfB.messages.append(conversationOfB.id, {
    role: 'customer',
    kind: 'question',
    text: 'bravo-hemlig fråga',
  });
  const curatedOfB = assistantsOfB.curated.create({
    assistantId: null,
    question: 'bravo-hemlig fråga',
    answer: 'bravo-hemlig svar',
    createdBy: null,
  });

  const insightsOfB = openInsightsStore(server.polett.storage.database).forWorkspace(workspaceB.id);
  pushFeedback(insightsOfB, [{ text: 'bravo-hemlig omdöme', source: 'bravo-hemlig källa' }]);
  insightsOfB.updateSettings({
    alertWebhookUrl: 'https://bravo-hemlig.example/larm',
    alertWebhookSecret: 'bravo-hemlig-hemlighet',
  });

  return {
    server,
    callersOfA: [
      { name: 'owner of A (session)', headers: () => buildSession(platform, ownerOfA).writeHeaders },
      { name: 'admin key of A', headers: () => keyOfA.headers },
    ],
    idsOfB: {
      workspaceId: workspaceB.id,
      userId: memberOfB.id,
      keyId: keyOfB.id,
      invitationId: invitationOfB.record.id,
      jobId: jobOfB.id,
      // Models belong to the installation, not to a workspace: the gate refuses B's path before the alias matters.
      alias: 'bravo-hemlig-model',
      profileId: profileOfB.id,
      templateId: contentOfB.createTemplate({
        name: 'Bravo Hemlig mall',
        fields: [{ name: 'a', label: 'A' }],
        instructions: '{{a}}',
      }).id,
      textId: textOfB.id,
      feedbackId: feedbackIdOf(server.polett.storage.database, workspaceB.id),
      webhookId: contentOfB.createWebhook('https://bravo-hemlig.example/hook').id,
      importId: new BulkImports(server.polett.storage.database, workspaceB.id).create(
        {
          format: 'csv',
          encoding: 'utf-8',
          columns: ['Produkt'],
          rows: [{ rowNumber: 1, values: { Produkt: 'bravo-hemlig' } }],
        },
        'bravo-hemlig.csv',
      ).id,
      assistantId: assistantOfB.id,
      conversationId: conversationOfB.id,
      messageId: messageOfB.id,
      curatedId: curatedOfB.id,
      sourceId: sourceOfB.id,
      alertId: insightsOfB.raiseAlert({
        metric: 'negative',
        periodStart: '2024-03-31',
        value: 20,
        expected: 1,
        robustZ: 9,
        message: { sv: 'bravo-hemlig larm', en: 'bravo-hemlig alert' },
      })!.id,
    },
    secretsOfB: ['bravo-hemlig', 'Bravo Hemlig', keyOfB.secret.slice(0, 10), 'bravo.secret_event'],
  };
}

interface Leak {
  route: string;
  caller: string;
  status: number;
  reason: string;
}

/** Walks every registered route as each caller of A, with B's ids; returns every answer that was not a refusal. */
async function findLeaks(app: App, fixture: Fixture): Promise<Leak[]> {
  const routes = new Map<string, { method: string; path: string }>();
  for (const route of app.routes) {
    const method = route.method === 'ALL' ? 'GET' : route.method;
    routes.set(`${method} ${route.path}`, { method, path: route.path });
  }
  const leaks: Leak[] = [];
  for (const [name, route] of routes) {
    const parameters = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1]!);
    const unknown = parameters.filter((parameter) => !(parameter in fixture.idsOfB));
    if (unknown.length > 0) {
      leaks.push({
        route: name,
        caller: '-',
        status: 0,
        reason: `no id of B for :${unknown.join(', :')}; add one to idsOfB`,
      });
      continue;
    }
    const path = route.path
      .replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, (_match, parameter: string) => fixture.idsOfB[parameter]!)
      .replace(/\*/g, 'x');
    for (const caller of fixture.callersOfA) {
      const hasBody = !['GET', 'HEAD'].includes(route.method);
      const response = await app.request(path, {
        method: route.method,
        headers: caller.headers(),
        ...(hasBody ? { body: '{}' } : {}),
      });
      const text = await response.text();
      const secret = fixture.secretsOfB.find((value) => text.includes(value));
      if (secret)
        leaks.push({
          route: name,
          caller: caller.name,
          status: response.status,
          reason: `answer contains "${secret}"`,
        });
      // The widget's public routes know no workspace members: their refusal is a missing visitor token.
      else if (
        parameters.length > 0 &&
        ![403, 404, ...(route.path.startsWith('/widget/') ? [401] : [])].includes(response.status)
      )
        leaks.push({ route: name, caller: caller.name, status: response.status, reason: 'not refused' });
    }
  }
  return leaks;
}

let fixture: Fixture;
beforeAll(async () => {
  fixture = await buildTwoWorkspaces();
});
afterAll(async () => {
  await fixture.server.close();
});

describe('workspace isolation', () => {
  it('refuses a user and a key of workspace A on every route, with B’s ids, and leaks nothing of B', async () => {
    const { app, platform } = fixture.server;
    const workspaceRoutes = app.routes.filter((route) => route.path.includes(':workspaceId'));
    expect(workspaceRoutes.length).toBeGreaterThanOrEqual(10);
    expect(await findLeaks(app, fixture)).toEqual([]);

    // And B's data is as it was.
    const scopeOfB = platform.forWorkspace(fixture.idsOfB.workspaceId!);
    expect(scopeOfB.workspace.get()?.name).toBe('Bravo Hemlig AB');
    expect(scopeOfB.members.list()).toHaveLength(2);
    expect(scopeOfB.apiKeys.get(fixture.idsOfB.keyId!)?.revokedAt).toBeNull();
    expect(scopeOfB.invitations.listPending()).toHaveLength(1);
  });

  it('fails when a route reaches workspace data without the workspace gate', async () => {
    // A second app on the same database, with one route that reads a workspace by the id in its path.
    const { polett, platform } = fixture.server;
    const leakyApp = createApp({ ...polett, platform });
    leakyApp.get('/api/reports/:workspaceId', (context) =>
      context.json(platform.forWorkspace(context.req.param('workspaceId')).workspace.get() ?? {}),
    );
    const leaks = await findLeaks(leakyApp, fixture);
    expect(leaks.map((leak) => `${leak.route} (${leak.caller}): ${leak.reason}`)).toEqual([
      'GET /api/reports/:workspaceId (owner of A (session)): answer contains "bravo-hemlig"',
      'GET /api/reports/:workspaceId (admin key of A): answer contains "bravo-hemlig"',
    ]);
  });

  it('gates a new route under /api/workspaces/:workspaceId/ by itself', async () => {
    const server = buildPlatformServer();
    server.app.get('/api/workspaces/:workspaceId/new-feature', (context) =>
      context.json(context.get('workspace').scope.workspace.get() ?? {}),
    );
    const owner = await buildUser(server.platform);
    const mine = buildWorkspace(server.platform, { owner });
    const other = buildWorkspace(server.platform, { owner: await buildUser(server.platform), name: 'Annan' });
    const session = buildSession(server.platform, owner);
    expect(
      (await server.app.request(`/api/workspaces/${mine.id}/new-feature`, { headers: session.headers }))
        .status,
    ).toBe(200);
    expect(
      (await server.app.request(`/api/workspaces/${other.id}/new-feature`, { headers: session.headers }))
        .status,
    ).toBe(404);
    await server.close();
  });
});
