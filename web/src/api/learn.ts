/**
 * The Learn routes the web app calls. The shapes are the server's zod schemas
 * (src/learn/schemas.ts), imported as types only.
 */
import type {
  AttentionModels,
  AttentionResponse,
  ModelCostDto,
  TokenizerList,
  TokenPieceDto,
  TokensResponse,
} from '../../../src/learn/schemas.ts';
import { api } from './client.ts';

export type { AttentionModels, AttentionResponse, ModelCostDto, TokenPieceDto, TokensResponse };
export type TokenizerInfo = TokenizerList['tokenizers'][number];
export type TokenizedText = TokensResponse['results'][number];

const learnPath = (workspaceId: string) => `/api/workspaces/${encodeURIComponent(workspaceId)}/learn`;

export function getTokenizers(workspaceId: string): Promise<TokenizerList> {
  return api.get(`${learnPath(workspaceId)}/tokenizers`);
}

export function tokenize(
  workspaceId: string,
  text: string,
  tokenizers: readonly string[],
): Promise<TokensResponse> {
  return api.post(`${learnPath(workspaceId)}/tokens`, { text, tokenizers });
}

export function getAttentionModels(workspaceId: string): Promise<AttentionModels> {
  return api.get(`${learnPath(workspaceId)}/attention/models`);
}

export function getAttention(workspaceId: string, text: string, model?: string): Promise<AttentionResponse> {
  return api.post(`${learnPath(workspaceId)}/attention`, model === undefined ? { text } : { text, model });
}

/**
 * One head's weights from the server's packed form: base64 bytes of the lower triangle, row by row,
 * each byte standing for a weight 0–1. Returns a full `count × count` matrix (zeros above the diagonal).
 */
export function decodeAttention(encoded: string, count: number): Float32Array {
  const binary = atob(encoded);
  const matrix = new Float32Array(count * count);
  let index = 0;
  for (let row = 0; row < count; row += 1) {
    for (let column = 0; column <= row; column += 1) {
      matrix[row * count + column] = binary.charCodeAt(index) / 255;
      index += 1;
    }
  }
  return matrix;
}
