/**
 * A small web site on loopback for the fetch and crawl tests: pages are given as handlers by path,
 * every request is logged (path, User-Agent, how many were open at once), and pages that hang are
 * released when the site closes. For tests only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type TestRoute = (request: IncomingMessage, response: ServerResponse) => void;

export interface TestSite {
  origin: string;
  /** Paths with query, in the order requested. */
  requests: string[];
  userAgents: Set<string>;
  /** The most requests that were open at the same time. */
  peakConcurrency: number;
  /** Requests open now (a hung one closes when its client gives up). */
  openRequests(): number;
  close(): Promise<void>;
}

/** An HTML page answer. */
export function html(body: string, status = 200): TestRoute {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
    response.end(body);
  };
}

/** An answer of any type. */
export function typed(contentType: string, body: string | Buffer, status = 200): TestRoute {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': contentType });
    response.end(body);
  };
}

export function redirect(location: string, status = 301): TestRoute {
  return (_request, response) => {
    response.writeHead(status, { location });
    response.end();
  };
}

/** Never answers: the client must give up by itself. */
export const hang: TestRoute = () => undefined;

/** Sends its headers and a little of the body, then nothing more. */
export const hangMidBody: TestRoute = (_request, response) => {
  response.writeHead(200, { 'content-type': 'text/html' });
  response.write('<html><body><p>Början av sidan');
};

/** Serves `routes` on 127.0.0.1; unknown paths are 404. `delayMs` slows every answer (for concurrency). */
export async function startTestSite(routes: Record<string, TestRoute>, delayMs = 0): Promise<TestSite> {
  let open = 0;
  const site: TestSite = {
    origin: '',
    requests: [],
    userAgents: new Set(),
    peakConcurrency: 0,
    openRequests: () => open,
    close: async () => undefined,
  };
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    site.requests.push(url.pathname + url.search);
    site.userAgents.add(request.headers['user-agent'] ?? '');
    open += 1;
    site.peakConcurrency = Math.max(site.peakConcurrency, open);
    response.on('close', () => {
      open -= 1;
    });
    const route = routes[url.pathname] ?? html('<h1>Finns inte</h1>', 404);
    if (delayMs > 0) setTimeout(() => route(request, response), delayMs);
    else route(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  site.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  site.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return site;
}
