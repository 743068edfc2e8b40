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
