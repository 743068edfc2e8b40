/**
 * Reads the tensors of a GGUF file into Float32Arrays. The header and tensor directory come from
 * node-llama-cpp's `readGgufFileInfo` (the runtime's own reader of the format); the data of each
 * tensor is read at its file offset and decoded here, because ggml's block encodings are what the
 * forward pass has to undo.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { readGgufFileInfo } from 'node-llama-cpp';
import { PolettError } from '../errors.js';

/** ggml's `ggml_type` ids of the encodings this reader decodes. */
export const GGML_TYPES = { f32: 0, f16: 1, q8_0: 8, bf16: 30 } as const;
const GGML_TYPE_NAMES: Record<number, string> = {
  0: 'f32',
  1: 'f16',
  2: 'q4_0',
  3: 'q4_1',
  6: 'q5_0',
  7: 'q5_1',
  8: 'q8_0',
  10: 'q2_K',
  11: 'q3_K',
  12: 'q4_K',
  13: 'q5_K',
  14: 'q6_K',
  30: 'bf16',
};

/** Elements per q8_0 block: one f16 scale, then 32 signed bytes. */
const Q8_0_BLOCK_SIZE = 32;
const Q8_0_BLOCK_BYTES = 34;

export interface GgufTensorEntry {
  name: string;
  /** ggml order: innermost (contiguous) first. */
  dimensions: number[];
  ggmlType: number;
  fileOffset: number;
}

export interface GgufModelFile {
  filePath: string;
  /** node-llama-cpp's parsed metadata tree (`general`, `<architecture>`, `tokenizer`…). */
  metadata: Record<string, unknown>;
  tensors: Map<string, GgufTensorEntry>;
}

/** The name of a ggml type id, for messages. */
export function ggmlTypeName(type: number): string {
  return GGML_TYPE_NAMES[type] ?? `type ${type}`;
}

/** Reads the header, metadata and tensor directory (not the tensor data). */
export async function readGgufModelFile(filePath: string): Promise<GgufModelFile> {
  let info: Awaited<ReturnType<typeof readGgufFileInfo>>;
  try {
    info = await readGgufFileInfo(filePath, { readTensorInfo: true, ignoreKeys: [] });
  } catch (error) {
    throw new PolettError({
      code: 'learn_model_unreadable',
      status: 422,
      cause: error,
      message: {
        sv: `Filen ${filePath} kunde inte läsas som en GGUF-modell (${error instanceof Error ? error.message : String(error)}). Hämta modellen igen med \`polett models pull\`.`,
        en: `The file ${filePath} could not be read as a GGUF model (${error instanceof Error ? error.message : String(error)}). Pull the model again with \`polett models pull\`.`,
      },
    });
  }
  const tensors = new Map<string, GgufTensorEntry>();
  for (const tensor of info.fullTensorInfo ?? info.tensorInfo ?? []) {
    tensors.set(tensor.name, {
      name: tensor.name,
      dimensions: tensor.dimensions.map(Number),
      ggmlType: tensor.ggmlType,
      fileOffset: Number(tensor.fileOffset),
    });
  }
  return { filePath, metadata: info.metadata as unknown as Record<string, unknown>, tensors };
}

/** The number an IEEE half-precision bit pattern stands for (a table: 65,536 entries, built once). */
let float16Table: Float32Array | undefined;
function float16ToFloat32Table(): Float32Array {
  if (float16Table !== undefined) return float16Table;
  const table = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits += 1) {
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >>> 10) & 0x1f;
    const mantissa = bits & 0x3ff;
    if (exponent === 0) table[bits] = sign * mantissa * 2 ** -24;
    else if (exponent === 0x1f) table[bits] = mantissa === 0 ? sign * Infinity : Number.NaN;
    else table[bits] = sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  float16Table = table;
  return table;
}

function byteLengthOf(entry: GgufTensorEntry, elementCount: number): number {
  switch (entry.ggmlType) {
    case GGML_TYPES.f32:
      return elementCount * 4;
    case GGML_TYPES.f16:
    case GGML_TYPES.bf16:
      return elementCount * 2;
    case GGML_TYPES.q8_0:
      return (elementCount / Q8_0_BLOCK_SIZE) * Q8_0_BLOCK_BYTES;
    default:
      throw unsupportedTensorTypeError(entry);
  }
}

/** Whether this reader decodes a ggml type. */
export function isDecodableType(type: number): boolean {
  return Object.values(GGML_TYPES).includes(type as (typeof GGML_TYPES)[keyof typeof GGML_TYPES]);
}

