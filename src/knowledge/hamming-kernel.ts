/**
 * The vector index's first pass over a large workspace: the Hamming distance between the query's
 * sign bits and every stored vector's, as a small WebAssembly kernel (one `i64.popcnt` per 64
 * dimensions), assembled from named opcodes like int8-dot-kernel.ts.
 *
 * Why: the int8 scan reads every vector's codes, 38 MB at 100,000 vectors of 384 dimensions, and
 * is then bound by memory bandwidth (about 5 ms here). Sign bits are an eighth of that, so the
 * first pass reads 4.8 MB and only the closest candidates are scored with their int8 codes.
 */
import {
  kernelFactory,
  localGet,
  localSet,
  OP,
  oneFunctionModule,
  unsignedLeb128,
  VALUE_TYPE,
} from '../wasm/module-bytes.js';

// Parameters, then locals, of `hamming(query, bits, out, count, rowBytes)`.
const QUERY = 0; // byte offset of the query's bits: `rowBytes` bytes
const BITS = 1; // byte offset of the stored bits: `count` rows of `rowBytes` bytes
const OUT = 2; // byte offset of the int32 distances: `count` values
const COUNT = 3;
const ROW_BYTES = 4; // a multiple of 8, at least 8
const N = 5; // the vector being compared
const B = 6; // byte offset inside its row
const ROW = 7; // its row's offset
const SUM = 8; // i64: differing bits so far

const get = localGet;
const set = localSet;

function kernelBody(): number[] {
  // prettier-ignore
  const body: number[] = [
    OP.i32Const, 0, ...set(N),
    ...get(BITS), ...set(ROW),
    OP.block, OP.emptyBlockType,
    OP.loop, OP.emptyBlockType,
    // while n < count
    ...get(N), ...get(COUNT), OP.i32GeU, OP.brIf, 1,
    OP.i64Const, 0, ...set(SUM),
    OP.i32Const, 0, ...set(B),
    OP.loop, OP.emptyBlockType,
    // sum += popcnt(row[b] ^ query[b]), 8 bytes at a time
    ...get(SUM),
    ...get(ROW), ...get(B), OP.i32Add, OP.i64Load, 3, 0,
    ...get(QUERY), ...get(B), OP.i32Add, OP.i64Load, 3, 0,
    OP.i64Xor, OP.i64Popcnt, OP.i64Add, ...set(SUM),
    ...get(B), OP.i32Const, 8, OP.i32Add, OP.localTee, B,
    ...get(ROW_BYTES), OP.i32LtU, OP.brIf, 0,
    OP.end,
    // out[n] = sum
    ...get(OUT), ...get(N), OP.i32Const, 2, OP.i32Shl, OP.i32Add,
    ...get(SUM), OP.i32WrapI64,
    OP.i32Store, 2, 0,
    ...get(ROW), ...get(ROW_BYTES), OP.i32Add, ...set(ROW),
    ...get(N), OP.i32Const, 1, OP.i32Add, ...set(N),
    OP.br, 0,
    OP.end, OP.end,
    OP.end,
  ];
  const locals = [2, 3, VALUE_TYPE.i32, 1, VALUE_TYPE.i64]; // two groups: 3 i32 locals, 1 i64 local
  return [...unsignedLeb128(locals.length + body.length), ...locals, ...body];
}

/** The module: imports `env.memory`, exports `hamming(query, bits, out, count, rowBytes)`. */
export function hammingModuleBytes(): Uint8Array<ArrayBuffer> {
  return oneFunctionModule('hamming', 5, kernelBody());
}

/** Writes the number of differing bits between the query's row and each of `count` rows to `out`. */
export type HammingDistances = (
  queryOffset: number,
  bitsOffset: number,
  outOffset: number,
  count: number,
  rowBytes: number,
) => void;

/** The kernel over `memory`, or undefined where the module does not validate. */
export const createHammingDistances = kernelFactory<HammingDistances>(hammingModuleBytes, 'hamming');

/** The same distances in plain JavaScript: the tests' reference. */
export function hammingReference(
  query: Uint8Array,
  bits: Uint8Array,
  count: number,
  rowBytes: number,
): number[] {
  const distances: number[] = [];
  for (let n = 0; n < count; n += 1) {
    let sum = 0;
    for (let b = 0; b < rowBytes; b += 1) {
      let x = query[b]! ^ bits[n * rowBytes + b]!;
      while (x) {
        sum += x & 1;
        x >>= 1;
      }
    }
    distances.push(sum);
  }
  return distances;
}
