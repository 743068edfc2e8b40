/**
 * Feedback files past the server's general body limit, over a real HTTP server, with small limits
 * so that the test stays quick: the general limit set to 64 KB and the Insights upload's own
 * (server.feedbackUploadLimitBytes) to 256 KB. A streamed file between the two is previewed
 * and imported; one past the upload's limit, streamed or declared, gets one sentence naming the
 * limit and `polett insights import`, leaves no file in the uploads folder and no import row, and
 * the server goes on serving. A body that breaks off leaves nothing either.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
import type { importPreviewSchema, importSchema } from '../../insights/schemas.js';
import { loadConfig } from '../../config/index.js';
import { SqliteStorage } from '../../storage/index.js';
import type { z } from 'zod';
import {
  DEFAULT_INSIGHTS_UPLOAD_LIMIT_BYTES,
  feedbackFileTooLargeError,
  insightsUploadLimitBytes,
} from './insights-upload.js';

const KILOBYTE = 1024;
const GENERAL_LIMIT_BYTES = 64 * KILOBYTE;
const UPLOAD_LIMIT_BYTES = 256 * KILOBYTE;
const SWEDISH_SENTENCE =
  'Filen är större än gränsen på 256 KB för feedbackfiler som skickas via webben; läs in den direkt på servern med `polett insights import <fil>`, eller dela upp den i mindre filer.';

let server: ReturnType<typeof buildPlatformServer>;
let http: ServerType;
let origin: string;
let owner: BuiltSession;
let workspaceId: string;
let base: string;

beforeAll(async () => {
  server = buildPlatformServer({
    server: { bodyLimitBytes: GENERAL_LIMIT_BYTES, feedbackUploadLimitBytes: UPLOAD_LIMIT_BYTES },
  });
  // A signed-in person's own language decides the answer's: Swedish here.
  const user = await buildUser(server.platform, { locale: 'sv' });
  const workspace = buildWorkspace(server.platform, { owner: user });
  workspaceId = workspace.id;
  owner = buildSession(server.platform, user);
  base = `/api/workspaces/${workspace.id}/insights`;
  server.polett.startWorkers({ concurrency: 1 });
  http = await new Promise<ServerType>((resolve) => {
    const started = serve({ fetch: server.app.fetch, port: 0, hostname: '127.0.0.1' }, () =>
      resolve(started),
    );
  });
  origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => http?.close(resolve));
  await server?.close();
});

/** Reviews, one a line, until the file is at least `bytes` long; each row's id and text differ. */
function reviewsOfSize(bytes: number): { text: string; rows: number } {
  const lines = ['id,omdöme,datum,betyg'];
  let length = lines[0]!.length;
  let rows = 0;
  while (length < bytes) {
    rows += 1;
    const line = `${rows},"Leveransen nummer ${rows} kom fram i tid, och personalen var trevlig och hjälpsam.",2024-03-${String((rows % 28) + 1).padStart(2, '0')},${(rows % 5) + 1}`;
    lines.push(line);
    length += Buffer.byteLength(line) + 1;
  }
  return { text: lines.join('\n'), rows };
}

/** The body in 16 KB pieces, without a Content-Length: the limit must be found while reading. */
function streamed(text: string, options: { breakOffAfter?: number } = {}): ReadableStream<Uint8Array> {
  const bytes = Buffer.from(text, 'utf8');
  let sent = 0;
  return new ReadableStream({
    async pull(controller) {
      if (options.breakOffAfter !== undefined && sent >= options.breakOffAfter) {
        // Give the server time to write what it got, then break the connection off.
        await new Promise((resolve) => setTimeout(resolve, 100));
        controller.error(new Error('the client broke the connection off'));
        return;
      }
      if (sent >= bytes.length) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.subarray(sent, sent + 16 * KILOBYTE));
      sent += 16 * KILOBYTE;
    },
  });
}

function upload(body: BodyInit): Promise<Response> {
  return fetch(`${origin}${base}/imports?fileName=omdomen.csv`, {
    method: 'POST',
    headers: {
      ...(owner.writeHeaders as Record<string, string>),
      'content-type': 'text/csv',
    },
    body,
    duplex: 'half',
  } as RequestInit);
}

function uploadsLeft(): string[] {
  const folder = path.join(server.polett.config.dataDir, 'insights', 'uploads');
  return existsSync(folder) ? readdirSync(folder) : [];
}

function importRows(): number {
  const { database } = server.polett.storage as SqliteStorage;
  return (
    database
      .prepare('SELECT COUNT(*) AS count FROM insights_imports WHERE workspace_id = ?')
      .get(workspaceId) as {
      count: number;
    }
  ).count;
}

