/**
 * The configuration's shape: one file in the data folder (`polett.json`) plus `POLETT_*`
 * environment variables that override it. Validated once at start.
 */
import { z } from 'zod';
import { MODEL_TASKS } from '../models/types.js';

/** Where an API key comes from: an environment variable, or a secret stored encrypted in the database. */
export const apiKeySourceSchema = z.union(
  [z.object({ env: z.string().min(1) }).strict(), z.object({ secret: z.string().min(1) }).strict()],
  {
    error:
      'an object { "env": "VARIABLE" } or { "secret": "name" } (an API key is never written in the file itself; store it with `polett secrets set`)',
  },
);

/** Precisions transformers.js can load (each is a differently named ONNX file in the model folder). */
export const ONNX_DTYPES = ['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4'] as const;
export type OnnxDtype = (typeof ONNX_DTYPES)[number];

const retrySettings = {
  /** Attempts after the first, on retryable errors only. */
  maxRetries: z.number().int().min(0).max(10).default(2),
  /** Milliseconds before one call is abandoned. */
  timeoutMs: z.number().int().min(100).max(3_600_000).default(60_000),
  /** Calls in flight at once to this provider. */
  maxConcurrency: z.number().int().min(1).max(1024).default(8),
};

const remoteProviderSettings = {
  ...retrySettings,
  /** Replace personal data with placeholders before a request leaves this machine. */
  redactPii: z.boolean().default(true),
  /** Extra HTTP headers sent with every request. */
  headers: z.record(z.string(), z.string()).optional(),
  /** Vendor-specific settings passed through to the AI SDK provider untouched. */
  providerOptions: z.record(z.string(), z.unknown()).optional(),
};

export const providerConfigSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('openai-compatible'),
      baseURL: z.url({ message: 'expected a URL such as https://api.openai.com/v1' }),
      apiKey: apiKeySourceSchema.optional(),
      /**
       * Whether requests leave this machine. Defaults to true unless the base URL is on loopback
       * (a local llama.cpp server, Ollama or LM Studio).
       */
      remote: z.boolean().optional(),
      ...remoteProviderSettings,
    })
    .strict(),
  z
    .object({
      type: z.literal('anthropic'),
      baseURL: z.url().optional(),
      apiKey: apiKeySourceSchema.optional(),
      remote: z.boolean().optional(),
      ...remoteProviderSettings,
    })
    .strict(),
  z
    .object({
      type: z.literal('local-gguf'),
      gpu: z.union([z.literal('auto'), z.literal(false)]).default(false),
      contextSize: z.number().int().min(256).max(1_048_576).default(4096),
      threads: z.number().int().min(1).max(256).optional(),
      parallelSequences: z.number().int().min(1).max(64).default(2),
      ...retrySettings,
    })
    .strict(),
  z
    .object({
      type: z.literal('local-onnx'),
      dtype: z.enum(ONNX_DTYPES).default('fp32'),
      ...retrySettings,
    })
    .strict(),
]);

export const priceSchema = z
  .object({
    /** Price per million input tokens. */
    inputPerMillion: z.number().min(0),
    /** Price per million output tokens. */
    outputPerMillion: z.number().min(0).default(0),
    currency: z.string().length(3).default('USD'),
  })
  .strict();

export const modelConfigSchema = z
  .object({
    /** The provider's name in `providers`. */
    provider: z.string().min(1),
    /** The provider's model id: a remote model name, or a local file or folder. */
    model: z.string().min(1),
    contextWindow: z.number().int().min(1).optional(),
    price: priceSchema.optional(),
  })
  .strict();

const taskAssignment = z.array(z.string().min(1)).min(1);

/** A token bucket: `requests` in a burst, refilled at `requests` per `windowSeconds`. */
export const rateLimitSchema = z
  .object({
    requests: z.number().int().min(1).max(1_000_000),
    windowSeconds: z.number().int().min(1).max(86_400),
  })
  .strict();

export const configSchema = z
  .object({
    server: z
      .object({
        port: z.number().int().min(0).max(65_535).default(8787),
        host: z.string().min(1).default('127.0.0.1'),
        /** Largest request body accepted, in bytes. */
        bodyLimitBytes: z
          .number()
          .int()
          .min(1024)
          .default(10 * 1024 * 1024),
        /**
         * Largest feedback file sent to Insights through the web, in bytes: 1 GB (or bodyLimitBytes
         * when higher) when unset. Such a file is streamed to disk, outside bodyLimitBytes.
         */
        feedbackUploadLimitBytes: z.number().int().min(1024).optional(),
        /**
         * Read the caller's address from X-Forwarded-For and the scheme from X-Forwarded-Proto.
         * Only behind a reverse proxy that sets them: otherwise any caller could pick its own address.
         */
        trustProxy: z.boolean().default(false),
        /** Requests allowed per caller; over the limit the answer is 429 with Retry-After. */
        rateLimit: z
          .object({
            /** Every request to /api and /v1, per client IP address. */
            perIp: rateLimitSchema.default({ requests: 600, windowSeconds: 60 }),
            /** Every request with an API key, per key. */
            perApiKey: rateLimitSchema.default({ requests: 1200, windowSeconds: 60 }),
            /** Failed sign-ins per account before it must wait. */
            signInPerAccount: rateLimitSchema.default({ requests: 5, windowSeconds: 900 }),
            /** Failed sign-ins per IP address, whichever accounts they tried. */
            signInPerIp: rateLimitSchema.default({ requests: 20, windowSeconds: 900 }),
            /** Messages a widget visitor may send to an assistant. */
            widgetMessagesPerVisitor: rateLimitSchema.default({ requests: 20, windowSeconds: 60 }),
            /** Messages to assistants from one IP address, whichever visitors it claims to be. */
            widgetMessagesPerIp: rateLimitSchema.default({ requests: 60, windowSeconds: 60 }),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    /** Default language of messages that reach a person. */
    locale: z.enum(['sv', 'en']).default('sv'),
    logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    providers: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i), providerConfigSchema).default({}),
    /** Model aliases: `{ "qwen": { "provider": "local", "model": "Qwen/…/qwen.gguf" } }`. */
    models: z.record(z.string().regex(/^[a-z0-9][a-z0-9._:-]*$/i), modelConfigSchema).default({}),
    /** Which model aliases serve each task, in fallback order. */
    tasks: z.partialRecord(z.enum(MODEL_TASKS), taskAssignment).default({}),
  })
  .strict();

export type PolettConfigInput = z.input<typeof configSchema>;
export type PolettConfig = z.output<typeof configSchema> & {
  /** The data folder: database, models, secrets. Not part of the file (it is where the file lives). */
  dataDir: string;
};
export type ProviderConfig = z.output<typeof providerConfigSchema>;
export type ModelConfig = z.output<typeof modelConfigSchema>;
export type ApiKeySource = z.output<typeof apiKeySourceSchema>;
