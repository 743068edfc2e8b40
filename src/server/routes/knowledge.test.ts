/**
 * Knowledge over HTTP, in memory (`app.request`), with the real parsers, the real job worker and
 * a real HTTP server for the web source: uploads with a bad file among good ones, the per-file
 * report, search with explanations, a web page, sync, removal, and who may do what.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildPlatformServer,
  buildSession,
  buildUser,
  buildWorkspace,
  type BuiltSession,
} from '../../../test-support/builders.js';
import { waitForJobEnd } from '../../../test-support/job-builders.js';
import type {
  AddedSourceDto,
  SearchResultDto,
  SourceListDto,
  SourceReportDto,
} from '../../knowledge/schemas.js';

let server: ReturnType<typeof buildPlatformServer>;
let owner: BuiltSession;
let viewer: BuiltSession;
let base: string;
let site: Server;
let siteUrl: string;

beforeAll(async () => {
  server = buildPlatformServer();
  const ownerUser = await buildUser(server.platform);
  const viewerUser = await buildUser(server.platform);
  const workspace = buildWorkspace(server.platform, {
    owner: ownerUser,
    members: [{ user: viewerUser, role: 'viewer' }],
  });
  owner = buildSession(server.platform, ownerUser);
  viewer = buildSession(server.platform, viewerUser);
  base = `/api/workspaces/${workspace.id}/knowledge`;
  server.polett.startWorkers({ concurrency: 1 });
  site = createServer((request, response) => {
    if (request.url === '/oppettider') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(
        '<html><head><title>Öppettider</title><script>alert(1)</script></head><body><h1>Öppettider</h1>' +
          '<p>Butiken i Göteborg har öppet vardagar 10–18 och lördagar 10–15.</p></body></html>',
      );
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('finns inte');
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => site.close(resolve));
  await server.close();
});

function upload(
  files: Array<[string, Uint8Array<ArrayBuffer> | string]>,
  session = owner,
  collection?: string,
) {
  const form = new FormData();
  for (const [name, content] of files) form.append('files', new Blob([content]), name);
  if (collection) form.append('collection', collection);
  const { 'content-type': _json, ...headers } = session.writeHeaders;
  return server.app.request(`${base}/uploads`, { method: 'POST', headers, body: form });
}

async function finished(response: Response): Promise<AddedSourceDto> {
  expect(response.status).toBe(202);
  const added = (await response.json()) as AddedSourceDto;
  await waitForJobEnd(server.polett.jobs, added.job.id, 30_000);
  return added;
}

async function search(query: string, extra: Record<string, unknown> = {}, session = owner) {
  const response = await server.app.request(`${base}/search`, {
    method: 'POST',
    headers: session.writeHeaders,
    body: JSON.stringify({ query, ...extra }),
  });
  return { status: response.status, body: (await response.json()) as SearchResultDto };
}

describe('knowledge over HTTP', () => {
  it('indexes an upload, reports each file with its outcome, and finds Swedish words in it', async () => {
    const utf16 = new Uint8Array([
      0xff,
      0xfe,
      ...new Uint8Array(Buffer.from('Fakturan betalas inom 14 dagar via bankgiro.', 'utf16le')),
    ]);
    const added = await finished(
      await upload(
        [
          [
            'kundtjanst.md',
            '# Kundtjänst\n\nKundtjänsten svarar på telefon vardagar 8–17.\n\n## Returer\n\nReturpolicyn: 30 dagars öppet köp.',
          ],
          ['faktura.txt', utf16],
          ['bild.txt', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 1, 2, 3, 0, 0, 0, 4, 5])],
        ],
        owner,
        'Hjälp',
      ),
    );

    const report = (await (
      await server.app.request(`${base}/sources/${added.source.id}/report`, { headers: owner.headers })
    ).json()) as SourceReportDto;
    expect(report.items.map((item) => [item.uri, item.state]).sort()).toEqual([
      ['bild.txt', 'failed'],
      ['faktura.txt', 'done'],
      ['kundtjanst.md', 'done'],
    ]);
    const failed = report.items.find((item) => item.state === 'failed')!;
    expect(failed.error?.message.sv).toMatch(/bild\.txt/);
    expect(failed.error?.message.en).toMatch(/bild\.txt/);

    const list = (await (
      await server.app.request(`${base}/sources`, { headers: viewer.headers })
    ).json()) as SourceListDto;
    expect(list.sources[0]).toMatchObject({
      status: 'ready',
      documentCount: 2,
      failedCount: 1,
      collection: 'Hjälp',
    });

    const kund = await search('kund', {}, viewer);
    expect(kund.status).toBe(200);
    expect(kund.body.mode).toBe('lexical');
    expect(kund.body.passages[0]).toMatchObject({ title: 'Kundtjänst', matchedTerms: ['Kundtjänsten'] });
    expect(kund.body.passages[0]!.explanation.lexicalRank).toBe(1);
    expect((await search('retur')).body.passages[0]!.headingPath).toEqual(['Kundtjänst', 'Returer']);
    expect((await search('betalas fakturor')).body.passages[0]!.text).toContain('bankgiro');
    expect((await search('retur', { collections: ['Annat'] })).body.passages).toEqual([]);
  });

  it('adds a web page, keeps its scripts out, and refuses addresses that are not http', async () => {
    const added = await finished(
      await server.app.request(`${base}/sources`, {
        method: 'POST',
        headers: owner.writeHeaders,
        body: JSON.stringify({ kind: 'page', url: `${siteUrl}/oppettider`, tags: ['butik'] }),
      }),
    );
    expect(added.source.kind).toBe('page');
    const found = await search('öppet lördag', { tags: ['butik'] });
    expect(found.body.passages[0]?.text).toContain('lördagar');
    expect(JSON.stringify(found.body)).not.toContain('alert');

    const bad = await server.app.request(`${base}/sources`, {
      method: 'POST',
      headers: owner.writeHeaders,
      body: JSON.stringify({ kind: 'page', url: 'file:///etc/passwd' }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { field: string } }).error.field).toBe('url');

    const missing = await finished(
      await server.app.request(`${base}/sources`, {
        method: 'POST',
        headers: owner.writeHeaders,
        body: JSON.stringify({ kind: 'page', url: `${siteUrl}/borta` }),
      }),
    );
    const list = (await (
      await server.app.request(`${base}/sources`, { headers: owner.headers })
    ).json()) as SourceListDto;
    const broken = list.sources.find((source) => source.id === missing.source.id)!;
    expect(broken.status).toBe('failed');
    expect(broken.error?.message.en).toMatch(/could be read|report/);
  });

  it('re-syncs, removes with every index entry, and lets only writers change anything', async () => {
    const added = await finished(
      await upload([['frakt.md', '# Frakt\n\nVi skickar med Postnord till hela Sverige.']]),
    );
    expect((await search('postnord')).body.passages).toHaveLength(1);

    expect((await upload([['x.md', 'text']], viewer)).status).toBe(403);
    const viewerSync = await server.app.request(`${base}/sources/${added.source.id}/sync`, {
      method: 'POST',
      headers: viewer.writeHeaders,
    });
    expect(viewerSync.status).toBe(403);

    const sync = await finished(
      await server.app.request(`${base}/sources/${added.source.id}/sync`, {
        method: 'POST',
        headers: owner.writeHeaders,
      }),
    );
    const report = (await (
      await server.app.request(`${base}/sources/${sync.source.id}/report`, { headers: owner.headers })
    ).json()) as SourceReportDto;
    expect(report.items[0]).toMatchObject({ uri: 'frakt.md', state: 'done', result: { unchanged: true } });

    const removed = await server.app.request(`${base}/sources/${added.source.id}`, {
      method: 'DELETE',
      headers: owner.writeHeaders,
    });
    expect(removed.status).toBe(200);
    expect((await search('postnord')).body.passages).toEqual([]);
    const again = await server.app.request(`${base}/sources/${added.source.id}`, {
      method: 'DELETE',
      headers: owner.writeHeaders,
    });
    expect(again.status).toBe(404);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe(
      'knowledge_source_not_found',
    );
  });

  it('says in one sentence what is wrong with an empty upload or an empty query', async () => {
    const { 'content-type': _json, ...headers } = owner.writeHeaders;
    const empty = await server.app.request(`${base}/uploads`, {
      method: 'POST',
      headers,
      body: new FormData(),
    });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { error: { code: string } }).error.code).toBe('knowledge_upload_empty');
    const query = await search('?!');
    expect(query.status).toBe(400);
    expect((query.body as unknown as { error: { code: string } }).error.code).toBe('knowledge_query_empty');
  });
});
