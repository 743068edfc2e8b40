/**
 * Large knowledge uploads over a real HTTP server: a body past the server's general 10 MB limit is
 * streamed to disk and indexed file by file (a file past the parser's 50 MB gets its own error in
 * the report, the rest are indexed); a body past the upload's own limit gets one sentence naming
 * the limit and `polett kb add`, read to its end so that the client sees it, with nothing stored
 * and the server still serving.
 */
import { existsSync, readdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildPlatformServer,
  buildSession,
  buildUser,
  buildWorkspace,
  type BuiltSession,
} from '../../../test-support/builders.js';
import { waitForJobEnd } from '../../../test-support/job-builders.js';
import type { AddedSourceDto, SourceListDto, SourceReportDto } from '../../knowledge/schemas.js';
import { DEFAULT_KNOWLEDGE_UPLOAD_LIMIT_BYTES } from './knowledge-upload.js';

const MEGABYTE = 1024 * 1024;

let server: ReturnType<typeof buildPlatformServer>;
let http: ServerType;
let origin: string;
let owner: BuiltSession;
let base: string;

beforeAll(async () => {
  server = buildPlatformServer();
  const user = await buildUser(server.platform);
  const workspace = buildWorkspace(server.platform, { owner: user });
  owner = buildSession(server.platform, user);
  base = `/api/workspaces/${workspace.id}/knowledge`;
  server.polett.startWorkers({ concurrency: 1 });
  http = await new Promise<ServerType>((resolve) => {
    const started = serve({ fetch: server.app.fetch, port: 0, hostname: '127.0.0.1' }, () =>
      resolve(started),
    );
  });
  origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => http.close(resolve));
  await server.close();
});

function headersWithoutContentType(): Record<string, string> {
  const { 'content-type': _ignored, ...headers } = owner.writeHeaders as Record<string, string>;
  return headers;
}

/** A multipart body streamed in 1 MB pieces, without a Content-Length: the limit must be found while reading. */
function streamedMultipart(boundary: string, name: string, bytes: number): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const piece = new Uint8Array(MEGABYTE).fill(0x61);
  let sent = 0;
  let stage: 'head' | 'body' | 'tail' | 'done' = 'head';
  return new ReadableStream({
    pull(controller) {
      if (stage === 'head') {
        controller.enqueue(
          encoder.encode(
            `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${name}"\r\nContent-Type: text/plain\r\n\r\n`,
          ),
        );
        stage = 'body';
      } else if (stage === 'body') {
        const size = Math.min(MEGABYTE, bytes - sent);
        controller.enqueue(size === MEGABYTE ? piece : piece.slice(0, size));
        sent += size;
        if (sent >= bytes) stage = 'tail';
      } else if (stage === 'tail') {
        controller.enqueue(encoder.encode(`\r\n--${boundary}--\r\n`));
        stage = 'done';
      } else controller.close();
    },
  });
}

function incomingLeftovers(): string[] {
  const folder = path.join(server.polett.config.dataDir, 'knowledge', 'incoming');
  return existsSync(folder) ? readdirSync(folder) : [];
}

async function sourceCount(): Promise<number> {
  const response = await fetch(`${origin}${base}/sources`, { headers: owner.headers });
  expect(response.status).toBe(200);
  return ((await response.json()) as SourceListDto).sources.length;
}

describe('large knowledge uploads', () => {
  it('streams an upload past the server body limit to disk: a 51 MB file gets its own error, the rest is indexed', async () => {
    const form = new FormData();
    form.append('files', new Blob([new Uint8Array(51 * MEGABYTE).fill(0x61)]), 'stor.txt');
    form.append('files', new Blob(['# Öppettider\n\nButiken har öppet vardagar 10–18.']), 'oppettider.md');
    const response = await fetch(`${origin}${base}/uploads`, {
      method: 'POST',
      headers: headersWithoutContentType(),
      body: form,
    });
    expect(response.status).toBe(202);
    const added = (await response.json()) as AddedSourceDto;
    await waitForJobEnd(server.polett.jobs, added.job.id, 30_000);

    const report = (await (
      await fetch(`${origin}${base}/sources/${added.source.id}/report`, { headers: owner.headers })
    ).json()) as SourceReportDto;
    const byUri = new Map(report.items.map((item) => [item.uri, item]));
    expect(byUri.get('oppettider.md')?.state).toBe('done');
    expect(byUri.get('stor.txt')).toMatchObject({ state: 'failed', error: { code: 'file_too_large' } });
    expect(byUri.get('stor.txt')?.error?.message.sv).toMatch(/stor\.txt.*50 MB.*dela upp/);
    expect(byUri.get('stor.txt')?.error?.message.en).toMatch(/stor\.txt.*50 MB.*split/);
    expect(incomingLeftovers()).toEqual([]);
  }, 60_000);

  it('answers an upload past its limit with one sentence naming the limit and polett kb add, and keeps serving', async () => {
    const before = await sourceCount();
    const limitMegabytes = DEFAULT_KNOWLEDGE_UPLOAD_LIMIT_BYTES / MEGABYTE;

    // Declared too large (a browser's FormData has a Content-Length): refused before anything is written.
    const form = new FormData();
    form.append(
      'files',
      new Blob([new Uint8Array(DEFAULT_KNOWLEDGE_UPLOAD_LIMIT_BYTES + 2 * MEGABYTE)]),
      'x.txt',
    );
    const declared = await fetch(`${origin}${base}/uploads`, {
      method: 'POST',
      headers: { ...headersWithoutContentType(), 'accept-language': 'sv' },
      body: form,
    });
    expect(declared.status).toBe(413);
    const declaredBody = (await declared.json()) as { error: { code: string; message: string } };
    expect(declaredBody.error.code).toBe('knowledge_upload_too_large');
    expect(declaredBody.error.message).toContain(`${limitMegabytes} MB`);
    expect(declaredBody.error.message).toContain('polett kb add');

    // Streamed without a length: found out while reading, the partial file removed.
    const boundary = 'polett-test-boundary';
    const streamed = await fetch(`${origin}${base}/uploads`, {
      method: 'POST',
      headers: {
        ...headersWithoutContentType(),
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'accept-language': 'en',
      },
      body: streamedMultipart(boundary, 'big.txt', DEFAULT_KNOWLEDGE_UPLOAD_LIMIT_BYTES + 5 * MEGABYTE),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    const streamedBody = (await streamed.json()) as { error: { code: string; message: string } };
    expect(streamedBody.error).toMatchObject({ code: 'knowledge_upload_too_large' });
    expect(streamedBody.error.message).toMatch(/larger than the limit of 100 MB.*polett kb add <path>/);

    expect(await sourceCount()).toBe(before);
    expect(incomingLeftovers()).toEqual([]);
  }, 60_000);
});
