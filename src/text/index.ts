/** Text handling shared by every capability: decoding uploaded bytes and telling languages apart. */
export {
  createStreamingDecoder,
  decodeMixedLines,
  decodeText,
  detectEncoding,
  ENCODING_SAMPLE_BYTES,
  looksBinary,
  type DecodedText,
  type DetectedEncoding,
  type TextEncodingLabel,
} from './decode.js';
export { detectLanguage, type DetectedLanguage } from './language.js';
