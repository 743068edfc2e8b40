/**
 * The Content routes the web app calls. The shapes are the server's zod schemas
 * (src/content/schemas.ts), imported as types only.
 */
import type {
  CheckedTextDto,
  CitationDto,
  FindingDto,
  StoredProfileDto,
  TemplateDto,
  TextDto,
} from '../../../src/content/schemas.ts';
import type { BrandProfileInput } from '../../../src/content/brand-profile.ts';
import type {
  ExportFormat,
  Fix,
  RewriteInstruction,
  TextState,
} from '../../../src/content/text-lifecycle.ts';
import { ApiError, api } from './client.ts';

export type {
  CheckedTextDto,
  CitationDto,
  ExportFormat,
  FindingDto,
  Fix,
  RewriteInstruction,
  StoredProfileDto,
  TemplateDto,
  TextDto,
  TextState,
};
export type ProfileInput = BrandProfileInput;

export interface ContentStatus {
  chatModel: boolean;
  knowledge: boolean;
  hint?: { sv: string; en: string };
}

const contentPath = (workspaceId: string) => `/api/workspaces/${encodeURIComponent(workspaceId)}/content`;

export const contentApi = {
  status: (workspaceId: string) => api.get<ContentStatus>(`${contentPath(workspaceId)}/status`),
  profiles: (workspaceId: string) =>
    api.get<{ profiles: StoredProfileDto[] }>(`${contentPath(workspaceId)}/profiles`),
  createProfile: (workspaceId: string, profile: ProfileInput) =>
    api.post<StoredProfileDto>(`${contentPath(workspaceId)}/profiles`, profile),
  updateProfile: (workspaceId: string, id: string, profile: ProfileInput) =>
    api.put<StoredProfileDto>(`${contentPath(workspaceId)}/profiles/${encodeURIComponent(id)}`, profile),
  templates: (workspaceId: string) =>
    api.get<{ templates: TemplateDto[] }>(`${contentPath(workspaceId)}/templates`),
  createTemplate: (
    workspaceId: string,
    template: {
      name: string;
      fields: Array<{ name: string; label: string; multiline?: boolean }>;
      instructions: string;
      maxCharacters?: number | null;
    },
  ) => api.post<TemplateDto>(`${contentPath(workspaceId)}/templates`, template),
  draft: (
    workspaceId: string,
    body: { templateId: string; profileId?: string; fields: Record<string, string>; language?: 'sv' | 'en' },
  ) => api.post<{ text: string }>(`${contentPath(workspaceId)}/draft`, body),
  check: (
    workspaceId: string,
    body: { text: string; profileId: string; templateId?: string; language?: 'sv' | 'en'; facts?: boolean },
  ) => api.post<CheckedTextDto>(`${contentPath(workspaceId)}/check`, body),
  fix: (
    workspaceId: string,
    body: {
      text: string;
      profileId: string;
      templateId?: string;
      language?: 'sv' | 'en';
      facts?: boolean;
      fix: Fix;
    },
  ) => api.post<CheckedTextDto>(`${contentPath(workspaceId)}/fix`, body),
  rewrite: (
    workspaceId: string,
    body: {
      profileId: string;
      text: string;
      selection?: { start: number; end: number };
      instruction: RewriteInstruction;
      language?: 'sv' | 'en';
      templateId?: string;
    },
  ) => api.post<CheckedTextDto & { replacement: string }>(`${contentPath(workspaceId)}/rewrite`, body),
  reviewReply: (workspaceId: string, feedbackId: string) =>
    api.get<{ templateId: string; fields: Record<string, string> }>(
      `${contentPath(workspaceId)}/review-reply/${encodeURIComponent(feedbackId)}`,
    ),
  texts: (workspaceId: string, state?: TextState) =>
    api.get<{ texts: TextDto[] }>(`${contentPath(workspaceId)}/texts${state ? `?state=${state}` : ''}`),
  createText: (
    workspaceId: string,
    body: {
      profileId: string;
      templateId: string;
      title: string;
      body: string;
      origin: 'generated' | 'written';
      citations?: CitationDto[];
    },
  ) => api.post<TextDto>(`${contentPath(workspaceId)}/texts`, body),
  changeState: (workspaceId: string, id: string, state: TextState) =>
    api.post<TextDto>(`${contentPath(workspaceId)}/texts/${encodeURIComponent(id)}/state`, { state }),
  exportUrl: (workspaceId: string, id: string, format: ExportFormat) =>
    `${contentPath(workspaceId)}/texts/${encodeURIComponent(id)}/export?format=${format}`,
};

export interface BulkImportDto {
  id: string;
  fileName: string;
  encoding: string;
  columns: string[];
  rowCount: number;
  brokenRows: number;
  sample: Array<{ rowNumber: number; values: Record<string, string>; error?: { sv: string; en: string } }>;
}

