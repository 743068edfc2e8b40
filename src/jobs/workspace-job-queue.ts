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
  ListJobItemsOptions,
  ListJobsOptions,
  SubscribeOptions,
} from './types.js';

export interface WorkspaceJobQueue {
  readonly workspaceId: string;
  enqueue<Input>(options: Omit<EnqueueJobOptions<Input>, 'workspaceId'>): Promise<JobRecord<Input>>;
  get(jobId: string): Promise<JobRecord | undefined>;
  list(options?: Omit<ListJobsOptions, 'workspaceId'>): Promise<JobRecord[]>;
  cancel(jobId: string): Promise<JobRecord>;
  listItems(jobId: string, options?: ListJobItemsOptions): Promise<JobItemRecord[]>;
  subscribe(jobId: string, options?: SubscribeOptions): AsyncIterable<JobEvent>;
}

/** Binds a job queue to one workspace. */
export function workspaceJobQueue(queue: JobQueue, workspaceId: string): WorkspaceJobQueue {
  const scope = { workspaceId };
  const requireJob = async (jobId: string): Promise<JobRecord> => {
    const job = await queue.get(jobId, scope);
    if (job === undefined) throw jobNotFoundError(jobId);
    return job;
  };
  return {
    workspaceId,
    enqueue: (options) => queue.enqueue({ ...options, workspaceId }),
    get: (jobId) => queue.get(jobId, scope),
    list: (options = {}) => queue.list({ ...options, workspaceId }),
    cancel: (jobId) => queue.cancel(jobId, scope),
    async listItems(jobId, options) {
      await requireJob(jobId);
      return queue.listItems(jobId, options);
    },
    async *subscribe(jobId, options) {
      await requireJob(jobId);
      yield* queue.subscribe(jobId, options);
    },
  };
}
