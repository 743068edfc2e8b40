/**
 * The jobs of one workspace, as the platform's isolation pattern asks (see src/platform/index.ts):
 * every method is bound to the workspace given at construction, so that a job id from another
 * workspace matches nothing and becomes `job_not_found` (a 404). Routes use this, never the bare
 * queue.
 */
import { jobNotFoundError } from './job-errors.js';
import type {
  EnqueueJobOptions,
  JobEvent,
  JobItemRecord,
  JobQueue,
  JobRecord,
  ListJobsOptions,
  SubscribeOptions,
} from './types.js';

export interface WorkspaceJobQueue {
  readonly workspaceId: string;
  enqueue<Input>(options: Omit<EnqueueJobOptions<Input>, 'workspaceId'>): JobRecord<Input>;
  get(jobId: string): JobRecord | undefined;
  list(options?: Omit<ListJobsOptions, 'workspaceId'>): JobRecord[];
  cancel(jobId: string): JobRecord;
  listItems(jobId: string, options?: { limit?: number; after?: string }): JobItemRecord[];
  subscribe(jobId: string, options?: SubscribeOptions): AsyncIterable<JobEvent>;
}

/** Binds a job queue to one workspace. */
export function workspaceJobQueue(queue: JobQueue, workspaceId: string): WorkspaceJobQueue {
  const scope = { workspaceId };
  const requireJob = (jobId: string): JobRecord => {
    const job = queue.get(jobId, scope);
    if (job === undefined) throw jobNotFoundError(jobId);
    return job;
  };
  return {
    workspaceId,
    enqueue: (options) => queue.enqueue({ ...options, workspaceId }),
    get: (jobId) => queue.get(jobId, scope),
    list: (options = {}) => queue.list({ ...options, workspaceId }),
    cancel: (jobId) => queue.cancel(jobId, scope),
    listItems(jobId, options) {
      requireJob(jobId);
      return queue.listItems(jobId, options);
    },
    subscribe(jobId, options) {
      requireJob(jobId);
      return queue.subscribe(jobId, options);
    },
  };
}
