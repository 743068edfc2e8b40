/** The job shapes of the REST API, shared by the server (validation, OpenAPI) and the web app. */
import { z } from 'zod';

export const jobStateSchema = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);

export const jobSchema = z
  .object({
    id: z.string(),
    type: z.string().meta({ example: 'model.pull' }),
    state: jobStateSchema,
    attempts: z.number().int(),
    maxAttempts: z.number().int(),
    progress: z
      .object({ done: z.number(), total: z.number().nullable(), message: z.string().nullable() })
      .nullable(),
    result: z.unknown(),
    error: z
      .object({
        code: z.string(),
        message: z.object({ sv: z.string(), en: z.string() }),
        retryable: z.boolean(),
      })
      .nullable(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'Job' });

export const jobListSchema = z.object({ jobs: z.array(jobSchema) }).meta({ id: 'JobList' });

export const jobListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(20),
  state: jobStateSchema.optional(),
});

export type JobDto = z.infer<typeof jobSchema>;
