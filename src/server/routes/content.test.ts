/**
 * Content over HTTP, in memory. Tier 1 (no chat model): profiles with their contradictions,
 * templates, drafts, rule checks and fixes on a person's text, texts through review with versions,
 * comments, export and a signed webhook with a retry. Tier 2: variants streamed from the real tiny
 * GGUF model (random text: the test is about plumbing, streaming and the checks, not quality).
 */
import { createServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildPlatformServer,
  buildSession,
  buildUser,
  buildWorkspace,
  type BuiltSession,
} from '../../../test-support/builders.js';
import { waitFor, waitForJobEnd } from '../../../test-support/job-builders.js';
import { TEST_MODELS_DIR } from '../../../test-support/paths.js';
import { TINY_GGUF_BPE_MODEL } from '../../../test-support/tiny-gguf.js';
import { openInsightsStore } from '../../insights/index.js';
import {
  signWebhookBody,
  type CheckedText,
  type ContentText,
  type GenerationEvent,
} from '../../content/index.js';

type Server = ReturnType<typeof buildPlatformServer>;

const PROFILE = {
  name: 'Rosteriet Kaffekvarnen',
  description: 'Ett litet kafferosteri i Göteborg.',
  language: 'sv',
  voice: { examples: ['Vi rostar varje tisdag.'], adjectives: ['varm', 'kunnig'] },
  audiences: [{ name: 'Hemmabryggare', description: 'Brygger hemma.' }],
  rules: {
    bannedWords: [{ word: 'billig', instead: 'prisvärd' }],
    requiredPhrases: ['Rostat i Göteborg'],
    address: 'du',
    emojis: false,
    maxExclamationMarks: 1,
  },
};

async function setUp(server: Server) {
  const owner = await buildUser(server.platform);
  const viewerUser = await buildUser(server.platform);
  const workspace = buildWorkspace(server.platform, {
    owner,
    members: [{ user: viewerUser, role: 'viewer' }],
  });
  return {
    owner: buildSession(server.platform, owner),
    viewer: buildSession(server.platform, viewerUser),
    base: `/api/workspaces/${workspace.id}/content`,
  };
}

async function json<Body>(response: Response): Promise<Body> {
  return (await response.json()) as Body;
}