function csrfToken(): string | undefined {
  const match = document.cookie.match(/(?:^|;\s*)(?:__Host-)?polett[_-]csrf=([^;]+)/);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}

export const bulkApi = {
  /** The file goes as the raw body: the server detects CSV or XLSX and the encoding itself. */
  async upload(workspaceId: string, file: File, locale: 'sv' | 'en'): Promise<BulkImportDto> {
    const token = csrfToken();
    const response = await fetch(
      `${contentPath(workspaceId)}/bulk/imports?fileName=${encodeURIComponent(file.name)}`,
      {
        method: 'POST',
        credentials: 'same-origin',
        headers: {
          'content-type': file.type || 'application/octet-stream',
          accept: 'application/json',
          'accept-language': locale,
          ...(token ? { 'x-csrf-token': token } : {}),
        },
        body: file,
      },
    );
    const parsed = (await response.json().catch(() => undefined)) as unknown;
    if (!response.ok)
      throw new ApiError(response.status, parsed as ConstructorParameters<typeof ApiError>[1]);
    return parsed as BulkImportDto;
  },
  start: (
    workspaceId: string,
    importId: string,
    body: {
      profileId: string;
      templateId: string;
      mapping: Record<string, string>;
      maxOutputTokens?: number;
    },
  ) =>
    api.post<{ jobId: string }>(
      `${contentPath(workspaceId)}/bulk/imports/${encodeURIComponent(importId)}/start`,
      body,
    ),
  resultUrl: (workspaceId: string, jobId: string, format: 'csv' | 'xlsx') =>
    `${contentPath(workspaceId)}/bulk/${encodeURIComponent(jobId)}/result?format=${format}`,
};

export interface TextComment {
  id: string;
  author: string | null;
  body: string;
  createdAt: string;
}

export interface TextVersion {
  version: number;
  body: string;
  state: string;
  author: string | null;
  note: string | null;
  createdAt: string;
}

export const reviewApi = {
  comments: (workspaceId: string, textId: string) =>
    api.get<{ comments: TextComment[] }>(
      `${contentPath(workspaceId)}/texts/${encodeURIComponent(textId)}/comments`,
    ),
  addComment: (workspaceId: string, textId: string, body: string) =>
    api.post<TextComment>(`${contentPath(workspaceId)}/texts/${encodeURIComponent(textId)}/comments`, {
      body,
    }),
  versions: (workspaceId: string, textId: string) =>
    api.get<{ versions: TextVersion[] }>(
      `${contentPath(workspaceId)}/texts/${encodeURIComponent(textId)}/versions`,
    ),
};

export type GenerationEventDto =
  | { type: 'sources'; sources: Array<{ source: number; chunkId: string; title: string; text: string }> }
  | { type: 'variant-start'; variant: number }
  | { type: 'text-delta'; variant: number; delta: string }
  | ({ type: 'variant-end'; variant: number } & CheckedTextDto)
  | { type: 'variant-error'; variant: number; code: string; message: { sv: string; en: string } }
  | { type: 'end' };

/**
 * Starts a generation and calls `onEvent` for each server-sent event as it arrives. EventSource
 * cannot POST, so the stream is read from fetch; a refusal before the stream (no model, a bad
 * field) arrives as Polett's error shape and is thrown as an ApiError.
 */
export async function generateContent(
  workspaceId: string,
  body: {
    profileId: string;
    templateId: string;
    fields: Record<string, string>;
    variants: number;
    language?: 'sv' | 'en';
    likeText?: string;
    maxOutputTokens?: number;
  },
  onEvent: (event: GenerationEventDto) => void,
  options: { locale: 'sv' | 'en'; csrfToken?: string | undefined; signal?: AbortSignal },
): Promise<void> {
  const match = document.cookie.match(/(?:^|;\s*)(?:__Host-)?polett[_-]csrf=([^;]+)/);
  const token = options.csrfToken ?? (match?.[1] ? decodeURIComponent(match[1]) : undefined);
  const response = await fetch(`${contentPath(workspaceId)}/generate`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      'accept-language': options.locale,
      ...(token ? { 'x-csrf-token': token } : {}),
    },
    body: JSON.stringify(body),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (!response.ok || !response.body) {
    const parsed = (await response.json().catch(() => undefined)) as ConstructorParameters<
      typeof ApiError
    >[1];
    throw new ApiError(response.status, parsed);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let boundary = buffer.indexOf('\n\n');
    while (boundary >= 0) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n');
      if (data) onEvent(JSON.parse(data) as GenerationEventDto);
      boundary = buffer.indexOf('\n\n');
    }
  }
}
