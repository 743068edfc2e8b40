/**
 * Several generations at once on one model: one llama.cpp context with N sequences (node-llama-cpp
 * batches their tokens together), and a first-come queue for requests when all N are busy.
 */
import type { ChatWrapper, LlamaContext } from 'node-llama-cpp';
import { LlamaChat } from 'node-llama-cpp';

export class SequencePool {
  private readonly idle: LlamaChat[];
  private readonly waiting: Array<(chat: LlamaChat) => void> = [];

  /** One `LlamaChat` per sequence, kept across requests so that a shared prompt prefix is reused. */
  constructor(
    readonly context: LlamaContext,
    chatWrapper: ChatWrapper,
  ) {
    this.idle = Array.from(
      { length: context.totalSequences },
      () => new LlamaChat({ contextSequence: context.getSequence(), chatWrapper }),
    );
  }

  /** Runs `work` on a free sequence, waiting in line for one; an abort while waiting leaves the line. */
  async use<T>(signal: AbortSignal | undefined, work: (chat: LlamaChat) => Promise<T>): Promise<T> {
    const chat = await this.acquire(signal);
    try {
      return await work(chat);
    } finally {
      this.release(chat);
    }
  }

  private acquire(signal: AbortSignal | undefined): Promise<LlamaChat> {
    signal?.throwIfAborted();
    const free = this.idle.pop();
    if (free !== undefined) return Promise.resolve(free);
    return new Promise<LlamaChat>((resolve, reject) => {
      const onAbort = () => {
        const index = this.waiting.indexOf(grant);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(signal?.reason);
      };
      const grant = (chat: LlamaChat) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(chat);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  private release(chat: LlamaChat): void {
    const next = this.waiting.shift();
    if (next !== undefined) next(chat);
    else this.idle.push(chat);
  }

  async dispose(): Promise<void> {
    await this.context.dispose();
  }
}