describe('Content routes without a chat model (tier 1)', () => {
  let server: Server;
  let owner: BuiltSession;
  let viewer: BuiltSession;
  let base: string;
  let profileId: string;
  let receiver: HttpServer;
  const received: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
  let receiverCalls = 0;

  beforeAll(async () => {
    server = buildPlatformServer();
    ({ owner, viewer, base } = await setUp(server));
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        receiverCalls += 1;
        // The first delivery fails, so the retry is exercised.
        if (receiverCalls === 1) {
          response.writeHead(503).end();
          return;
        }
        received.push({ headers: request.headers, body });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => receiver?.close(resolve));
    await server?.close();
  });

  it('refuses a profile whose rules contradict each other, and stores a consistent one', async () => {
    const contradictory = await server.app.request(`${base}/profiles`, {
      method: 'POST',
      headers: owner.writeHeaders,
      body: JSON.stringify({
        ...PROFILE,
        rules: { ...PROFILE.rules, requiredPhrases: ['Billigast i stan'] },
      }),
    });
    expect(contradictory.status).toBe(400);
    const error = await json<{ error: { code: string; message: string; field: string } }>(contradictory);
    expect(error.error.code).toBe('content_profile_contradiction');
    // The user's saved language (English for built users) decides the sentence.
    expect(error.error.message).toBe(
      'The phrase "Billigast i stan" is required but contains the banned word "billig"; remove the word from the banned words or change the phrase.',
    );

    const created = await server.app.request(`${base}/profiles`, {
      method: 'POST',
      headers: owner.writeHeaders,
      body: JSON.stringify(PROFILE),
    });
    expect(created.status).toBe(201);
    profileId = (await json<{ id: string }>(created)).id;
    const listed = await json<{ profiles: Array<{ id: string }> }>(
      await server.app.request(`${base}/profiles`, { headers: viewer.headers }),
    );
    expect(listed.profiles.map((profile) => profile.id)).toEqual([profileId]);
    const denied = await server.app.request(`${base}/profiles`, {
      method: 'POST',
      headers: viewer.writeHeaders,
      body: JSON.stringify(PROFILE),
    });
    expect(denied.status).toBe(403);
  });

  it('lists the templates, adds a user template and refuses an unknown field', async () => {
    const refused = await server.app.request(`${base}/templates`, {
      method: 'POST',
      headers: owner.writeHeaders,
      body: JSON.stringify({
        name: 'Veckans böna',
        fields: [{ name: 'bean', label: 'Böna' }],
        instructions: 'Om {{bena}}.',
      }),
    });
    expect(refused.status).toBe(400);
    expect((await json<{ error: { code: string } }>(refused)).error.code).toBe(
      'content_template_unknown_field',
    );

    const added = await server.app.request(`${base}/templates`, {
      method: 'POST',
      headers: owner.writeHeaders,
      body: JSON.stringify({
        name: 'Veckans böna',
        fields: [{ name: 'bean', label: 'Böna' }],
        instructions: 'Om {{bean}}.',
      }),
    });
    expect(added.status).toBe(201);
    const listed = await json<{ templates: Array<{ id: string; builtIn: boolean }> }>(
      await server.app.request(`${base}/templates`, { headers: viewer.headers }),
    );
    expect(listed.templates.filter((template) => template.builtIn)).toHaveLength(12);
    expect(listed.templates.at(-1)?.builtIn).toBe(false);
  });

  it('fills a template draft and says in one sentence which model generation needs', async () => {
    const draft = await server.app.request(`${base}/draft`, {
      method: 'POST',
      headers: owner.writeHeaders,
      body: JSON.stringify({
        templateId: 'linkedin-post',
        profileId,
        fields: { topic: 'Nya bönor från Etiopien' },
      }),
    });
    expect(await json<{ text: string }>(draft)).toEqual({ text: 'Nya bönor från Etiopien' });

    const unknownField = await server.app.request(`${base}/draft`, {
      method: 'POST',
      headers: owner.writeHeaders,
      body: JSON.stringify({ templateId: 'linkedin-post', fields: { topic: 'x', price: '9' } }),
    });
    expect(unknownField.status).toBe(400);
    expect((await json<{ error: { field: string } }>(unknownField)).error.field).toBe('fields.price');

    const status = await json<{ chatModel: boolean; hint: { sv: string; en: string } }>(
      await server.app.request(`${base}/status`, { headers: viewer.headers }),
    );
    expect(status.chatModel).toBe(false);
    const generate = await server.app.request(`${base}/generate`, {
      method: 'POST',
      headers: owner.writeHeaders,
      body: JSON.stringify({ profileId, templateId: 'linkedin-post', fields: { topic: 'Nya bönor' } }),
    });
    expect(generate.status).toBe(503);
    const error = await json<{ error: { code: string; message: string } }>(generate);
    expect(error.error.code).toBe('content_chat_model_missing');
    expect(error.error.message).toBe(status.hint.en);
    expect(error.error.message).toContain('needs a chat model');
  });

  it('checks a person’s draft and applies a fix in one call', async () => {
    const checked = await json<CheckedText>(
      await server.app.request(`${base}/check`, {
        method: 'POST',
        headers: viewer.writeHeaders,
        body: JSON.stringify({
          profileId,
          templateId: 'linkedin-post',
          text: 'Ni får vårt superbilliga kaffe. Rostat i Göteborg',
        }),
      }),
    );
    expect(checked.findings.map((finding) => finding.rule)).toEqual(['address', 'banned-word']);
    const fixed = await json<CheckedText>(
      await server.app.request(`${base}/fix`, {
        method: 'POST',
        headers: viewer.writeHeaders,
        body: JSON.stringify({ profileId, text: checked.text, fix: checked.findings[0]!.fix!.edit }),
      }),
    );
    expect(fixed.text).toBe('Du får vårt superbilliga kaffe. Rostat i Göteborg');
    expect(fixed.findings.map((finding) => finding.rule)).toEqual(['banned-word']);

    // A fix that rewrites with the chat model spends the model like /rewrite does: a reader may
    // apply the deterministic fixes, not that one.
    const rewriteFix = { kind: 'rewrite', instruction: 'translate', language: 'sv', needsModel: true };
    const refused = await server.app.request(`${base}/fix`, {
      method: 'POST',
      headers: viewer.writeHeaders,
      body: JSON.stringify({ profileId, text: 'We roast every Tuesday.', fix: rewriteFix }),
    });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('permission_denied');
  });

  it('takes a text through review to published, with versions, comments, export and a signed webhook', async () => {
    const webhook = await json<{ id: string; secret: string }>(
      await server.app.request(`${base}/webhooks`, {
        method: 'POST',
        headers: owner.writeHeaders,
        body: JSON.stringify({
          url: `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`,
        }),
      }),
    );
    expect(webhook.secret).toMatch(/^whsec_/);
    expect((await server.app.request(`${base}/webhooks`, { headers: viewer.headers })).status).toBe(403);
    const listed = await json<{ webhooks: Array<{ id: string; secret?: string }> }>(
      await server.app.request(`${base}/webhooks`, { headers: owner.headers }),
    );
    expect(listed.webhooks.map((listedWebhook) => [listedWebhook.id, listedWebhook.secret])).toEqual([
      [webhook.id, undefined],
    ]);
    const workers = server.polett.startWorkers({ concurrency: 1 });
    void workers;

    const created = await json<ContentText>(
      await server.app.request(`${base}/texts`, {
        method: 'POST',
        headers: owner.writeHeaders,
        body: JSON.stringify({
          profileId,
          templateId: 'blog-draft',
          title: 'Höstens bönor',
          body: '# Höstens bönor\n\nVi rostar <script>alert(1)</script> **varje** tisdag. Rostat i Göteborg',
        }),
      }),
    );
    expect(created.state).toBe('draft');
    const move = (state: string) =>
      server.app.request(`${base}/texts/${created.id}/state`, {
        method: 'POST',
        headers: owner.writeHeaders,
        body: JSON.stringify({ state }),
      });
    const skipped = await move('published');
    expect(skipped.status).toBe(409);
    expect((await json<{ error: { message: string } }>(skipped)).error.message).toContain(
      'cannot become published',
    );

    expect((await move('in_review')).status).toBe(200);
    const queue = await json<{ texts: ContentText[] }>(
      await server.app.request(`${base}/texts?state=in_review`, { headers: viewer.headers }),
    );
    expect(queue.texts.map((text) => text.id)).toEqual([created.id]);
    await server.app.request(`${base}/texts/${created.id}/comments`, {
      method: 'POST',
      headers: owner.writeHeaders,
      body: JSON.stringify({ body: 'Byt gärna rubrik.' }),
    });
    const updated = await json<ContentText>(
      await server.app.request(`${base}/texts/${created.id}`, {
        method: 'PUT',
        headers: owner.writeHeaders,
        body: JSON.stringify({ body: created.body.replace('Höstens', 'Vinterns'), note: 'ny rubrik' }),
      }),
    );
    expect(updated.version).toBe(2);
    expect((await move('approved')).status).toBe(200);

    const versions = await json<{ versions: Array<{ version: number; note: string | null }> }>(
      await server.app.request(`${base}/texts/${created.id}/versions`, { headers: viewer.headers }),
    );
    expect(versions.versions.map((version) => [version.version, version.note])).toEqual([
      [2, 'ny rubrik'],
      [1, null],
    ]);
    const comments = await json<{ comments: Array<{ body: string }> }>(
      await server.app.request(`${base}/texts/${created.id}/comments`, { headers: viewer.headers }),
    );
    expect(comments.comments.map((comment) => comment.body)).toEqual(['Byt gärna rubrik.']);

    const html = await server.app.request(`${base}/texts/${created.id}/export?format=html`, {
      headers: viewer.headers,
    });
    expect(html.headers.get('content-type')).toContain('text/html');
    const page = await html.text();
    expect(page).toContain('<h1>Vinterns bönor</h1>');
    expect(page).toContain('<strong>varje</strong>');
    expect(page).not.toContain('<script>');
    const plain = await (
      await server.app.request(`${base}/texts/${created.id}/export?format=text`, { headers: viewer.headers })
    ).text();
    expect(plain.startsWith('Vinterns bönor\n\nVi rostar')).toBe(true);
    expect(plain).toContain('varje tisdag');
    const markdown = await server.app.request(`${base}/texts/${created.id}/export?format=markdown`, {
      headers: viewer.headers,
    });
    expect(markdown.headers.get('content-disposition')).toContain('H%C3%B6stens%20b%C3%B6nor.md');

    // Two changes of state (editing a text in review keeps it in review), so two events; the first
    // delivery failed once and was retried, so they may arrive in either order.
    await waitFor(() => received.length >= 2, { timeoutMs: 20_000, what: 'two webhook deliveries' });
    const events = received.map((delivery) => JSON.parse(delivery.body) as { to: string; from: string });
    expect(events.map((event) => `${event.from}→${event.to}`).sort()).toEqual([
      'draft→in_review',
      'in_review→approved',
    ]);
    expect(receiverCalls).toBe(3);
    for (const delivery of received) {
      const timestamp = Number(delivery.headers['x-polett-timestamp']);
      expect(delivery.headers['x-polett-signature']).toBe(
        signWebhookBody(webhook.secret, timestamp, delivery.body),
      );
    }
  });

  it('keeps a text editable after its profile and its own template are deleted', async () => {
    const post = (path: string, body: unknown) =>
      server.app.request(`${base}${path}`, {
        method: 'POST',
        headers: owner.writeHeaders,
        body: JSON.stringify(body),
      });
    const profile = await json<{ id: string }>(await post('/profiles', { ...PROFILE, name: 'Tillfällig' }));
    const template = await json<{ id: string }>(
      await post('/templates', {
        name: 'Skyltfönster',
        fields: [{ name: 'vara', label: 'Vara' }],
        instructions: 'Skriv en skylt om {{vara}}.',
      }),
    );
    const text = await json<ContentText>(
      await post('/texts', {
        profileId: profile.id,
        templateId: template.id,
        title: 'Skylt',
        body: 'Ny vara.',
      }),
    );
    for (const path of [`/profiles/${profile.id}`, `/templates/${template.id}`]) {
      const removed = await server.app.request(`${base}${path}`, {
        method: 'DELETE',
        headers: owner.writeHeaders,
      });
      expect(removed.status).toBe(204);
    }
    const updated = await server.app.request(`${base}/texts/${text.id}`, {
      method: 'PUT',
      headers: owner.writeHeaders,
      body: JSON.stringify({ body: 'Nya bönor i fönstret.' }),
    });
    expect(updated.status).toBe(200);
    expect(await json<ContentText>(updated)).toMatchObject({ version: 2, body: 'Nya bönor i fönstret.' });
  });

  it('checks fact-stating sentences against the workspace’s real Knowledge and cites the source', async () => {
    server.polett.startWorkers({ concurrency: 1 });
    const form = new FormData();
    form.append(
      'files',
      new Blob(['# Sortiment\n\nEtiopien Yirgacheffe kostar 149 kr för 250 gram och är ekologiskt.']),
      'sortiment.md',
    );
    const { 'content-type': _json, ...headers } = owner.writeHeaders;
    const uploaded = await server.app.request(`${base.replace('/content', '/knowledge')}/uploads`, {
      method: 'POST',
      headers,
      body: form,
    });
    expect(uploaded.status).toBe(202);
    const { job } = await json<{ job: { id: string } }>(uploaded);
    expect((await waitForJobEnd(server.polett.jobs, job.id, 30_000)).state).toBe('succeeded');

    const checked = await json<CheckedText>(
      await server.app.request(`${base}/check`, {
        method: 'POST',
        headers: viewer.writeHeaders,
        body: JSON.stringify({
          profileId,
          facts: true,
          text: 'Vårt Yirgacheffe från Etiopien kostar 149 kr. Vi har öppet till 22 på söndagar. Rostat i Göteborg',
        }),
      }),
    );
    expect(checked.citations.map((citation) => [citation.sentence, citation.title])).toEqual([
      ['Vårt Yirgacheffe från Etiopien kostar 149 kr.', 'Sortiment'],
    ]);
    const unsupported = checked.findings.filter((finding) => finding.rule === 'unsupported-fact');
    expect(unsupported.map((finding) => finding.missing)).toEqual([['22', 'söndagar']]);
  });

  it('prefills a review reply from a piece of Insights feedback, and says when there is none', async () => {
    const workspaceId = base.split('/')[3]!;
    const insights = openInsightsStore(server.polett.storage.database).forWorkspace(workspaceId);
    insights.insertFeedback([
      {
        externalId: 'google-1',
        contentHash: 'hash-1',
        text: 'Kaffet kom en vecka för sent och påsen var trasig.',
        occurredAt: null,
        rating: 2,
        source: 'google',
        author: 'Eva',
        label: null,
        fields: {},
        importId: null,
        importLine: null,
      },
    ]);
    const feedbackId = insights.listFeedback({ limit: 1 })[0]!.id;
    const prefill = await json<{ templateId: string; fields: Record<string, string> }>(
      await server.app.request(`${base}/review-reply/${feedbackId}`, { headers: viewer.headers }),
    );
    expect(prefill).toEqual({
      templateId: 'review-reply',
      fields: {
        review: 'Kaffet kom en vecka för sent och påsen var trasig.',
        rating: '2',
        reviewerName: 'Eva',
      },
    });
    const missing = await server.app.request(`${base}/review-reply/nope`, { headers: viewer.headers });
    expect(missing.status).toBe(404);
  });

  it('runs a catalogue in bulk over HTTP: upload, map once, download the result', async () => {
    server.polett.startWorkers({ concurrency: 1 });
    const csv = 'Produkt;Egenskaper\nKaffe Etiopien;Fruktigt\nKaffe Brasilien;Nötigt\n';
    const uploaded = await server.app.request(`${base}/bulk/imports?fileName=sortiment.csv`, {
      method: 'POST',
      headers: { ...owner.writeHeaders, 'content-type': 'text/csv' },
      body: new TextEncoder().encode(csv),
    });
    expect(uploaded.status).toBe(201);
    const bulkImport = await json<{ id: string; columns: string[]; rowCount: number }>(uploaded);
    expect(bulkImport).toMatchObject({ columns: ['Produkt', 'Egenskaper'], rowCount: 2 });

    const start = (mapping: Record<string, string>) =>
      server.app.request(`${base}/bulk/imports/${bulkImport.id}/start`, {
        method: 'POST',
        headers: owner.writeHeaders,
        body: JSON.stringify({ profileId, templateId: 'product-description', mapping }),
      });
    const wrong = await start({ product: 'Produkt', colour: 'Egenskaper' });
    expect(wrong.status).toBe(400);
    expect((await json<{ error: { message: string } }>(wrong)).error.message).toBe(
      'The template "Product description" has no field "colour"; its fields are product, features, price.',
    );
    const started = await start({ product: 'Produkt', features: 'Egenskaper' });
    expect(started.status).toBe(202);
    const { jobId } = await json<{ jobId: string }>(started);
    await waitFor(
      async () =>
        (
          await json<{ state: string }>(
            await server.app.request(`${base.replace('/content', '')}/jobs/${jobId}`, {
              headers: viewer.headers,
            }),
          )
        ).state === 'succeeded',
      { timeoutMs: 20_000, what: 'the bulk job' },
    );
    const result = await server.app.request(`${base}/bulk/${jobId}/result?format=csv`, {
      headers: viewer.headers,
    });
    expect(result.headers.get('content-type')).toContain('text/csv');
    const lines = (await result.text())
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    expect(lines[0]).toBe('row,Produkt,Egenskaper,text,findings,near duplicate of row,error');
    expect(lines).toHaveLength(1 + 2 * 3);
  });
});

