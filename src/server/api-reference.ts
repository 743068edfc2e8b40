/**
 * `GET /docs`: the interactive reference of the REST API, from `/openapi.json`. Swagger UI's files
 * are served from the installed `swagger-ui-dist` package, not a CDN, so the page works on a
 * server without internet access, as self-hosted sites often are.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Hono } from 'hono';

const require = createRequire(import.meta.url);
const SWAGGER_FOLDER = path.dirname(require.resolve('swagger-ui-dist/package.json'));

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

function page(): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Polett API</title>
    <link rel="stylesheet" href="/docs/assets/swagger-ui.css" />
  </head>
  <body>
    <main id="reference"></main>
    <script src="/docs/assets/swagger-ui-bundle.js"></script>
    <script>
      window.addEventListener('load', () => {
        SwaggerUIBundle({ url: '/openapi.json', dom_id: '#reference', deepLinking: true });
      });
    </script>
  </body>
</html>`;
}

export function apiReferenceRoutes() {
  const app = new Hono();
  const cache = new Map<string, string>();
  app.get('/', (context) => context.html(page()));
  // One fixed route per file rather than a path parameter: nothing a caller sends reaches the file system.
  for (const [file, type] of Object.entries(ASSETS)) {
    app.get(`/assets/${file}`, (context) => {
      let body = cache.get(file);
      if (body === undefined) {
        body = readFileSync(path.join(SWAGGER_FOLDER, file), 'utf8');
        cache.set(file, body);
      }
      return context.body(body, 200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
    });
  }
  return app;
}