describe('feedback files past the general body limit', () => {
  it('takes a streamed file larger than the general limit, previews it and imports every row', async () => {
    const { text, rows } = reviewsOfSize(200 * KILOBYTE);
    expect(Buffer.byteLength(text)).toBeGreaterThan(GENERAL_LIMIT_BYTES);
    expect(Buffer.byteLength(text)).toBeLessThan(UPLOAD_LIMIT_BYTES);

    // Other routes keep the general limit.
    const general = await fetch(`${origin}${base}/feedback`, {
      method: 'POST',
      headers: owner.writeHeaders,
      body: JSON.stringify({ items: [{ text: 'x'.repeat(GENERAL_LIMIT_BYTES) }] }),
    });
    expect(general.status).toBe(413);
    expect(((await general.json()) as { error: { code: string } }).error.code).toBe('body_too_large');

    const uploaded = await upload(streamed(text));
    expect(uploaded.status).toBe(201);
    const preview = (await uploaded.json()) as z.infer<typeof importPreviewSchema>;
    expect(preview.mapping).toMatchObject({ text: 'omdöme', date: 'datum', rating: 'betyg', id: 'id' });

    const confirmed = await fetch(`${origin}${base}/imports/${preview.id}/confirm`, {
      method: 'POST',
      headers: owner.writeHeaders,
      body: JSON.stringify({ mapping: preview.mapping }),
    });
    expect(confirmed.status).toBe(202);
    const { jobId } = (await confirmed.json()) as { jobId: string };
    expect((await waitForJobEnd(server.polett.jobs, jobId, 30_000)).state).toBe('succeeded');
    const record = (await (
      await fetch(`${origin}${base}/imports/${preview.id}`, { headers: owner.headers })
    ).json()) as z.infer<typeof importSchema>;
    expect(record.report).toMatchObject({ imported: rows, duplicates: 0 });
  }, 60_000);

  it('refuses a file past its own limit with one sentence naming it and polett insights import, keeping nothing', async () => {
    const importsBefore = importRows();
    const leftoversBefore = uploadsLeft();
    const { text } = reviewsOfSize(UPLOAD_LIMIT_BYTES + 100 * KILOBYTE);

    // Streamed without a length: found out while reading, the partial file removed.
    const streamedAnswer = await upload(streamed(text));
    expect(streamedAnswer.status).toBe(413);
    const streamedError = ((await streamedAnswer.json()) as { error: { code: string; message: string } })
      .error;
    expect(streamedError.code).toBe('insights_upload_too_large');
    expect(streamedError.message).toBe(SWEDISH_SENTENCE);

    // Declared too large (a browser sends the File's length): refused before anything is written.
    const declaredAnswer = await upload(new Blob([text]));
    expect(declaredAnswer.status).toBe(413);
    expect(((await declaredAnswer.json()) as { error: { message: string } }).error.message).toBe(
      SWEDISH_SENTENCE,
    );

    expect(uploadsLeft()).toEqual(leftoversBefore);
    expect(importRows()).toBe(importsBefore);

    // And the server goes on serving: a small file right after is previewed.
    const small = await upload(reviewsOfSize(2 * KILOBYTE).text);
    expect(small.status).toBe(201);
    expect(importRows()).toBe(importsBefore + 1);
  }, 60_000);

  it('keeps nothing of a body that breaks off, nor of a file that is not feedback', async () => {
    const importsBefore = importRows();
    const leftoversBefore = uploadsLeft();
    const { text } = reviewsOfSize(128 * KILOBYTE);
    await expect(upload(streamed(text, { breakOffAfter: 64 * KILOBYTE }))).rejects.toThrow();
    // The server finds out when the connection closes; give it a moment to clean up.
    for (let waited = 0; waited < 5_000 && uploadsLeft().length > leftoversBefore.length; waited += 50)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(uploadsLeft()).toEqual(leftoversBefore);

    const empty = await upload('');
    expect(empty.status).toBe(400);
    expect(uploadsLeft()).toEqual(leftoversBefore);
    expect(importRows()).toBe(importsBefore);
  }, 30_000);
});

describe('the limit of a feedback upload', () => {
  it('is 1 GB, the server body limit when higher, or the administrator’s own', () => {
    expect(insightsUploadLimitBytes({ bodyLimitBytes: 10 * 1024 * 1024 })).toBe(
      DEFAULT_INSIGHTS_UPLOAD_LIMIT_BYTES,
    );
    expect(insightsUploadLimitBytes({ bodyLimitBytes: 2 * DEFAULT_INSIGHTS_UPLOAD_LIMIT_BYTES })).toBe(
      2 * DEFAULT_INSIGHTS_UPLOAD_LIMIT_BYTES,
    );
    expect(
      insightsUploadLimitBytes({ bodyLimitBytes: 10 * 1024 * 1024, feedbackUploadLimitBytes: 5_000_000 }),
    ).toBe(5_000_000);
    // Set in the environment, read and checked with the rest of the configuration.
    const dataDir = mkdtempSync(path.join(tmpdir(), 'polett-limit-'));
    try {
      const env = { POLETT_FEEDBACK_UPLOAD_LIMIT_BYTES: '5000000' };
      expect(loadConfig({ dataDir, env }).server.feedbackUploadLimitBytes).toBe(5_000_000);
      expect(() => loadConfig({ dataDir, env: { POLETT_FEEDBACK_UPLOAD_LIMIT_BYTES: '2GB' } })).toThrow(
        /POLETT_FEEDBACK_UPLOAD_LIMIT_BYTES/,
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('is named in the refusal as people say sizes, in English too', () => {
    expect(feedbackFileTooLargeError(DEFAULT_INSIGHTS_UPLOAD_LIMIT_BYTES).messageIn('en')).toBe(
      'The file is larger than the limit of 1 GB for feedback files sent through the web; import it on the server with `polett insights import <file>`, or split it into smaller files.',
    );
    expect(feedbackFileTooLargeError(1.5 * 1024 * 1024).messageIn('sv')).toMatch(/gränsen på 1,5 MB/);
    expect(feedbackFileTooLargeError(1.5 * 1024 * 1024).messageIn('en')).toMatch(/limit of 1.5 MB/);
  });
});
