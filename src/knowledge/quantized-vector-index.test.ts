/**
 * The int8 SIMD kernel against its plain JavaScript reference, and the quantised index against
 * exact (float64) brute force on clustered vectors, the hard case for a quantised index: many
 * neighbours at nearly the same distance.
 */
import { describe, expect, it, vi } from 'vitest';
import { createHammingDistances, hammingReference } from './hamming-kernel.js';
import { createInt8Dots, int8DotsReference } from './int8-dot-kernel.js';
import { QuantizedVectorIndex } from './quantized-vector-index.js';

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

function near(next: () => number, centre: Float64Array, noise: number): Float64Array {
  return centre.map((value) => value + (next() * 2 - 1) * noise);
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let index = 0; index < a.length; index += 1) {
    dot += a[index]! * b[index]!;
    normA += a[index]! * a[index]!;
    normB += b[index]! * b[index]!;
  }
  return dot / Math.sqrt(normA * normB);
}

/** Clustered vectors: `topics` centres, each vector a centre plus noise (cosine ~0.5 within a topic). */
function clustered(count: number, dimension: number, topics: number, seed: number): Float64Array[] {
  const next = random(seed);
  const centres = Array.from({ length: topics }, () =>
    near(next, new Float64Array(dimension), 1 / Math.sqrt(dimension)),
  );
  return Array.from({ length: count }, () =>
    near(next, centres[Math.floor(next() * topics)]!, 1.7 / Math.sqrt(dimension)),
  );
}

function exactTop(vectors: Float64Array[], query: ArrayLike<number>, count: number): number[] {
  return vectors
    .map((vector, index) => ({ rowid: index + 1, similarity: cosine(vector, query) }))
    .sort((a, b) => b.similarity - a.similarity)
    .slice(0, count)
    .map((entry) => entry.rowid);
}

describe('the int8 dot-product kernel', () => {
  it('computes exactly what the JavaScript reference does, extremes included', () => {
    const stride = 48;
    const count = 37;
    const memory = new WebAssembly.Memory({ initial: 1 });
    const dots = createInt8Dots(memory);
    expect(dots, 'WebAssembly SIMD is available in Node 20').toBeDefined();
    const query = new Int16Array(memory.buffer, 0, stride);
    const codes = new Int8Array(memory.buffer, stride * 2, count * stride);
    const out = new Int32Array(memory.buffer, stride * 2 + count * stride, count);
    const next = random(7);
    for (let index = 0; index < stride; index += 1)
      query[index] = index % 5 === 0 ? -16_383 : Math.round((next() * 2 - 1) * 16_383);
    for (let index = 0; index < codes.length; index += 1)
      codes[index] = index % 7 === 0 ? -127 : Math.round((next() * 2 - 1) * 127);
    dots!(0, stride * 2, stride * 2 + count * stride, count, stride);
    const expected = new Int32Array(count);
    int8DotsReference(query, codes, expected, count, stride);
    expect([...out]).toEqual([...expected]);
    expect(expected.some((value) => value !== 0)).toBe(true);
  });
});

describe('the sign-bit Hamming kernel', () => {
  it('counts exactly the differing bits the JavaScript reference does', () => {
    const rowBytes = 48; // 384 dimensions
    const count = 300;
    const memory = new WebAssembly.Memory({ initial: 1 });
    const hamming = createHammingDistances(memory)!;
    expect(hamming).toBeDefined();
    const next = random(5);
    const bytes = new Uint8Array(memory.buffer);
    for (let index = 0; index < rowBytes * (count + 1); index += 1) bytes[index] = Math.floor(next() * 256);
    bytes.fill(0xff, rowBytes, 2 * rowBytes); // a row of ones: its distance is the query's zeros
    bytes.fill(0, 2 * rowBytes, 3 * rowBytes);
    const outOffset = rowBytes * (count + 1);
    hamming(0, rowBytes, outOffset, count, rowBytes);
    const distances = Array.from(new Int32Array(memory.buffer, outOffset, count));
    expect(distances).toEqual(
      hammingReference(bytes.subarray(0, rowBytes), bytes.subarray(rowBytes), count, rowBytes),
    );
    expect(distances[0]! + distances[1]!).toBe(rowBytes * 8);
  });
});

