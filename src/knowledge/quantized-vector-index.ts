/**
 * An in-memory copy of one workspace's vectors of one embedding model, scalar-quantised to int8
 * (one byte a dimension: 38 MB for 100,000 vectors of 384 dimensions, a quarter of float32), and
 * scanned by a WebAssembly SIMD kernel (int8-dot-kernel.ts): a query against 100,000 vectors costs
 * a few milliseconds where sqlite-vec's exact scan costs a hundred.
 *
 * Each vector is normalised (the search is by cosine) and scaled so that its largest component is
 * ±127; its scale is kept, so the score of a vector is its int32 dot product with the query times
 * its scale. The error that leaves is a few ten-thousandths of cosine, about the gap between
 * neighbours in a dense topic (recall@10 ~0.99 against exact search). So the rounding error of each
 * component is kept too, as a second int8 (outside the scanned memory), and the best candidates
 * are re-scored with both: an error of ~10⁻⁵, the exact order in practice. (Re-reading their
 * float32 vectors from sqlite-vec costs about a millisecond each: vec0 reads a whole chunk of
 * vectors to return one.) sqlite-vec stays the storage of record; this is a cache that can always
 * be rebuilt from it.
 */
import { createHammingDistances, type HammingDistances } from './hamming-kernel.js';
import { createInt8Dots, type Int8Dots } from './int8-dot-kernel.js';

const PAGE_BYTES = 65_536;
const CODE_MAX = 127;
/**
 * The query is quantised to int16, at most ±16,383, and less for wide vectors: a vector's int32
 * dot product is at most 127 · queryMax · stride (every component at its largest), which must stay
 * under 2³¹, or a wide, flat vector's sum wraps round to a negative score (past 1,032 dimensions
 * at ±16,383). At 8,192 dimensions that still leaves ±2,064, ample for picking candidates.
 */
const QUERY_MAX = 16_383;
const INT32_MAX = 2_147_483_647;
/** A component's rounding error (±0.5 of a code) is kept in units of 1/254 of a code. */
const FINE_STEPS = 254;
/** Candidates re-scored with the fine codes, per result wanted (and at least this many more). */
const REFINE_FACTOR = 4;
const REFINE_EXTRA = 16;
/**
 * From this many vectors on, a first pass by sign bits (hamming-kernel.ts) picks the candidates
 * that the int8 codes then score: the int8 scan is bound by memory bandwidth, and below this size
 * it takes a millisecond or less anyway.
 */
const PREFILTER_FROM = 20_000;
/**
 * Candidates the sign bits pass on: 2 % of the vectors, at least 2,000. Sign bits keep the
 * neighbourhood, not the order (two vectors at cosine 0.8 differ in about a fifth of their bits),
 * so the pass is wide: on clustered vectors (bench/knowledge-search.ts, a topic's chunks at cosine
 * ~0.5) recall@10 stays 1.000 against the exact search.
 */
const PREFILTER_SHARE = 0.02;
const PREFILTER_MIN = 2_000;

/** A stored vector and its cosine similarity to the query (to ~10⁻⁵). */
export interface Neighbour {
  rowid: number;
  similarity: number;
}

function alignUp(value: number, to: number): number {
  return Math.ceil(value / to) * to;
}

export class QuantizedVectorIndex {
  /** Bytes a vector's codes take: the dimension rounded up to the kernel's 16-byte step. */
  readonly stride: number;
  private readonly memory: WebAssembly.Memory;
  private readonly dots: Int8Dots;
  private readonly queryBytes: number;
  /** The largest query component after quantisation (see `QUERY_MAX`). */
  private readonly queryMax: number;
  private capacity = 0;
  private size = 0;
  private rowids = new Float64Array(0);
  private scales = new Float32Array(0);
  private fine = new Int8Array(0);
  private readonly slotOf = new Map<number, number>();
  /** Bytes of a vector's sign bits: the dimension rounded up to the kernel's 64-bit step. */
  private readonly bitRowBytes: number;
  /** Sign bits, in a memory of their own: the query's row, `capacity` rows, `capacity` int32 distances. */
  private readonly bitsMemory = new WebAssembly.Memory({ initial: 1 });
  private readonly hamming: HammingDistances | undefined;

