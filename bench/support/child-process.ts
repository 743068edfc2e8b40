/**
 * Starts a TypeScript entry point of the benchmarks in its own Node process (through tsx) and
 * waits for the one JSON line it prints on standard output when it is ready. Servers under test
 * run in their own processes so that the client's work and theirs do not share one event loop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { REPOSITORY_ROOT } from '../../test-support/paths.js';

export interface ChildServer<Ready> {
  ready: Ready;
  process: ChildProcess;
  /** Sends one line to the child's standard input (see `onParentLine`). */
  send(line: string): void;
  /**
   * Asks the child to stop (closing standard input) and waits for it to exit, killing it after
   * `graceMs`; resolves to the lines it printed on standard output after its ready line.
   */
  stop(graceMs?: number): Promise<string[]>;
}

export async function startChildServer<Ready>(
  entryPoint: string,
  options: { arguments?: string[]; nodeOptions?: string[]; startTimeoutMs?: number } = {},
): Promise<ChildServer<Ready>> {
  const child = spawn(
    process.execPath,
    [...(options.nodeOptions ?? []), '--import', 'tsx', entryPoint, ...(options.arguments ?? [])],
    {
      cwd: REPOSITORY_ROOT,
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, NODE_ENV: 'production' },
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${entryPoint} did not report ready within ${options.startTimeoutMs ?? 60_000} ms`));
    }, options.startTimeoutMs ?? 60_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line) as Ready);
      } catch {
        reject(new Error(`${entryPoint} printed "${line}" instead of its ready line`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${entryPoint} exited with code ${code} before it was ready`));
    });
  });
  // Later lines (a child's closing statistics) are kept for `stop()`, never mixed into our Markdown.
  const laterLines: string[] = [];
  lines.on('line', (line) => laterLines.push(line));
  return {
    ready,
    process: child,
    send(line) {
      child.stdin!.write(`${line}\n`);
    },
    async stop(graceMs = 10_000) {
      if (child.exitCode === null) {
        child.stdin!.end();
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      return laterLines;
    },
  };
}

/** For child entry points: resolves when the parent closes our standard input (or goes away). */
export function parentGone(): Promise<void> {
  return new Promise((resolve) => {
    process.stdin.resume();
    process.stdin.once('end', resolve);
    process.stdin.once('close', resolve);
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
}

/** For child entry points: calls `listener` for each line the parent sends with `send`. */
export function onParentLine(listener: (line: string) => void): void {
  createInterface({ input: process.stdin }).on('line', listener);
}