describe('the quantised vector index', () => {
  it('returns the exact nearest neighbours of clustered vectors, with their cosine to 1e-4', () => {
    const dimension = 72; // not a multiple of 16: the codes are padded
    const vectors = clustered(3_000, dimension, 12, 11);
    const index = QuantizedVectorIndex.create(dimension)!;
    vectors.forEach((vector, position) => index.upsert(position + 1, vector));
    expect(index.count).toBe(3_000);
    const next = random(12);
    let found = 0;
    for (let query = 0; query < 40; query += 1) {
      const target = vectors[Math.floor(next() * vectors.length)]!;
      const vector = near(next, target, 0.6 / Math.sqrt(dimension));
      const nearest = index.nearest(vector, 10);
      const exact = exactTop(vectors, vector, 10);
      found += nearest.filter((neighbour) => exact.includes(neighbour.rowid)).length;
      for (const neighbour of nearest)
        expect(neighbour.similarity).toBeCloseTo(cosine(vectors[neighbour.rowid - 1]!, vector), 4);
    }
    expect(found / 400).toBeGreaterThanOrEqual(0.99);
  });

  it('finds the same neighbours through the sign-bit first pass of a large index, after removals too', () => {
    const dimension = 384;
    const vectors = clustered(24_000, dimension, 64, 21);
    const index = QuantizedVectorIndex.create(dimension, vectors.length)!;
    vectors.forEach((vector, position) => index.upsert(position + 1, vector));
    // Removing moves the last vector's codes and bits into the freed slot.
    for (let rowid = 1; rowid <= 200; rowid += 1) index.remove(rowid * 7);
    const kept = vectors.map((vector, position) =>
      (position + 1) % 7 === 0 && position < 1400 ? undefined : vector,
    );
    // The first pass really runs (it would fall back to the full scan without its kernel).
    const prefilter = vi.spyOn(
      index as unknown as { prefilteredCandidates(): number[] },
      'prefilteredCandidates',
    );
    const next = random(22);
    let found = 0;
    for (let query = 0; query < 30; query += 1) {
      const target = vectors[Math.floor(next() * vectors.length)]!;
      const vector = near(next, target, 0.6 / Math.sqrt(dimension));
      const exact = kept
        .map((candidate, position) => ({
          rowid: position + 1,
          similarity: candidate ? cosine(candidate, vector) : -2,
        }))
        .sort((a, b) => b.similarity - a.similarity)
        .slice(0, 10)
        .map((entry) => entry.rowid);
      const nearest = index.nearest(vector, 10);
      expect(nearest.every((neighbour) => kept[neighbour.rowid - 1] !== undefined)).toBe(true);
      found += nearest.filter((neighbour) => exact.includes(neighbour.rowid)).length;
    }
    expect(found / 300).toBeGreaterThanOrEqual(0.99);
    expect(prefilter).toHaveBeenCalledTimes(30);
  });

  it('replaces a vector under the same rowid and removes one without disturbing the others', () => {
    const dimension = 16;
    const vectors = clustered(50, dimension, 3, 21);
    const index = QuantizedVectorIndex.create(dimension)!;
    vectors.forEach((vector, position) => index.upsert(position + 1, vector));
    // Rowid 5 now points elsewhere: its old direction no longer finds it first.
    const moved = vectors[5 - 1]!.map((value) => -value);
    index.upsert(5, moved);
    expect(index.count).toBe(50);
    expect(index.nearest(moved, 1)[0]).toMatchObject({ rowid: 5 });
    expect(index.nearest(vectors[5 - 1]!, 1)[0]!.rowid).not.toBe(5);
    // Removing rowid 1 moves the last vector (rowid 50) into its slot; both are still right.
    index.remove(1);
    index.remove(1);
    expect(index.count).toBe(49);
    expect(index.has(1)).toBe(false);
    expect(index.nearest(vectors[50 - 1]!, 1)[0]).toMatchObject({ rowid: 50 });
    expect(index.nearest(vectors[0]!, 49).map((neighbour) => neighbour.rowid)).not.toContain(1);
    // A zero vector has no direction: it is left out.
    index.upsert(7, new Float64Array(dimension));
    expect(index.has(7)).toBe(false);
  });

  it('grows past its first allocation and keeps every vector findable', () => {
    const dimension = 32;
    const vectors = clustered(2_500, dimension, 5, 31);
    const index = QuantizedVectorIndex.create(dimension)!;
    vectors.forEach((vector, position) => index.upsert(position + 1, vector));
    for (const rowid of [1, 1_024, 1_025, 2_500])
      expect(index.nearest(vectors[rowid - 1]!, 1)[0]).toMatchObject({ rowid });
  });
});