  private constructor(
    readonly dimension: number,
    memory: WebAssembly.Memory,
    dots: Int8Dots,
  ) {
    this.stride = alignUp(dimension, 16);
    this.memory = memory;
    this.dots = dots;
    this.bitRowBytes = alignUp(dimension, 64) / 8;
    this.hamming = createHammingDistances(this.bitsMemory);
    this.queryBytes = this.stride * 2;
    this.queryMax = Math.min(QUERY_MAX, Math.floor(INT32_MAX / (CODE_MAX * this.stride)));
  }

  /**
   * An empty index with room for `expected` vectors (it grows past that), or undefined where
   * WebAssembly SIMD is not available (callers then search sqlite-vec).
   */
  static create(dimension: number, expected = 0): QuantizedVectorIndex | undefined {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const dots = createInt8Dots(memory);
    if (!dots) return undefined;
    const index = new QuantizedVectorIndex(dimension, memory, dots);
    index.reserve(expected);
    return index;
  }

  get count(): number {
    return this.size;
  }

  has(rowid: number): boolean {
    return this.slotOf.has(rowid);
  }

  /** Bytes of memory the index holds. */
  get byteLength(): number {
    return (
      this.memory.buffer.byteLength +
      this.bitsMemory.buffer.byteLength +
      this.rowids.byteLength +
      this.scales.byteLength +
      this.fine.byteLength
    );
  }

  // Memory layout: the int16 query, then `capacity` rows of codes, then `capacity` int32 results.
  private get codesOffset(): number {
    return this.queryBytes;
  }

  private get outOffset(): number {
    return this.codesOffset + this.capacity * this.stride;
  }

  private get bitsOffset(): number {
    return this.bitRowBytes;
  }

  private get distancesOffset(): number {
    return this.bitsOffset + this.capacity * this.bitRowBytes;
  }

  private reserve(wanted: number): void {
    if (wanted <= this.capacity) return;
    const capacity = Math.max(wanted, this.capacity === 0 ? 0 : Math.ceil(this.capacity * 1.5), 1024);
    const bytes = this.queryBytes + capacity * (this.stride + 4);
    const pages = Math.ceil(bytes / PAGE_BYTES) - this.memory.buffer.byteLength / PAGE_BYTES;
    // Codes stay where they are; the results area (scratch) moves past the larger codes area.
    if (pages > 0) this.memory.grow(pages);
    const bitBytes = this.bitRowBytes + capacity * (this.bitRowBytes + 4);
    const bitPages = Math.ceil(bitBytes / PAGE_BYTES) - this.bitsMemory.buffer.byteLength / PAGE_BYTES;
    if (bitPages > 0) this.bitsMemory.grow(bitPages);
    const rowids = new Float64Array(capacity);
    rowids.set(this.rowids.subarray(0, this.size));
    const scales = new Float32Array(capacity);
    scales.set(this.scales.subarray(0, this.size));
    const fine = new Int8Array(capacity * this.dimension);
    fine.set(this.fine.subarray(0, this.size * this.dimension));
    this.rowids = rowids;
    this.scales = scales;
    this.fine = fine;
    this.capacity = capacity;
  }

  /** Adds a vector, or replaces the one stored under its rowid. A zero vector is left out. */
  upsert(rowid: number, vector: ArrayLike<number>): void {
    if (vector.length !== this.dimension) throw new Error(`Expected ${this.dimension} dimensions`);
    let largest = 0;
    let norm = 0;
    for (let index = 0; index < vector.length; index += 1) {
      const value = vector[index]!;
      norm += value * value;
      largest = Math.max(largest, Math.abs(value));
    }
    if (!(largest > 0) || !Number.isFinite(norm)) {
      this.remove(rowid);
      return;
    }
    let slot = this.slotOf.get(rowid);
    if (slot === undefined) {
      this.reserve(this.size + 1);
      slot = this.size;
      this.size += 1;
      this.slotOf.set(rowid, slot);
      this.rowids[slot] = rowid;
    }
    const codes = new Int8Array(this.memory.buffer, this.codesOffset + slot * this.stride, this.stride);
    const factor = CODE_MAX / largest;
    const fineBase = slot * this.dimension;
    for (let index = 0; index < vector.length; index += 1) {
      const scaled = vector[index]! * factor;
      const code = Math.round(scaled);
      codes[index] = code;
      this.fine[fineBase + index] = Math.round((scaled - code) * FINE_STEPS);
    }
    codes.fill(0, vector.length);
    const bits = new Uint8Array(
      this.bitsMemory.buffer,
      this.bitsOffset + slot * this.bitRowBytes,
      this.bitRowBytes,
    );
    writeSignBits(vector, bits);
    // code · scale = the component of the unit vector
    this.scales[slot] = largest / CODE_MAX / Math.sqrt(norm);
  }

