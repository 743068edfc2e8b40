/**
 * The Knowledge routes the web app calls. The shapes are the server's zod schemas
 * (src/knowledge/schemas.ts), imported as types only.
 */
import type {
  AddedSourceDto,
  AddWebSourceRequest,
  ExplainedPassageDto,
  SearchRequest,
  SearchResultDto,
  SourceDto,
  SourceListDto,
  SourceReportDto,
} from '../../../src/knowledge/schemas.ts';
import type { JobView } from '../components/job-progress.tsx';
import { ApiError, api, type ApiErrorBody } from './client.ts';

export type {
  AddedSourceDto,
  ExplainedPassageDto,
  SearchResultDto,
  SourceDto,
  SourceListDto,
  SourceReportDto,
};

const knowledgePath = (workspaceId: string, rest = '') =>
  `/api/workspaces/${encodeURIComponent(workspaceId)}/knowledge${rest}`;

export const listSources = (workspaceId: string) =>
  api.get<SourceListDto>(knowledgePath(workspaceId, '/sources'));

export const addWebSource = (workspaceId: string, input: AddWebSourceRequest) =>
  api.post<AddedSourceDto>(knowledgePath(workspaceId, '/sources'), input);

export const syncSource = (workspaceId: string, sourceId: string) =>
  api.post<AddedSourceDto>(knowledgePath(workspaceId, `/sources/${encodeURIComponent(sourceId)}/sync`));

export const removeSource = (workspaceId: string, sourceId: string) =>
  api.delete<{ removed: SourceDto }>(knowledgePath(workspaceId, `/sources/${encodeURIComponent(sourceId)}`));

export const getSourceReport = (workspaceId: string, sourceId: string) =>
  api.get<SourceReportDto>(knowledgePath(workspaceId, `/sources/${encodeURIComponent(sourceId)}/report`));

export const searchKnowledge = (workspaceId: string, request: SearchRequest) =>
  api.post<SearchResultDto>(knowledgePath(workspaceId, '/search'), request);

export const getJob = (workspaceId: string, jobId: string) =>
  api.get<JobView>(`/api/workspaces/${encodeURIComponent(workspaceId)}/jobs/${encodeURIComponent(jobId)}`);

/** The CSRF token of the double-submit cookie; the JSON client sends it the same way. */
function csrfToken(): string | undefined {
  const match = document.cookie.match(/(?:^|;\s*)(?:__Host-)?polett[_-]csrf=([^;]+)/);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}

/** Uploads files as one source (multipart/form-data; the browser sets the boundary). */
export async function uploadFiles(
  workspaceId: string,
  files: File[],
  options: { collection?: string; locale: string },
): Promise<AddedSourceDto> {
  const form = new FormData();
  for (const file of files) form.append('files', file, file.name);
  if (options.collection) form.append('collection', options.collection);
  const token = csrfToken();
  const response = await fetch(knowledgePath(workspaceId, '/uploads'), {
    method: 'POST',
    credentials: 'same-origin',
    headers: {
      accept: 'application/json',
      'accept-language': options.locale,
      ...(token ? { 'x-csrf-token': token } : {}),
    },
    body: form,
  });
  const parsed = (await response.json().catch(() => undefined)) as unknown;
  if (!response.ok) throw new ApiError(response.status, parsed as Partial<ApiErrorBody>);
  return parsed as AddedSourceDto;
}
