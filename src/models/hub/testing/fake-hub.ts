/**
 * A stand-in for the Hugging Face hub on 127.0.0.1, for tests: it answers the endpoints the
 * @huggingface/hub client and Polett's downloader use, with the headers the real hub sends.
 *
 * - `GET /api/models/<owner>/<name>/revision/<rev>`: model info with the commit `sha` and `gated`;
 * - `GET /api/models/<owner>/<name>/tree/<rev>[/<path>]?recursive=`: the file listing, LFS files
 *   with `lfs.oid` (their sha256) and every file with its git blob `oid`;
 * - `GET /<owner>/<name>/resolve/<rev>/<path>`: small files directly, LFS files by a 302 to
 *   `/cdn/<sha256>` like the real hub's redirect to its CDN, with `X-Repo-Commit`, `X-Linked-Size`,
 *   `X-Linked-Etag` and `ETag`; Range requests answered with 206 and `Content-Range`;
 * - errors with the hub's `X-Error-Code`: `RepoNotFound` (401 without a token, 404 with one),
 *   `RevisionNotFound`, `EntryNotFound`, `GatedRepo` (401, or 403 for a token without access).
 *
 * It can also cut a connection part-way through a file, or serve a file with one byte changed.
 */
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve, type HttpBindings, type ServerType } from '@hono/node-server';
import { Hono, type Context } from 'hono';

export interface FakeHubFile {
  path: string;
  content: Uint8Array | string;
  /** Stored in LFS (listed with its sha256, downloaded through the CDN redirect). Default: `.gguf`, `.onnx`, `.onnx_data`. */
  lfs?: boolean;
}

export interface FakeHubRepository {
  /** `owner/name`. */
  id: string;
  files: FakeHubFile[];
  /** Downloads need a token listed in `grantedTokens`; the listing stays public, as on the real hub. */
  gated?: boolean;
  /** Everything needs a token listed in `grantedTokens`; without one the repository seems not to exist. */
  private?: boolean;
  /** Tokens with access to a gated or private repository. */
  grantedTokens?: string[];
  /** The commit id; a fixed fake one by default. */
  commit?: string;
}

export interface FakeHubOptions {
  repositories: FakeHubRepository[];
  /** Tokens the hub knows at all; others get 401 as invalid credentials. */
  validTokens?: string[];
}

/** One request as the fake hub saw it. */
export interface FakeHubRequest {
  method: string;
  path: string;
  range: string | undefined;
  authorization: string | undefined;
}

export interface FakeHub {
  /** `http://127.0.0.1:<port>`, to use as the endpoint. */
  url: string;
  requests: FakeHubRequest[];
  /** Cuts the connection after `afterBytes` bytes of the file, the next `times` times it is served (default once). */
  interrupt(path: string, afterBytes: number, times?: number): void;
  /** Serves the file with one byte changed (its listing keeps the true checksum). */
  corrupt(path: string, enabled?: boolean): void;
  close(): Promise<void>;
}

interface StoredFile {
  path: string;
  bytes: Uint8Array;
  lfs: boolean;
  sha256: string;
  gitOid: string;
}

const encoder = new TextEncoder();

