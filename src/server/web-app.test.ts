import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toPolettError } from '../errors.js';
import type { AppEnvironment } from './context.js';
import { isServerPath, webAppRoutes } from './web-app.js';

let root: string;

/** A server shaped like Polett's: its own routes, the web app, and JSON errors. */
function buildApp(webRoot: string) {
  const app = new Hono<AppEnvironment>();
  app.onError((thrown, context) => {
    const error = toPolettError(thrown);
    return context.json(error.toJSON('en'), error.status as 500);
  });
  app.notFound((context) => context.json({ error: { code: 'not_found' } }, 404));
  // Mounted before the server's routes on purpose: the order must not matter.
  app.route('/', webAppRoutes({ root: webRoot }));
  app.get('/health', (context) => context.json({ status: 'ok' }));
  app.get('/api/setup', (context) => context.json({ ownerExists: false }));
  app.post('/api/setup', (context) => context.json({ created: true }));
  return app;
}

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'polett-web-'));
  mkdirSync(path.join(root, 'assets'));
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Polett</title><div id="root"></div>');
  writeFileSync(path.join(root, 'assets', 'index-abc123.js'), 'console.log("app")');
  writeFileSync(path.join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('webAppRoutes', () => {
  it('serves index.html at the root with a strict content security policy', async () => {
    const response = await buildApp(root).request('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(await response.text()).toContain('<div id="root">');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('cache-control')).toBe('no-cache');
  });

  it('falls back to index.html for the pages of the app', async () => {
    for (const page of ['/models', '/settings', '/setup', '/assistant/some/deeper/page']) {
      const response = await buildApp(root).request(page);
      expect(response.status, page).toBe(200);
      expect(await response.text()).toContain('<div id="root">');
    }
  });

  it('serves hashed assets as immutable and other files with a short cache', async () => {
    const asset = await buildApp(root).request('/assets/index-abc123.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    const icon = await buildApp(root).request('/favicon.svg');
    expect(icon.headers.get('cache-control')).toBe('public, max-age=3600');
  });

  it('answers a missing file with a 404 rather than the page', async () => {
    const response = await buildApp(root).request('/assets/missing.js');
    expect(response.status).toBe(404);
  });

  it('leaves the server its own paths, whatever the mount order', async () => {
    const app = buildApp(root);
    expect(await (await app.request('/health')).json()).toEqual({ status: 'ok' });
    expect(await (await app.request('/api/setup')).json()).toEqual({ ownerExists: false });
    expect((await app.request('/api/setup', { method: 'POST' })).status).toBe(200);
    const unknownApi = await app.request('/api/nothing-here');
    expect(unknownApi.status).toBe(404);
    expect(await unknownApi.json()).toEqual({ error: { code: 'not_found' } });
    expect((await app.request('/v1/models')).status).toBe(404);
    expect((await app.request('/openapi.json')).status).toBe(404);
    expect((await app.request('/docs')).status).toBe(404);
  });

  it('does not answer writes to page paths', async () => {
    expect((await buildApp(root).request('/models', { method: 'POST' })).status).toBe(404);
  });

  it('says how to build the app when it is not built', async () => {
    const response = await buildApp(path.join(root, 'not-there')).request('/settings');
    expect(response.status).toBe(503);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('web_app_not_built');
    expect(body.error.message).toContain('npm run build');
  });

  it('knows which paths are the server’s', () => {
    expect(isServerPath('/api')).toBe(true);
    expect(isServerPath('/api/workspaces')).toBe(true);
    expect(isServerPath('/docs')).toBe(true);
    expect(isServerPath('/openapi.json')).toBe(true);
    expect(isServerPath('/apiary')).toBe(false);
    expect(isServerPath('/documents')).toBe(false);
    expect(isServerPath('/')).toBe(false);
  });
});
