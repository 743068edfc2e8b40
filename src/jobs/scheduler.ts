/**
 * Recurring system jobs (the retention sweep): each schedule enqueues its job at start and then
 * every interval, unless one of that type is already waiting or running. The work itself runs in
 * the worker pool like any job, so it is durable and visible; only the timing lives here.
 */
import type { JobQueue } from './types.js';

export interface Schedule {
  type: string;
  everyMs: number;
  input?: unknown;
}

export interface Scheduler {
  stop(): void;
}

export function startScheduler(options: {
  queue: JobQueue;
  schedules: Schedule[];
  onError?: (error: unknown) => void;
}): Scheduler {
  const timers: NodeJS.Timeout[] = [];
  const enqueueIfIdle = async (schedule: Schedule) => {
    try {
      const pending = await options.queue.list({
        workspaceId: null,
        type: schedule.type,
        states: ['queued', 'running'],
        limit: 1,
      });
      if (pending.length > 0) return;
      await options.queue.enqueue({
        type: schedule.type,
        workspaceId: null,
        input: schedule.input ?? {},
        maxAttempts: 1,
      });
    } catch (error) {
      options.onError?.(error);
    }
  };
  for (const schedule of options.schedules) {
    void enqueueIfIdle(schedule);
    const timer = setInterval(() => void enqueueIfIdle(schedule), schedule.everyMs);
    // A schedule never keeps the process alive on its own.
    timer.unref();
    timers.push(timer);
  }
  return { stop: () => timers.forEach((timer) => clearInterval(timer)) };
}
