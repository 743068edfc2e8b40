import { request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventStream } from './event-stream.js';

const ended: string[] = [];
let holdOpenSignal: AbortSignal | undefined;
let framesWritten = 0;

const app = new Hono();
app.use('*', async (context, next) => {
  // As the widget's CORS middleware does: headers set before the route.
  context.header('access-control-allow-origin', 'https://www.cykel.example');
  context.header('vary', 'Origin');
  await next();
});
app.get('/answer', (context) =>
  eventStream(context, {
    async produce(send) {
      await send('delta', { text: 'Hej, ' });
      await send('delta', { text: 'leveransen tar två dagar.' });
      await send('answer', { text: 'Hej, leveransen tar två dagar.', citations: [1] });
    },
    onEnd: () => ended.push('answer'),
  }),
);
app.get('/live', (context) =>
  eventStream(context, {
    holdOpen: true,
    produce(send, signal) {
      holdOpenSignal = signal;
      return send('ready', { status: 'open' });
    },
    onEnd: () => ended.push('live'),
  }),
);
let lateProduced = 0;
app.get('/late', async (context) => {
  // As a route that reads the body first: the client is gone before the stream starts.
  await new Promise((resolve) => setTimeout(resolve, 200));
  return eventStream(context, {
    async produce(send) {
      for (let index = 0; index < 3; index += 1) {
        await send('delta', { index });
        lateProduced += 1;
      }
    },
    onEnd: () => ended.push('late'),
  });
});
app.get('/stalled-live', (context) =>
  eventStream(context, {
    holdOpen: true,
    produce(send) {
      // A live stream sends without waiting; a client that reads nothing must not gather listeners.
      const block = 'ö'.repeat(64 * 1024);
      for (let index = 0; index < 200; index += 1) void send('status', { index, block });
    },
    onEnd: () => ended.push('stalled-live'),
  }),
);
app.get('/flood', (context) =>
  eventStream(context, {
    async produce(send, signal) {
      const block = 'å'.repeat(256 * 1024);
      for (let index = 0; index < 200 && !signal.aborted; index += 1) {
        await send('block', { index, block });
        framesWritten += 1;
      }
    },
  }),
);

let server: ServerType;
let base: string;
beforeAll(async () => {
  server = await new Promise<ServerType>((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function get(path: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    request(`${base}${path}`, (response) => resolve(response))
      .on('error', reject)
      .end();
  });
}

function readAll(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => (text += chunk));
    response.on('end', () => resolve(text));
    response.on('error', reject);
  });
}

const EXPECTED_ANSWER =
  'event: delta\ndata: {"text":"Hej, "}\n\n' +
  'event: delta\ndata: {"text":"leveransen tar två dagar."}\n\n' +
  'event: answer\ndata: {"text":"Hej, leveransen tar två dagar.","citations":[1]}\n\n';

describe('server-sent events', () => {
  it('writes the frames straight to Node’s response, with the headers a middleware set', async () => {
    const response = await get('/answer');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['access-control-allow-origin']).toBe('https://www.cykel.example');
    expect(response.headers.vary).toBe('Origin');
    expect(await readAll(response)).toBe(EXPECTED_ANSWER);
    await expect.poll(() => ended.includes('answer')).toBe(true);
  });

  it('sends the same frames and headers through a web stream outside Node’s server', async () => {
    const response = await app.request('/answer');
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('access-control-allow-origin')).toBe('https://www.cykel.example');
    expect(await response.text()).toBe(EXPECTED_ANSWER);
  });

  it('holds a live stream open until the client goes away, then ends it once', async () => {
    const response = await get('/live');
    const first = await new Promise<string>((resolve) =>
      response.once('data', (chunk: Buffer) => resolve(String(chunk))),
    );
    expect(first).toBe('event: ready\ndata: {"status":"open"}\n\n');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ended).not.toContain('live');
    expect(holdOpenSignal?.aborted).toBe(false);
    response.destroy();
    await expect.poll(() => ended.filter((name) => name === 'live').length).toBe(1);
    expect(holdOpenSignal?.aborted).toBe(true);
  });

  it('ends at once, and lets the producer finish, when the client left before the stream began', async () => {
    const response = get('/late');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const requests = (server as unknown as { closeAllConnections(): void }).closeAllConnections;
    requests.call(server);
    await response.catch(() => undefined);
    await expect.poll(() => ended.includes('late'), { timeout: 2000 }).toBe(true);
    await expect.poll(() => lateProduced).toBe(3);
  });

  it('keeps one wait for a stalled client however many events a live stream sends', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const response = await get('/stalled-live');
      response.pause();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(warnings).not.toContain('MaxListenersExceededWarning');
      response.destroy();
      await expect.poll(() => ended.includes('stalled-live')).toBe(true);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('makes the producer wait for a client that does not read, and stop when it leaves', async () => {
    const response = await get('/flood');
    response.pause();
    await new Promise((resolve) => setTimeout(resolve, 300));
    // 200 frames of half a megabyte each would be 100 MB in memory; the socket's buffers hold a few.
    const whilePaused = framesWritten;
    expect(whilePaused).toBeLessThan(40);
    response.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(framesWritten).toBeLessThanOrEqual(whilePaused + 1);
  });
});
