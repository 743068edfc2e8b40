/**
 * The vector index's one hot loop, a query's dot product with every stored vector, as a small
 * WebAssembly SIMD kernel: sixteen int8 dimensions a step where plain JavaScript does one. The
 * module (~150 bytes) is assembled below from named opcodes of the WebAssembly binary format with
 * its fixed-width SIMD instructions (in Node since 16.4), as src/learn/simd-matmul.ts does for its
 * kernel, so there is no toolchain and no binary blob in the tree.
 *
 * Stored vectors are int8 codes, `stride` bytes each (the dimension rounded up to 16, zero-padded);
 * the query is int16, so that it loses almost nothing to quantisation. A step widens 16 codes to
 * int16 and multiplies-and-adds them pairwise into int32 lanes (`i32x4.dot_i16x8_s`). The lanes
 * wrap round modulo 2³², so the result is exact whenever the whole dot product fits an int32: with
 * codes in ±127 that is 127 · (the query's largest value) · stride < 2³¹, which the index keeps by
 * quantising wide queries more coarsely (quantized-vector-index.ts, `QUERY_MAX`).
 */
import {
  kernelFactory,
  localGet,
  localSet,
  OP,
  oneFunctionModule,
  simdOp,
  unsignedLeb128,
  VALUE_TYPE,
} from '../wasm/module-bytes.js';

/** SIMD sub-opcodes (after the 0xfd prefix), LEB128-encoded when written. */
const SIMD = {
  v128Load: 0x00,
  i32x4Splat: 0x11,
  i32x4ExtractLane: 0x1b,
  i16x8ExtendLowI8x16S: 0x87,
  i16x8ExtendHighI8x16S: 0x88,
  i32x4Add: 0xae,
  i32x4DotI16x8S: 0xba,
} as const;

// Parameters, then locals, of `dots(query, codes, out, count, stride)`.
const QUERY = 0; // byte offset of the int16 query: `stride` values
const CODES = 1; // byte offset of the int8 codes: `count` rows of `stride` bytes
const OUT = 2; // byte offset of the int32 results: `count` values
const COUNT = 3;
const STRIDE = 4; // a multiple of 16, at least 16
const N = 5; // the vector being scored
const C = 6; // byte offset inside it
const ROW = 7; // its codes' offset
const ACC = 8; // v128: four int32 partial sums
const X = 9; // v128: 16 codes

const get = localGet;
const set = localSet;
const simd = simdOp;
const load = (alignmentLog2: number) => [...simd(SIMD.v128Load), alignmentLog2, 0];

/** `acc += dot(widened codes half, the query's int16 values at query + 2c + offset)`. */
const halfStep = (widen: number, queryOffset: number) => [
  ...get(ACC),
  ...get(X),
  ...simd(widen),
  ...get(QUERY),
  ...get(C),
  OP.i32Const,
  1,
  OP.i32Shl,
  OP.i32Add,
  ...(queryOffset === 0 ? [] : [OP.i32Const, queryOffset, OP.i32Add]),
  ...load(4),
  ...simd(SIMD.i32x4DotI16x8S),
  ...simd(SIMD.i32x4Add),
  ...set(ACC),
];

const lane = (index: number) => [...get(ACC), ...simd(SIMD.i32x4ExtractLane), index];

function kernelBody(): number[] {
  // prettier-ignore
  const body: number[] = [
    OP.i32Const, 0, ...set(N),
    ...get(CODES), ...set(ROW),
    OP.block, OP.emptyBlockType,
    OP.loop, OP.emptyBlockType,
    // while n < count
    ...get(N), ...get(COUNT), OP.i32GeU, OP.brIf, 1,
    OP.i32Const, 0, ...simd(SIMD.i32x4Splat), ...set(ACC),
    OP.i32Const, 0, ...set(C),
    OP.loop, OP.emptyBlockType,
    // x = 16 codes at row + c; acc += low 8 · query[c..c+8] + high 8 · query[c+8..c+16]
    ...get(ROW), ...get(C), OP.i32Add, ...load(0), ...set(X),
    ...halfStep(SIMD.i16x8ExtendLowI8x16S, 0),
    ...halfStep(SIMD.i16x8ExtendHighI8x16S, 16),
    ...get(C), OP.i32Const, 16, OP.i32Add, OP.localTee, C,
    ...get(STRIDE), OP.i32LtU, OP.brIf, 0,
    OP.end,
    // out[n] = the four lanes' sum
    ...get(OUT), ...get(N), OP.i32Const, 2, OP.i32Shl, OP.i32Add,
    ...lane(0), ...lane(1), OP.i32Add, ...lane(2), OP.i32Add, ...lane(3), OP.i32Add,
    OP.i32Store, 2, 0,
    ...get(ROW), ...get(STRIDE), OP.i32Add, ...set(ROW),
    ...get(N), OP.i32Const, 1, OP.i32Add, ...set(N),
    OP.br, 0,
    OP.end, OP.end,
    OP.end,
  ];
  const locals = [2, 3, VALUE_TYPE.i32, 2, VALUE_TYPE.v128]; // two groups: 3 i32 locals, 2 v128 locals
  return [...unsignedLeb128(locals.length + body.length), ...locals, ...body];
}

/** The module: imports `env.memory`, exports `dots(query, codes, out, count, stride)`. */
export function int8DotModuleBytes(): Uint8Array<ArrayBuffer> {
  return oneFunctionModule('dots', 5, kernelBody());
}

/** Writes the int32 dot product of the query with each of `count` code rows to `out`. */
export type Int8Dots = (
  queryOffset: number,
  codesOffset: number,
  outOffset: number,
  count: number,
  stride: number,
) => void;

/** The kernel over `memory`, or undefined where WebAssembly SIMD is not available. */
export const createInt8Dots = kernelFactory<Int8Dots>(int8DotModuleBytes, 'dots');

/** The same dot products in plain JavaScript: where SIMD is missing, and as the tests' reference. */
export function int8DotsReference(
  query: Int16Array,
  codes: Int8Array,
  out: Int32Array,
  count: number,
  stride: number,
): void {
  for (let n = 0; n < count; n += 1) {
    let sum = 0;
    const row = n * stride;
    for (let c = 0; c < stride; c += 1) sum += codes[row + c]! * query[c]!;
    out[n] = sum;
  }
}
