/**
 * Serves the web app (built by Vite into dist/web) from Polett's own server, so that `npm start`
 * is the whole product: no second server. Paths the server answers itself (the REST API, the
 * OpenAI-compatible API, health, the API reference) are never touched here, whatever order the
 * routes were mounted in.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { PolettError } from '../errors.js';
import type { AppEnvironment } from './context.js';

/** Paths that belong to the server; everything else is the web app's. */
export const SERVER_PATH_PREFIXES = ['/api', '/v1', '/health', '/openapi.json', '/docs', '/widget'] as const;

export function isServerPath(requestPath: string): boolean {
  return SERVER_PATH_PREFIXES.some(
    (prefix) => requestPath === prefix || requestPath.startsWith(`${prefix}/`),
  );
}

/**
 * dist/web of the package this module belongs to. Found by walking up to package.json rather than
 * a fixed `../web`, because this file runs both compiled (dist/server) and from source (src/server,
 * under tsx and vitest).
 */
export function defaultWebRoot(): string {
  let directory = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(directory, 'package.json'))) return path.join(directory, 'dist', 'web');
    const parent = path.dirname(directory);
    if (parent === directory) return path.resolve('dist', 'web');
    directory = parent;
  }
}

/**
 * The page may load only its own scripts and styles and talk only to this server; it may not be
 * framed (clickjacking). Inline styles set through the DOM (React's `style`) are not affected.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function setPageHeaders(headers: Headers): void {
  headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  headers.set('X-Content-Type-Options', 'nosniff');
  headers.set('X-Frame-Options', 'DENY');
  headers.set('Referrer-Policy', 'same-origin');
  // index.html names the hashed asset files of the current build: always ask for it again.
  headers.set('Cache-Control', 'no-cache');
}

export interface WebAppOptions {
  /** The folder with the built web app; dist/web of this package by default. */
  root?: string;
}

/**
 * Routes for the built web app: its files as they are, and index.html for any other GET of a
 * page path (`/models`, `/settings`), which the app's own router then shows.
 */
export function webAppRoutes(options: WebAppOptions = {}) {
  const root = options.root ?? defaultWebRoot();
  const indexFile = path.join(root, 'index.html');
  const app = new Hono<AppEnvironment>();

  // Which file serveStatic found for a request; its `onFound` is the only place that says so.
  const servedPaths = new WeakMap<object, string>();
  let serveFiles: ReturnType<typeof serveStatic<AppEnvironment>> | undefined;

  app.use('*', async (context, next) => {
    const method = context.req.method;
    if ((method !== 'GET' && method !== 'HEAD') || isServerPath(context.req.path)) return next();
    // Created on first use, once the folder exists: serveStatic complains at creation otherwise,
    // and the app may be built after the server started.
    if (!serveFiles) {
      if (!existsSync(root)) return next();
      serveFiles = serveStatic<AppEnvironment>({
        root,
        onFound: (filePath, found) => {
          servedPaths.set(found, filePath);
        },
      });
    }
    const served = await serveFiles(context, next);
    const servedPath = servedPaths.get(context);
    // serveStatic builds its response before `onFound` runs, so the headers go on the response.
    if (served instanceof Response && servedPath !== undefined) {
      if (servedPath.endsWith('.html')) setPageHeaders(served.headers);
      // Vite puts a content hash in every file name under assets/: they never change.
      else if (servedPath.startsWith(path.join(root, 'assets') + path.sep))
        served.headers.set('Cache-Control', 'public, max-age=31536000, immutable');
      else served.headers.set('Cache-Control', 'public, max-age=3600');
    }
    return served;
  });

  app.get('*', async (context, next) => {
    const requestPath = context.req.path;
    // A missing file (a name with an extension) is a 404, not the app's page: a broken asset link
    // should fail visibly rather than load HTML as a script.
    if (isServerPath(requestPath) || path.posix.basename(requestPath).includes('.')) return next();
    let html: string;
    try {
      html = await readFile(indexFile, 'utf8');
    } catch (cause) {
      throw new PolettError({
        code: 'web_app_not_built',
        status: 503,
        message: {
          sv: `Webbappen är inte byggd (${indexFile} saknas); kör \`npm run build\` i Poletts mapp och ladda om sidan.`,
          en: `The web app is not built (${indexFile} is missing); run \`npm run build\` in Polett's folder and reload the page.`,
        },
        cause,
      });
    }
    const response = context.html(html);
    setPageHeaders(response.headers);
    return response;
  });

  return app;
}
