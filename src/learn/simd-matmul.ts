/**
 * The forward pass's one hot loop, matrix × tokens, as a WebAssembly SIMD kernel: four float32
 * lanes per instruction where plain JavaScript does one. The module is ~250 bytes, assembled
 * below from named opcodes (the WebAssembly binary format, with the fixed-width SIMD proposal
 * that Node has shipped since 16.4), so there is no toolchain and no binary blob in the tree.
 *
 * The kernel reads weights and tokens from one WebAssembly memory: the transformer places every
 * weight matrix in it at load (`WasmArena`), and each call copies its tokens into a scratch area.
 */
import {
  kernelFactory,
  localGet,
  localSet,
  OP,
  oneFunctionModule,
  signedLeb128,
  simdOp,
  unsignedLeb128,
  VALUE_TYPE,
} from '../wasm/module-bytes.js';

/** SIMD sub-opcodes (after the 0xfd prefix), LEB128-encoded when written. */
const SIMD = { v128Load: 0, f32x4Splat: 19, f32x4ExtractLane: 31, f32x4Add: 228, f32x4Mul: 230 } as const;

// Parameter and local indices of the kernel.
const IN = 0; // byte offset of the tokens: tokenCount rows of `columns` floats
const OUT = 1; // byte offset of the output: tokenCount rows of `rows` floats
const WEIGHTS = 2; // byte offset of the matrix: `rows` rows of `columns` floats
const TOKENS = 3; // a multiple of 4
const ROWS = 4; // a multiple of 2
const COLUMNS = 5; // a multiple of 4, at least 4
const T = 6;
const R = 7;
const C = 8;
const ROW_A = 9;
const ROW_B = 10;
const X = [11, 12, 13, 14] as const;
const ROW_BYTES = 15;
const OUT_ROW_BYTES = 16;
const OUT_BASE = 17;
const A = [18, 19, 20, 21] as const;
const B = [22, 23, 24, 25] as const;
const WA = 26;
const WB = 27;
const V = 28;

const get = localGet;
const set = localSet;
const simd = simdOp;
const memoryArgument = (alignmentLog2: number) => [alignmentLog2, 0];

/** `x = x + y · z` on f32x4 locals. */
const multiplyAdd = (accumulator: number, weight: number, value: number) => [
  ...get(accumulator),
  ...get(weight),
  ...get(value),
  ...simd(SIMD.f32x4Mul),
  ...simd(SIMD.f32x4Add),
  ...set(accumulator),
];

/** Stores the sum of a f32x4 local's four lanes at `OUT_BASE + offset`. */
const storeLaneSum = (vector: number, offsetLocal: number | undefined, constant: number) => [
  ...get(OUT_BASE),
  ...(offsetLocal === undefined ? [] : [...get(offsetLocal), OP.i32Add]),
  ...(constant === 0 ? [] : [OP.i32Const, ...signedLeb128(constant), OP.i32Add]),
  ...get(vector),
  ...simd(SIMD.f32x4ExtractLane),
  0,
  ...get(vector),
  ...simd(SIMD.f32x4ExtractLane),
  1,
  OP.f32Add,
  ...get(vector),
  ...simd(SIMD.f32x4ExtractLane),
  2,
  OP.f32Add,
  ...get(vector),
  ...simd(SIMD.f32x4ExtractLane),
  3,
  OP.f32Add,
  OP.f32Store,
  ...memoryArgument(2),
];

