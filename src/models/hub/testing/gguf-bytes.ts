/**
 * Builds the bytes of a small GGUF file for tests: a real v3 header with a few metadata keys and no
 * tensors, followed by filler bytes so that downloads of it take more than one chunk.
 */

export interface GgufBytesOptions {
  architecture?: string;
  name?: string;
  contextLength?: number;
  /** Filler bytes after the header (deterministic, not zeros, so that corruption shows). */
  paddingBytes?: number;
  version?: number;
}

const GGUF_TYPE_UINT32 = 4;
const GGUF_TYPE_STRING = 8;

function ggufString(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(bytes.length));
  return Buffer.concat([length, bytes]);
}

function uint32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32LE(value);
  return buffer;
}

function uint64(value: number): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64LE(BigInt(value));
  return buffer;
}

/** The bytes of a GGUF file whose header says the given architecture and name. */
export function buildGgufBytes(options: GgufBytesOptions = {}): Uint8Array {
  const architecture = options.architecture ?? 'llama';
  const pairs: Buffer[] = [
    Buffer.concat([ggufString('general.architecture'), uint32(GGUF_TYPE_STRING), ggufString(architecture)]),
    Buffer.concat([
      ggufString('general.name'),
      uint32(GGUF_TYPE_STRING),
      ggufString(options.name ?? 'Tiny Test'),
    ]),
    Buffer.concat([
      ggufString(`${architecture}.context_length`),
      uint32(GGUF_TYPE_UINT32),
      uint32(options.contextLength ?? 2048),
    ]),
  ];
  const header = Buffer.concat([
    Buffer.from('GGUF', 'latin1'),
    uint32(options.version ?? 3),
    uint64(0), // tensor count
    uint64(pairs.length),
    ...pairs,
  ]);
  const padding = Buffer.alloc(options.paddingBytes ?? 0);
  for (let index = 0; index < padding.length; index++) padding[index] = (index * 31 + 7) & 0xff;
  return new Uint8Array(Buffer.concat([header, padding]));
}
