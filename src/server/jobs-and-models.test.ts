import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPlatformServer, buildSession, buildUser, buildWorkspace } from '../../test-support/builders.js';
import { TEST_MODELS_DIR } from '../../test-support/paths.js';
import { TINY_GGUF_MODEL } from '../../test-support/tiny-gguf.js';
import { startFakeHub, type FakeHub } from '../models/hub/testing/fake-hub.js';
import { buildGgufBytes } from '../models/hub/testing/gguf-bytes.js';

let hub: FakeHub;
const previousEndpoint = process.env.HF_ENDPOINT;

beforeAll(async () => {
  hub = await startFakeHub({
    repositories: [
      {
        id: 'polett-test/web-GGUF',
        files: [{ path: 'web-Q8_0.gguf', content: buildGgufBytes({ paddingBytes: 100_000 }) }],
      },
    ],
  });
  process.env.HF_ENDPOINT = hub.url;
});

afterAll(async () => {
  if (previousEndpoint === undefined) delete process.env.HF_ENDPOINT;
  else process.env.HF_ENDPOINT = previousEndpoint;
  await hub.close();
});

async function setUp() {
  const server = buildPlatformServer({
    providers: { local: { type: 'local-gguf', contextSize: 2048 } },
    models: { tiny: { provider: 'local', model: path.join(TEST_MODELS_DIR, TINY_GGUF_MODEL) } },
    tasks: { chat: ['tiny'] },
  });
  const owner = await buildUser(server.platform);
  const viewer = await buildUser(server.platform);
  const workspace = buildWorkspace(server.platform, { owner, members: [{ user: viewer, role: 'viewer' }] });
  return {
    server,
    workspace,
    owner: buildSession(server.platform, owner),
    viewer: buildSession(server.platform, viewer),
  };
}

describe('jobs and models over HTTP', () => {
  it('pulls a model as a job, follows its progress as server-sent events, and lists it', async () => {
    const { server, workspace, owner } = await setUp();
    server.polett.startWorkers({ concurrency: 1 });
    const base = `/api/workspaces/${workspace.id}`;
    const started = await server.app.request(`${base}/models/pull`, {
      method: 'POST',
      headers: owner.writeHeaders,
      body: JSON.stringify({ reference: 'polett-test/web-GGUF/web-Q8_0.gguf', name: 'webbmodell' }),
    });
    expect(started.status).toBe(202);
    const job = (await started.json()) as { id: string; state: string };
    const events = await server.app.request(`${base}/jobs/${job.id}/events`, { headers: owner.headers });
    expect(events.headers.get('content-type')).toContain('text/event-stream');
    const text = await events.text();
    expect(text).toMatch(/^event: snapshot$/m);
    expect(text).toMatch(/^event: end$/m);
    expect(text).toContain('"succeeded"');
    const listed = (await (await server.app.request(`${base}/jobs`, { headers: owner.headers })).json()) as {
      jobs: Array<{ id: string; state: string; type: string }>;
    };
    expect(listed.jobs[0]).toMatchObject({ id: job.id, state: 'succeeded', type: 'model.pull' });
    expect(server.polett.storage.localModels.get('webbmodell')).toBeDefined();
    await server.close();
  });

  it('refuses a model pull to a viewer, and a job of another workspace to everyone', async () => {
    const { server, workspace, viewer, owner } = await setUp();
    const refused = await server.app.request(`/api/workspaces/${workspace.id}/models/pull`, {
      method: 'POST',
      headers: viewer.writeHeaders,
      body: JSON.stringify({ reference: 'polett-test/web-GGUF' }),
    });
    expect(refused.status).toBe(403);
    const other = await server.polett.jobs.enqueue({ type: 'model.pull', workspaceId: 'another', input: {} });
    const hidden = await server.app.request(`/api/workspaces/${workspace.id}/jobs/${other.id}`, {
      headers: owner.headers,
    });
    expect(hidden.status).toBe(404);
    await server.close();
  });

  it('tests a model: loads it, answers, and says how long it took', async () => {
    const { server, workspace, owner } = await setUp();
    const response = await server.app.request(`/api/workspaces/${workspace.id}/models/tiny/test`, {
      method: 'POST',
      headers: owner.writeHeaders,
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { alias: string; text: string; milliseconds: number };
    expect(body.alias).toBe('tiny');
    expect(typeof body.text).toBe('string');
    expect(body.milliseconds).toBeGreaterThan(0);
    await server.close();
  });
});