/** The error for a tensor in an encoding this reader does not decode, naming a file that works. */
export function unsupportedTensorTypeError(entry: GgufTensorEntry): PolettError {
  const type = ggmlTypeName(entry.ggmlType);
  return new PolettError({
    code: 'learn_tensor_type_unsupported',
    status: 422,
    message: {
      sv: `Tensorn ${entry.name} är lagrad som ${type}; Lär-sidans transformer läser f32, f16, bf16 och q8_0. Hämta en Q8_0- eller F16-version av modellen (till exempel \`polett models pull bartowski/SmolLM2-135M-Instruct-GGUF/SmolLM2-135M-Instruct-Q8_0.gguf\`).`,
      en: `The tensor ${entry.name} is stored as ${type}; the Learn page's transformer reads f32, f16, bf16 and q8_0. Pull a Q8_0 or F16 version of the model (for example \`polett models pull bartowski/SmolLM2-135M-Instruct-GGUF/SmolLM2-135M-Instruct-Q8_0.gguf\`).`,
    },
  });
}

/** Decodes one tensor's data into floats, in ggml order (innermost dimension fastest). */
export function decodeTensor(
  bytes: Uint8Array,
  entry: GgufTensorEntry,
  elementCount: number,
  into?: Float32Array,
): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = into ?? new Float32Array(elementCount);
  switch (entry.ggmlType) {
    case GGML_TYPES.f32:
      for (let index = 0; index < elementCount; index += 1) values[index] = view.getFloat32(index * 4, true);
      return values;
    case GGML_TYPES.f16: {
      const table = float16ToFloat32Table();
      for (let index = 0; index < elementCount; index += 1) {
        values[index] = table[view.getUint16(index * 2, true)]!;
      }
      return values;
    }
    case GGML_TYPES.bf16: {
      // bf16 is the top half of an f32.
      const bits = new Uint32Array(values.buffer, values.byteOffset, elementCount);
      for (let index = 0; index < elementCount; index += 1)
        bits[index] = view.getUint16(index * 2, true) << 16;
      return values;
    }
    case GGML_TYPES.q8_0: {
      const table = float16ToFloat32Table();
      const blockCount = elementCount / Q8_0_BLOCK_SIZE;
      for (let block = 0; block < blockCount; block += 1) {
        const blockOffset = block * Q8_0_BLOCK_BYTES;
        const scale = table[view.getUint16(blockOffset, true)]!;
        const valueOffset = block * Q8_0_BLOCK_SIZE;
        for (let index = 0; index < Q8_0_BLOCK_SIZE; index += 1) {
          values[valueOffset + index] = scale * view.getInt8(blockOffset + 2 + index);
        }
      }
      return values;
    }
    default:
      throw unsupportedTensorTypeError(entry);
  }
}

/**
 * Reads tensors by name from an open file. Each tensor is read at its own offset, so a model
 * larger than memory as raw bytes is never held whole.
 */
export class GgufTensorReader {
  private readonly descriptor: number;

  constructor(private readonly file: GgufModelFile) {
    this.descriptor = openSync(file.filePath, 'r');
  }

  has(name: string): boolean {
    return this.file.tensors.has(name);
  }

  /** Element count of a tensor, or undefined when the file lacks it. */
  elementCount(name: string): number | undefined {
    return this.file.tensors.get(name)?.dimensions.reduce((product, dimension) => product * dimension, 1);
  }

  /**
   * The tensor's values and dimensions; throws a clear error when it is absent or of another type.
   * `into` receives the values when given (a region of the WebAssembly memory).
   */
  read(name: string, into?: Float32Array): { values: Float32Array; dimensions: number[] } {
    const entry = this.file.tensors.get(name);
    if (entry === undefined) {
      throw new PolettError({
        code: 'learn_model_incomplete',
        status: 422,
        message: {
          sv: `Modellfilen ${this.file.filePath} saknar tensorn ${name}. Hämta modellen igen, eller välj en annan modell.`,
          en: `The model file ${this.file.filePath} lacks the tensor ${name}. Pull the model again, or choose another model.`,
        },
      });
    }
    const elementCount = entry.dimensions.reduce((product, dimension) => product * dimension, 1);
    const byteLength = byteLengthOf(entry, elementCount);
    const bytes = Buffer.allocUnsafe(byteLength);
    let done = 0;
    while (done < byteLength) {
      const read = readSync(this.descriptor, bytes, done, byteLength - done, entry.fileOffset + done);
      if (read === 0) {
        throw new PolettError({
          code: 'learn_model_truncated',
          status: 422,
          message: {
            sv: `Modellfilen ${this.file.filePath} tar slut mitt i tensorn ${name}. Hämta modellen igen.`,
            en: `The model file ${this.file.filePath} ends in the middle of the tensor ${name}. Pull the model again.`,
          },
        });
      }
      done += read;
    }
    if (into !== undefined && into.length !== elementCount) {
      throw new Error(`${name}: ${elementCount} values do not fit a region of ${into.length}`);
    }
    return { values: decodeTensor(bytes, entry, elementCount, into), dimensions: entry.dimensions };
  }

  close(): void {
    closeSync(this.descriptor);
  }
}