  /** Removes a rowid's vector (the last vector takes its slot). */
  remove(rowid: number): void {
    const slot = this.slotOf.get(rowid);
    if (slot === undefined) return;
    this.slotOf.delete(rowid);
    const last = this.size - 1;
    if (slot !== last) {
      const bytes = new Uint8Array(this.memory.buffer);
      const from = this.codesOffset + last * this.stride;
      bytes.copyWithin(this.codesOffset + slot * this.stride, from, from + this.stride);
      this.rowids[slot] = this.rowids[last]!;
      this.scales[slot] = this.scales[last]!;
      this.fine.copyWithin(slot * this.dimension, last * this.dimension, (last + 1) * this.dimension);
      const bits = new Uint8Array(this.bitsMemory.buffer);
      const bitsFrom = this.bitsOffset + last * this.bitRowBytes;
      bits.copyWithin(this.bitsOffset + slot * this.bitRowBytes, bitsFrom, bitsFrom + this.bitRowBytes);
      this.slotOf.set(this.rowids[slot]!, slot);
    }
    this.size = last;
  }

  /**
   * The `count` vectors most similar to the query, best first: the int8 scan picks a few times
   * more candidates, which the fine codes then order.
   */
  nearest(query: ArrayLike<number>, count: number): Neighbour[] {
    if (query.length !== this.dimension) throw new Error(`Expected ${this.dimension} dimensions`);
    const wanted = Math.min(count, this.size);
    if (wanted <= 0) return [];
    let largest = 0;
    let norm = 0;
    for (let index = 0; index < query.length; index += 1) {
      const value = query[index]!;
      largest = Math.max(largest, Math.abs(value));
      norm += value * value;
    }
    if (!(largest > 0) || !Number.isFinite(norm)) return [];
    const quantised = new Int16Array(this.memory.buffer, 0, this.stride);
    const factor = this.queryMax / largest;
    for (let index = 0; index < query.length; index += 1)
      quantised[index] = Math.round(query[index]! * factor);
    quantised.fill(0, query.length);
    const refineCount = Math.min(this.size, wanted * REFINE_FACTOR + REFINE_EXTRA);
    const candidates =
      this.hamming && this.size >= PREFILTER_FROM
        ? this.prefilteredCandidates(query, refineCount)
        : topByScore(this.scanAll(), this.scales, refineCount);
    // Re-score: (code + fine / FINE_STEPS) · scale is the unit vector's component to ~10⁻⁵.
    const codes = new Int8Array(this.memory.buffer, this.codesOffset, this.size * this.stride);
    const length = Math.sqrt(norm);
    const refined = candidates.map((slot) => {
      const codeBase = slot * this.stride;
      const fineBase = slot * this.dimension;
      let sum = 0;
      for (let index = 0; index < this.dimension; index += 1)
        sum += query[index]! * (codes[codeBase + index]! + this.fine[fineBase + index]! / FINE_STEPS);
      return { rowid: this.rowids[slot]!, similarity: (sum * this.scales[slot]!) / length };
    });
    return refined.sort((a, b) => b.similarity - a.similarity).slice(0, wanted);
  }

  /** Every vector's int8 dot product with the (already written) query. */
  private scanAll(): Int32Array {
    this.dots(0, this.codesOffset, this.outOffset, this.size, this.stride);
    return new Int32Array(this.memory.buffer, this.outOffset, this.size);
  }