describe('Content routes with the tiny GGUF chat model', () => {
  let server: Server;
  let owner: BuiltSession;
  let base: string;
  let profileId: string;

  beforeAll(async () => {
    server = buildPlatformServer({
      providers: { local: { type: 'local-gguf', contextSize: 4096, parallelSequences: 2 } },
      models: { tiny: { provider: 'local', model: path.join(TEST_MODELS_DIR, TINY_GGUF_BPE_MODEL) } },
      tasks: { chat: ['tiny'] },
    });
    ({ owner, base } = await setUp(server));
    const created = await server.app.request(`${base}/profiles`, {
      method: 'POST',
      headers: owner.writeHeaders,
      body: JSON.stringify(PROFILE),
    });
    profileId = (await json<{ id: string }>(created)).id;
  });

  afterAll(async () => {
    await server?.close();
  });

  it('streams two variants of a LinkedIn post as server-sent events, each checked', async () => {
    const response = await server.app.request(`${base}/generate`, {
      method: 'POST',
      headers: owner.writeHeaders,
      body: JSON.stringify({
        profileId,
        templateId: 'linkedin-post',
        fields: { topic: 'Nya bönor från Etiopien', callToAction: 'Beställ i dag' },
        variants: 2,
        maxOutputTokens: 12,
      }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = (await response.text())
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => JSON.parse(line.slice(6)) as GenerationEvent);
    expect(events[0]?.type).toBe('sources');
    const deltas = events.filter((event) => event.type === 'text-delta');
    expect(new Set(deltas.map((event) => event.variant))).toEqual(new Set([0, 1]));
    const ends = events.filter((event) => event.type === 'variant-end');
    expect(ends).toHaveLength(2);
    for (const end of ends) {
      const streamed = deltas
        .filter((event) => event.variant === end.variant)
        .map((event) => event.delta)
        .join('');
      expect(end.text).toBe(streamed.trim());
      // Random text never holds the required phrase: the check ran on what the model wrote.
      expect(end.findings.map((finding) => finding.rule)).toContain('required-phrase');
    }
    expect(events.at(-1)?.type).toBe('end');
  });

  it('rewrites a selection with the model and checks the whole text again', async () => {
    const text = 'Vi rostar varje tisdag. Rostat i Göteborg';
    const response = await server.app.request(`${base}/rewrite`, {
      method: 'POST',
      headers: owner.writeHeaders,
      body: JSON.stringify({
        profileId,
        text,
        selection: { start: 0, end: 23 },
        instruction: 'shorter',
        maxOutputTokens: 8,
      }),
    });
    expect(response.status).toBe(200);
    const body = await json<CheckedText & { replacement: string }>(response);
    expect(body.text).toBe(body.replacement + text.slice(23));
    expect(Array.isArray(body.findings)).toBe(true);
  });
});
