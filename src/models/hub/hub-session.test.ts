import { describe, expect, it } from 'vitest';
import { HubSession } from './hub-session.js';

describe('HubSession', () => {
  it('sends the token only to the hub itself', async () => {
    const seen: Record<string, string | null> = {};
    const recordingFetch: typeof fetch = async (input, init) => {
      seen[String(input)] = new Headers(init?.headers).get('authorization');
      return new Response('{}', { status: 200 });
    };
    const session = new HubSession({
      endpoint: 'https://hub.example',
      token: 'hf_secret',
      fetch: recordingFetch,
      connectTimeoutMs: 1000,
      signal: undefined,
    });
    await session.fetch('https://hub.example/api/models/a/b/revision/main');
    await session.fetch('https://cdn.elsewhere.example/file');
    expect(seen).toEqual({
      'https://hub.example/api/models/a/b/revision/main': 'Bearer hf_secret',
      'https://cdn.elsewhere.example/file': null,
    });
  });

  it('remembers the error code of the last failed answer', async () => {
    const failingFetch: typeof fetch = async () =>
      new Response('{"error":"Repository not found"}', {
        status: 401,
        headers: { 'x-error-code': 'RepoNotFound', 'retry-after': '7' },
      });
    const session = new HubSession({
      endpoint: 'https://hub.example',
      token: undefined,
      fetch: failingFetch,
      connectTimeoutMs: 1000,
      signal: undefined,
    });
    await session.fetch('https://hub.example/api/models/a/b/revision/main');
    expect(session.lastFailure).toMatchObject({
      status: 401,
      errorCode: 'RepoNotFound',
      retryAfterSeconds: 7,
    });
  });
});