  /**
   * The `count` best slots by int8 score among those whose sign bits are closest to the query's:
   * the sign-bit pass reads an eighth of what the int8 scan does.
   */
  private prefilteredCandidates(query: ArrayLike<number>, count: number): number[] {
    writeSignBits(query, new Uint8Array(this.bitsMemory.buffer, 0, this.bitRowBytes));
    this.hamming!(0, this.bitsOffset, this.distancesOffset, this.size, this.bitRowBytes);
    const distances = new Int32Array(this.bitsMemory.buffer, this.distancesOffset, this.size);
    const wanted = Math.min(
      this.size,
      Math.max(count, PREFILTER_MIN, Math.ceil(this.size * PREFILTER_SHARE)),
    );
    // The distance below which `wanted` vectors lie, by counting (distances are 0 … dimension).
    const histogram = new Int32Array(this.dimension + 2);
    for (let slot = 0; slot < this.size; slot += 1) histogram[distances[slot]!]! += 1;
    let threshold = 0;
    for (let taken = 0; threshold <= this.dimension && taken + histogram[threshold]! < wanted; threshold += 1)
      taken += histogram[threshold]!;
    // Those closer than the threshold, then as many at it as still fit.
    const slots = new Int32Array(wanted);
    let filled = 0;
    for (let slot = 0; slot < this.size && filled < wanted; slot += 1)
      if (distances[slot]! < threshold) slots[filled++] = slot;
    for (let slot = 0; slot < this.size && filled < wanted; slot += 1)
      if (distances[slot] === threshold) slots[filled++] = slot;
    // Their int8 scores, one kernel call each, into the results area.
    for (let index = 0; index < filled; index += 1)
      this.dots(
        0,
        this.codesOffset + slots[index]! * this.stride,
        this.outOffset + index * 4,
        1,
        this.stride,
      );
    const products = new Int32Array(this.memory.buffer, this.outOffset, filled);
    const scales = new Float32Array(filled);
    for (let index = 0; index < filled; index += 1) scales[index] = this.scales[slots[index]!]!;
    return topByScore(products, scales, Math.min(count, filled)).map((index) => slots[index]!);
  }
}

/** One bit a dimension, set where the component is positive (little-endian within each byte). */
function writeSignBits(vector: ArrayLike<number>, bits: Uint8Array): void {
  bits.fill(0);
  for (let index = 0; index < vector.length; index += 1)
    if (vector[index]! > 0) bits[index >> 3]! |= 1 << (index & 7);
}

/**
 * The slots of the `count` highest `products[slot] · scales[slot]`, best first: a min-heap of the
 * best so far, which most slots leave at one comparison with its smallest.
 */
function topByScore(products: Int32Array, scales: Float32Array, count: number): number[] {
  const heapScores = new Float64Array(count);
  const heapSlots = new Int32Array(count);
  let filled = 0;
  const siftDown = (start: number) => {
    let parent = start;
    for (;;) {
      const left = parent * 2 + 1;
      if (left >= filled) return;
      const right = left + 1;
      const child = right < filled && heapScores[right]! < heapScores[left]! ? right : left;
      if (heapScores[child]! >= heapScores[parent]!) return;
      const score = heapScores[parent]!;
      heapScores[parent] = heapScores[child]!;
      heapScores[child] = score;
      const slot = heapSlots[parent]!;
      heapSlots[parent] = heapSlots[child]!;
      heapSlots[child] = slot;
      parent = child;
    }
  };
  for (let slot = 0; slot < products.length; slot += 1) {
    const score = products[slot]! * scales[slot]!;
    if (filled < count) {
      // Sift up.
      let child = filled;
      filled += 1;
      heapScores[child] = score;
      heapSlots[child] = slot;
      while (child > 0) {
        const parent = (child - 1) >> 1;
        if (heapScores[parent]! <= heapScores[child]!) break;
        const swapScore = heapScores[parent]!;
        heapScores[parent] = heapScores[child]!;
        heapScores[child] = swapScore;
        const swapSlot = heapSlots[parent]!;
        heapSlots[parent] = heapSlots[child]!;
        heapSlots[child] = swapSlot;
        child = parent;
      }
    } else if (score > heapScores[0]!) {
      heapScores[0] = score;
      heapSlots[0] = slot;
      siftDown(0);
    }
  }
  const order = Array.from(heapSlots.subarray(0, filled));
  const scoreOf = new Map(order.map((slot, index) => [slot, heapScores[index]!]));
  return order.sort((a, b) => scoreOf.get(b)! - scoreOf.get(a)!);
}
