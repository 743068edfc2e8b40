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

  private constructor(
    readonly dimension: number,
    memory: WebAssembly.Memory,
    dots: Int8Dots,
  ) {
    this.stride = alignUp(dimension, 16);
    this.memory = memory;
    this.dots = dots;
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
      this.memory.buffer.byteLength + this.rowids.byteLength + this.scales.byteLength + this.fine.byteLength
    );
  }

  // Memory layout: the int16 query, then `capacity` rows of codes, then `capacity` int32 results.
  private get codesOffset(): number {
    return this.queryBytes;
  }

  private get outOffset(): number {
    return this.codesOffset + this.capacity * this.stride;
  }

  private reserve(wanted: number): void {
    if (wanted <= this.capacity) return;
    const capacity = Math.max(wanted, this.capacity === 0 ? 0 : Math.ceil(this.capacity * 1.5), 1024);
    const bytes = this.queryBytes + capacity * (this.stride + 4);
    const pages = Math.ceil(bytes / PAGE_BYTES) - this.memory.buffer.byteLength / PAGE_BYTES;
    // Codes stay where they are; the results area (scratch) moves past the larger codes area.
    if (pages > 0) this.memory.grow(pages);
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
    this.dots(0, this.codesOffset, this.outOffset, this.size, this.stride);
    const products = new Int32Array(this.memory.buffer, this.outOffset, this.size);
    const candidates = topByScore(
      products,
      this.scales,
      Math.min(this.size, wanted * REFINE_FACTOR + REFINE_EXTRA),
    );
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
