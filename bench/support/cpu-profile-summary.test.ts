import { describe, expect, it } from 'vitest';
import { attributeCpuProfile, categoryOf, type CpuProfile } from './cpu-profile-summary.js';

const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0, columnNumber: 0 });

describe('attributeCpuProfile', () => {
  // root → handler (src) → parse (zod) → JSON.parse (builtin), and root → (idle)
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(root)', ''), children: [2, 5] },
      { id: 2, callFrame: frame('handler', 'file:///repo/src/server/routes/example.ts'), children: [3] },
      { id: 3, callFrame: frame('parse', 'file:///repo/node_modules/zod/v4/core/parse.js'), children: [4] },
      { id: 4, callFrame: frame('parse', ''), children: [] },
      { id: 5, callFrame: frame('(idle)', ''), children: [] },
    ],
    samples: [2, 3, 4, 5, 5],
    timeDeltas: [10, 20, 30, 1000, 1000],
  };

  it('counts builtins to their JavaScript caller, leaves idle time out, and lets a classifier name purposes', () => {
    const attribution = attributeCpuProfile(profile, (stack, category) =>
      category === 'package zod' && stack.some((call) => call.functionName === 'handler')
        ? 'zod under handler'
        : undefined,
    );
    expect(attribution.busyMicroseconds).toBe(60);
    expect(Object.fromEntries(attribution.byPurpose)).toEqual({
      'Polett src/server/routes/example.ts': 10,
      'zod under handler': 50,
    });
    expect(attribution.byFunction.get('handler — src/server/routes/example.ts:1')).toBe(60);
  });

  it('names Node internals, undici and scoped packages', () => {
    expect(categoryOf('node:internal/deps/undici/undici', 'write')).toMatch(/^undici/);
    expect(categoryOf('node:internal/webstreams/readablestream', 'pull')).toBe('Node core: webstreams');
    expect(categoryOf('file:///x/node_modules/@ai-sdk/provider-utils/dist/index.mjs', 'postToApi')).toBe(
      'package @ai-sdk/provider-utils',
    );
  });
});