function kernelBody(): number[] {
  const zero = [OP.f32Const, 0, 0, 0, 0, ...simd(SIMD.f32x4Splat)];
  const load = (pointer: number, offset: number, into: number) => [
    ...get(pointer),
    ...get(offset),
    OP.i32Add,
    ...simd(SIMD.v128Load),
    ...memoryArgument(2),
    ...set(into),
  ];
  // prettier-ignore
  const body: number[] = [
    // rowBytes = columns · 4; outRowBytes = rows · 4; t = 0
    ...get(COLUMNS), OP.i32Const, 2, OP.i32Shl, ...set(ROW_BYTES),
    ...get(ROWS), OP.i32Const, 2, OP.i32Shl, ...set(OUT_ROW_BYTES),
    OP.i32Const, 0, ...set(T),
    OP.block, OP.emptyBlockType,
    OP.loop, OP.emptyBlockType,
    // while t < tokens: x0…x3 = in + (t + k) · rowBytes
    ...get(T), ...get(TOKENS), OP.i32GeU, OP.brIf, 1,
    ...get(IN), ...get(T), ...get(ROW_BYTES), OP.i32Mul, OP.i32Add, ...set(X[0]),
    ...get(X[0]), ...get(ROW_BYTES), OP.i32Add, ...set(X[1]),
    ...get(X[1]), ...get(ROW_BYTES), OP.i32Add, ...set(X[2]),
    ...get(X[2]), ...get(ROW_BYTES), OP.i32Add, ...set(X[3]),
    OP.i32Const, 0, ...set(R),
    OP.block, OP.emptyBlockType,
    OP.loop, OP.emptyBlockType,
    // while r < rows: rowA = weights + r · rowBytes; rowB = rowA + rowBytes; sums = 0
    ...get(R), ...get(ROWS), OP.i32GeU, OP.brIf, 1,
    ...get(WEIGHTS), ...get(R), ...get(ROW_BYTES), OP.i32Mul, OP.i32Add, ...set(ROW_A),
    ...get(ROW_A), ...get(ROW_BYTES), OP.i32Add, ...set(ROW_B),
    ...[...A, ...B].flatMap((accumulator) => [...zero, ...set(accumulator)]),
    OP.i32Const, 0, ...set(C),
    // do: four columns of both rows against four columns of each of the four tokens
    OP.loop, OP.emptyBlockType,
    ...load(ROW_A, C, WA),
    ...load(ROW_B, C, WB),
    ...X.flatMap((pointer, index) => [
      ...load(pointer, C, V),
      ...multiplyAdd(A[index]!, WA, V),
      ...multiplyAdd(B[index]!, WB, V),
    ]),
    ...get(C), OP.i32Const, 16, OP.i32Add, ...set(C),
    ...get(C), ...get(ROW_BYTES), OP.i32LtU, OP.brIf, 0,
    OP.end,
    // outBase = out + t · outRowBytes + r · 4: token k's pair of results at outBase + k · outRowBytes
    ...get(OUT), ...get(T), ...get(OUT_ROW_BYTES), OP.i32Mul, OP.i32Add,
    ...get(R), OP.i32Const, 2, OP.i32Shl, OP.i32Add, ...set(OUT_BASE),
    ...storeLaneSum(A[0], undefined, 0),
    ...storeLaneSum(B[0], undefined, 4),
    ...storeLaneSum(A[1], OUT_ROW_BYTES, 0),
    ...storeLaneSum(B[1], OUT_ROW_BYTES, 4),
    // tokens 2 and 3: step outBase by one row, then store one row further on
    ...get(OUT_BASE), ...get(OUT_ROW_BYTES), OP.i32Add, ...set(OUT_BASE),
    ...storeLaneSum(A[2], OUT_ROW_BYTES, 0),
    ...storeLaneSum(B[2], OUT_ROW_BYTES, 4),
    ...get(OUT_BASE), ...get(OUT_ROW_BYTES), OP.i32Add, ...set(OUT_BASE),
    ...storeLaneSum(A[3], OUT_ROW_BYTES, 0),
    ...storeLaneSum(B[3], OUT_ROW_BYTES, 4),
    // r += 2
    ...get(R), OP.i32Const, 2, OP.i32Add, ...set(R),
    OP.br, 0,
    OP.end, OP.end,
    // t += 4
    ...get(T), OP.i32Const, 4, OP.i32Add, ...set(T),
    OP.br, 0,
    OP.end, OP.end,
    OP.end,
  ];
  const locals = [2, 12, VALUE_TYPE.i32, 11, VALUE_TYPE.v128]; // two groups: 12 i32 locals, 11 v128 locals
  return [...unsignedLeb128(locals.length + body.length), ...locals, ...body];
}

/** The module: imports `env.memory`, exports `matmul(in, out, weights, tokens, rows, columns)`. */
export function simdMatmulModuleBytes(): Uint8Array<ArrayBuffer> {
  return oneFunctionModule('matmul', 6, kernelBody());
}

export type SimdMatmul = (
  inputOffset: number,
  outputOffset: number,
  weightsOffset: number,
  tokenCount: number,
  rows: number,
  columns: number,
) => void;

/** The kernel over `memory`, or undefined where WebAssembly SIMD is not available. */
export const createSimdMatmul = kernelFactory<SimdMatmul>(simdMatmulModuleBytes, 'matmul');

const PAGE_BYTES = 65_536;
/** wasm32's ceiling: a model whose float32 weights exceed it runs on the plain JavaScript loops. */
const MAX_PAGES = 65_536;

/**
 * One WebAssembly memory sized once for the weights plus a scratch area, handing out float32
 * regions. It never grows, so the Float32Array views given out stay valid.
 */
export class WasmArena {
  readonly memory: WebAssembly.Memory;
  private next = 0;

  private constructor(
    memory: WebAssembly.Memory,
    readonly byteLength: number,
  ) {
    this.memory = memory;
  }

  /** An arena for `floatCount` floats, or undefined when that is beyond wasm32's 4 GiB. */
  static create(floatCount: number): WasmArena | undefined {
    const byteLength = floatCount * 4 + 64;
    const pages = Math.ceil(byteLength / PAGE_BYTES);
    if (pages > MAX_PAGES) return undefined;
    try {
      return new WasmArena(new WebAssembly.Memory({ initial: pages, maximum: pages }), pages * PAGE_BYTES);
    } catch {
      return undefined;
    }
  }

  /** A zeroed region of `count` floats, 16-byte aligned. */
  allocate(count: number): { values: Float32Array; offset: number } {
    const offset = this.next;
    this.next += Math.ceil((count * 4) / 16) * 16;
    if (this.next > this.byteLength) throw new Error('WasmArena: out of the space reserved at creation');
    return { values: new Float32Array(this.memory.buffer, offset, count), offset };
  }
}
