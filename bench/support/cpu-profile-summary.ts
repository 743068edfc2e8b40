/**
 * Reads a V8 `.cpuprofile` (from `node --cpu-prof`) and says where the CPU time went, per request:
 * by package or Polett source file (self time), and by function (inclusive time) for the functions
 * that matter to a request's path. Enough to turn "too slow" into "this costs that".
 */
import { readFileSync } from 'node:fs';
import type { Cell } from './benchmark-report.js';

export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

/**
 * Names what a sample's CPU time was for, from its whole stack (leaf first) and the category of its
 * leaf; undefined leaves the sample in its category. This is where a benchmark puts what it knows
 * about its own path ("zod under the AI SDK's model constructor is schema building").
 */
export type PurposeClassifier = (stack: readonly CallFrame[], category: string) => string | undefined;

/** The part of V8's profile format read here (`.cpuprofile` files, `Profiler.stop` results). */
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  /** Microseconds since the previous sample. */
  timeDeltas: number[];
}

/** The package, Polett file or runtime part a frame belongs to. */
export function categoryOf(url: string, functionName: string): string | undefined {
  if (url === '') {
    if (functionName === '(garbage collector)') return 'V8 garbage collection';
    if (functionName === '(program)') return 'V8 and native code outside JS (program)';
    if (functionName === '(idle)') return 'idle';
    // A builtin (JSON.parse, Array.prototype.map…): counted to the JavaScript that called it.
    return undefined;
  }
  if (url.includes('node:internal/deps/undici')) return 'undici (Node fetch, to the upstream)';
  if (url.startsWith('node:')) {
    const [, second] = url.replace('node:internal/', 'node:').split(/[:/]/);
    return `Node core: ${second ?? url}`;
  }
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + '/node_modules/'.length).split('/');
    const name = parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
    return `package ${name}`;
  }
  const source = url.indexOf('/src/');
  if (source >= 0) return `Polett ${url.slice(source + 1)}`;
  if (url.includes('/test-support/')) return `test-support ${url.slice(url.indexOf('/test-support/') + 1)}`;
  if (url.includes('/bench/')) return 'bench harness';
  return 'other';
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) return url.slice(modules + '/node_modules/'.length);
  const source = url.indexOf('/src/');
  if (source >= 0) return url.slice(source + 1);
  return url;
}

export interface CpuProfileSummary {
  tables: { title: string; columns: string[]; rows: Cell[][] }[];
  notes: string[];
}

export interface CpuProfileSummaryOptions {
  /** How many requests the profile covers, to express time per request. */
  requests: number;
  /** Which functions to list by inclusive time (default: Polett's src/ and the packages on a request's path). */
  focus?: (url: string) => boolean;
  /** Groups samples by purpose for the first table; without it the table lists categories. */
  classify?: PurposeClassifier;
  /** Rows of the inclusive-time table. Default 15. */
  functionRows?: number;
}

/** Where a profile's busy time went, in microseconds: by purpose (self time) and by function (inclusive). */
export interface CpuProfileAttribution {
  byPurpose: Map<string, number>;
  byFunction: Map<string, number>;
  busyMicroseconds: number;
}

export function attributeCpuProfile(
  profile: CpuProfile,
  classify: PurposeClassifier = () => undefined,
  focus: (url: string) => boolean = () => true,
): CpuProfileAttribution {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

  const byPurpose = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busyMicroseconds = 0;
  for (const [index, sampleId] of profile.samples.entries()) {
    const delta = profile.timeDeltas[index] ?? 0;
    const node = byId.get(sampleId);
    if (node === undefined) continue;
    let category = categoryOf(node.callFrame.url, node.callFrame.functionName);
    if (category === 'idle') continue;
    busyMicroseconds += delta;
    const seen = new Set<string>();
    const stack: CallFrame[] = [];
    let walker: ProfileNode | undefined = node;
    while (walker !== undefined) {
      stack.push(walker.callFrame);
      const { functionName, url, lineNumber } = walker.callFrame;
      if (category === undefined && url !== '') category = categoryOf(url, functionName);
      if (url !== '' && focus(url)) {
        // Recursion would count one sample twice for the same function.
        const key = `${functionName || '(anonymous)'} — ${shortUrl(url)}:${lineNumber + 1}`;
        if (!seen.has(key)) {
          seen.add(key);
          byFunction.set(key, (byFunction.get(key) ?? 0) + delta);
        }
      }
      const parent = parentOf.get(walker.id);
      walker = parent === undefined ? undefined : byId.get(parent);
    }
    category ??= 'builtins with no JavaScript caller';
    const purpose = classify(stack, category) ?? category;
    byPurpose.set(purpose, (byPurpose.get(purpose) ?? 0) + delta);
  }
  return { byPurpose, byFunction, busyMicroseconds };
}

export function summariseCpuProfile(
  profileOrFile: CpuProfile | string,
  userOptions: CpuProfileSummaryOptions,
): CpuProfileSummary {
  const options = {
    focus: (url: string) =>
      /\/src\/|node_modules\/(ai|@ai-sdk|hono|@hono|zod|better-sqlite3)\//.test(url) ||
      url.includes('undici'),
    classify: (() => undefined) as PurposeClassifier,
    functionRows: 15,
    ...userOptions,
  } satisfies Required<CpuProfileSummaryOptions>;
  const { requests } = options;
  const profile =
    typeof profileOrFile === 'string'
      ? (JSON.parse(readFileSync(profileOrFile, 'utf8')) as CpuProfile)
      : profileOrFile;
  const {
    byPurpose: selfByCategory,
    byFunction: inclusiveByFunction,
    busyMicroseconds,
  } = attributeCpuProfile(profile, options.classify, options.focus);

  const perRequest = (microseconds: number) => microseconds / 1000 / requests;
  const share = (microseconds: number) => `${((microseconds / busyMicroseconds) * 100).toFixed(1)} %`;
  const categoryRows: Cell[][] = [...selfByCategory.entries()]
    .sort((left, right) => right[1] - left[1])
    .filter(([, microseconds]) => microseconds / busyMicroseconds >= 0.005)
    .map(([category, microseconds]) => [category, perRequest(microseconds), share(microseconds)]);
  const functionRows: Cell[][] = [...inclusiveByFunction.entries()]
    .sort((left, right) => right[1] - left[1])
    .slice(0, options.functionRows)
    .map(([key, microseconds]) => [key, perRequest(microseconds), share(microseconds)]);

  return {
    tables: [
      {
        title: `CPU time by what it is spent on (self time of each sample, builtins counted to their caller; the profiler's own overhead inflates all rows alike), ${requests} requests`,
        columns: ['spent on', 'ms per request', 'share of busy CPU'],
        rows: categoryRows,
      },
      {
        title: 'Functions on the request path by inclusive time (a caller includes its callees)',
        columns: ['function — file:line', 'ms per request', 'share of busy CPU'],
        rows: functionRows,
      },
    ],
    notes: [
      `Profile: ${(busyMicroseconds / 1000).toFixed(0)} ms of busy CPU for ${requests} requests, ${perRequest(busyMicroseconds).toFixed(3)} ms per request (idle excluded).`,
    ],
  };
}