function gitBlobId(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.byteLength}\0`).update(bytes).digest('hex');
}

function isLfsByDefault(filePath: string): boolean {
  return /\.(gguf|onnx|onnx_data(_\d+)?)$/.test(filePath);
}

function storeFile(file: FakeHubFile): StoredFile {
  const bytes = typeof file.content === 'string' ? encoder.encode(file.content) : file.content;
  return {
    path: file.path,
    bytes,
    lfs: file.lfs ?? isLfsByDefault(file.path),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    gitOid: gitBlobId(bytes),
  };
}

function fakeCommit(id: string): string {
  return createHash('sha1').update(`commit ${id}`).digest('hex');
}

/** Starts a fake hub on 127.0.0.1 on a free port. */
export async function startFakeHub(options: FakeHubOptions): Promise<FakeHub> {
  const repositories = new Map(
    options.repositories.map((repository) => [
      repository.id,
      {
        ...repository,
        commit: repository.commit ?? fakeCommit(repository.id),
        stored: repository.files.map(storeFile),
      },
    ]),
  );
  const validTokens = new Set([
    ...(options.validTokens ?? []),
    ...options.repositories.flatMap((repository) => repository.grantedTokens ?? []),
  ]);
  const interruptions = new Map<string, { afterBytes: number; times: number }>();
  const corruptions = new Set<string>();
  const requests: FakeHubRequest[] = [];

  const app = new Hono<{ Bindings: HttpBindings }>();

  app.use('*', async (c, next) => {
    requests.push({
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      range: c.req.header('range'),
      authorization: c.req.header('authorization'),
    });
    await next();
  });

  type Repository = NonNullable<ReturnType<typeof repositories.get>>;
  type Access = { repository: Repository } | { response: Response };

  type FakeContext = Context<{ Bindings: HttpBindings }>;

  const errorResponse = (
    c: FakeContext,
    status: 401 | 403 | 404 | 416,
    errorCode: string,
    message: string,
  ) => {
    c.header('x-error-code', errorCode);
    c.header('x-error-message', message);
    return c.json({ error: message }, status);
  };

  /** Applies the hub's rules for who may see a repository; `forDownload` adds the gate. */
  const access = (c: FakeContext, id: string, forDownload: boolean): Access => {
    const authorization = c.req.header('authorization');
    const token = authorization?.replace(/^Bearer\s+/i, '');
    if (token !== undefined && !validTokens.has(token)) {
      return {
        response: errorResponse(c, 401, 'InvalidCredentials', 'Invalid credentials in Authorization header'),
      };
    }
    const repository = repositories.get(id);
    const granted = token !== undefined && (repository?.grantedTokens ?? []).includes(token);
    if (repository === undefined || (repository.private === true && !granted)) {
      // Like the real hub: without a token a missing repository is a 401, with one a 404.
      return {
        response: errorResponse(c, token === undefined ? 401 : 404, 'RepoNotFound', 'Repository not found'),
      };
    }
    if (forDownload && repository.gated === true && !granted) {
      return token === undefined
        ? {
            response: errorResponse(
              c,
              401,
              'GatedRepo',
              `Access to model ${id} is restricted. You must have access to it and be authenticated to access it. Please log in.`,
            ),
          }
        : {
            response: errorResponse(
              c,
              403,
              'GatedRepo',
              `Access to model ${id} is restricted and you are not in the authorized list.`,
            ),
          };
    }
    return { repository };
  };

  const knownRevision = (repository: Repository, revision: string) =>
    revision === 'main' || revision === repository.commit;

  app.get('/api/models/:owner/:name/revision/:revision', (c) => {
    const id = `${c.req.param('owner')}/${c.req.param('name')}`;
    const result = access(c, id, false);
    if ('response' in result) return result.response;
    const repository = result.repository;
    if (!knownRevision(repository, decodeURIComponent(c.req.param('revision')))) {
      return errorResponse(c, 404, 'RevisionNotFound', 'Invalid rev id');
    }
    return c.json({
      _id: createHash('sha1').update(id).digest('hex').slice(0, 24),
      id,
      sha: repository.commit,
      private: repository.private === true,
      gated: repository.gated === true ? 'auto' : false,
      downloads: 0,
      likes: 0,
      lastModified: '2025-01-01T00:00:00.000Z',
      siblings: repository.stored.map((file) => ({ rfilename: file.path })),
    });
  });

  app.get('/api/models/:owner/:name/tree/*', (c) => {
    const id = `${c.req.param('owner')}/${c.req.param('name')}`;
    const result = access(c, id, false);
    if ('response' in result) return result.response;
    const repository = result.repository;
    const rest = new URL(c.req.url).pathname.split('/').slice(6).map(decodeURIComponent);
    const [revision = 'main', ...folderParts] = rest;
    if (!knownRevision(repository, revision))
      return errorResponse(c, 404, 'RevisionNotFound', 'Invalid rev id');
    const folder = folderParts.filter((part) => part !== '').join('/');
    const recursive = c.req.query('recursive') === 'true';
    const prefix = folder === '' ? '' : `${folder}/`;

    const files = repository.stored.filter((file) => file.path.startsWith(prefix));
    const directories = new Set<string>();
    for (const file of files) {
      const parts = file.path.slice(prefix.length).split('/');
      for (let depth = 1; depth < parts.length; depth++)
        directories.add(prefix + parts.slice(0, depth).join('/'));
    }
    const visible = (entryPath: string) => recursive || !entryPath.slice(prefix.length).includes('/');
    return c.json([
      ...[...directories]
        .filter(visible)
        .map((directory) => ({ type: 'directory', oid: fakeCommit(directory), size: 0, path: directory })),
      ...files
        .filter((file) => visible(file.path))
        .map((file) => ({
          type: 'file',
          // For LFS files the git blob is the pointer file; its id differs from the content's.
          oid: file.lfs
            ? gitBlobId(
                encoder.encode(
                  `version https://git-lfs.github.com/spec/v1\noid sha256:${file.sha256}\nsize ${file.bytes.byteLength}\n`,
                ),
              )
            : file.gitOid,
          size: file.bytes.byteLength,
          path: file.path,
          ...(file.lfs ? { lfs: { oid: file.sha256, size: file.bytes.byteLength, pointerSize: 134 } } : {}),
        })),
    ]);
  });

  /** Serves bytes with Range support, applying interruptions and corruptions. */
  const serveBytes = (c: FakeContext, file: StoredFile, extraHeaders: Record<string, string>): Response => {
    let bytes = file.bytes;
    if (corruptions.has(file.path) && bytes.byteLength > 0) {
      bytes = Uint8Array.from(bytes);
      const middle = Math.floor(bytes.byteLength / 2);
      bytes[middle] = bytes[middle]! ^ 0xff;
    }
    const size = bytes.byteLength;
    const rangeHeader = c.req.header('range');
    let start = 0;
    let end = size - 1;
    let status = 200;
    if (rangeHeader !== undefined) {
      const match = /^bytes=(\d+)-(\d*)$/.exec(rangeHeader);
      if (match) {
        start = Number(match[1]);
        end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
        if (start >= size) {
          c.header('content-range', `bytes */${size}`);
          return errorResponse(c, 416, 'RangeNotSatisfiable', 'Requested range not satisfiable');
        }
        status = 206;
      }
    }
    const headers = new Headers({
      'content-type': 'application/octet-stream',
      'content-length': String(end - start + 1),
      'accept-ranges': 'bytes',
      ...extraHeaders,
    });
    if (status === 206) headers.set('content-range', `bytes ${start}-${end}/${size}`);
    const body = bytes.slice(start, end + 1);

    const interruption = interruptions.get(file.path);
    if (
      interruption !== undefined &&
      interruption.times > 0 &&
      interruption.afterBytes > start &&
      interruption.afterBytes <= end
    ) {
      interruption.times -= 1;
      const sent = body.slice(0, interruption.afterBytes - start);
      const outgoing = c.env.outgoing;
      const stream = new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(sent);
          // Let the bytes reach the client, then tear the connection down mid-body.
          await new Promise((resolve) => setTimeout(resolve, 50));
          outgoing.destroy();
        },
      });
      return new Response(stream, { status, headers });
    }
    return new Response(body, { status, headers });
  };

  app.get('/cdn/:sha256', (c) => {
    const sha256 = c.req.param('sha256');
    for (const repository of repositories.values()) {
      const file = repository.stored.find((candidate) => candidate.sha256 === sha256);
      if (file) return serveBytes(c, file, { etag: `"${file.sha256}"` });
    }
    return c.text('Not found', 404);
  });

  app.get('/:owner/:name/resolve/*', (c) => {
    const id = `${c.req.param('owner')}/${c.req.param('name')}`;
    const result = access(c, id, true);
    if ('response' in result) return result.response;
    const repository = result.repository;
    const [revision = 'main', ...pathParts] = new URL(c.req.url).pathname
      .split('/')
      .slice(4)
      .map(decodeURIComponent);
    if (!knownRevision(repository, revision))
      return errorResponse(c, 404, 'RevisionNotFound', 'Invalid rev id');
    const filePath = pathParts.join('/');
    const file = repository.stored.find((candidate) => candidate.path === filePath);
    if (file === undefined)
      return errorResponse(c, 404, 'EntryNotFound', `${filePath} does not exist on "${revision}"`);

    const common = { 'x-repo-commit': repository.commit };
    if (file.lfs) {
      return new Response(null, {
        status: 302,
        headers: {
          ...common,
          location: `/cdn/${file.sha256}`,
          'x-linked-size': String(file.bytes.byteLength),
          'x-linked-etag': `"${file.sha256}"`,
          etag: `"${file.gitOid}"`,
        },
      });
    }
    return serveBytes(c, file, { ...common, etag: `"${file.gitOid}"` });
  });

  const server = await new Promise<ServerType>((resolve) => {
    const started: ServerType = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () =>
      resolve(started),
    );
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    interrupt(filePath, afterBytes, times = 1) {
      interruptions.set(filePath, { afterBytes, times });
    },
    corrupt(filePath, enabled = true) {
      if (enabled) corruptions.add(filePath);
      else corruptions.delete(filePath);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Keep-alive sockets would hold the server open; the tests are done with them.
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
