/**
 * Structure-aware chunking: a parsed document's blocks become passages of a bounded size in
 * tokens. A chunk never crosses a heading; a paragraph, list or table stays whole when it fits;
 * a block too large for one chunk is split at sentences (paragraphs), items (lists) or rows (tables,
 * each piece keeping the header row), and consecutive pieces overlap by a few sentences so that a
 * fact at a boundary is found in both. Each chunk keeps its heading path and the location of where
 * it starts, for citations.
 */
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import type { Block, ParsedDocument } from './parsing/types.js';
import type { PassageLocation } from './search-contract.js';

export interface ChunkOptions {
  /** Largest chunk in tokens (o200k). */
  maxTokens: number;
  /** Tokens of the end of a split block repeated at the start of the next chunk. */
  overlapTokens: number;
  /** Counts tokens; o200k (GPT-4o's tokenizer) by default, a fair measure for Swedish text. */
  countTokens: (text: string) => number;
}

export const DEFAULT_CHUNK_OPTIONS: ChunkOptions = { maxTokens: 350, overlapTokens: 48, countTokens };

export interface Chunk {
  /** 0-based position in the document. */
  ordinal: number;
  text: string;
  /** Headings above the chunk, outermost first. */
  headingPath: string[];
  location: PassageLocation;
  tokenCount: number;
}

/** A piece of a block: the whole block when it fits, else one sentence, list item or table row. */
interface Unit {
  text: string;
  tokens: number;
  location: PassageLocation;
  /** Index of the block it came from: units of one block join with a newline, blocks with a blank line. */
  block: number;
  /** True when the unit is a piece of a split block (the only units that overlap). */
  piece: boolean;
}

const SENTENCE_SEGMENTER = new Intl.Segmenter('sv', { granularity: 'sentence' });

function sentences(text: string): string[] {
  return [...SENTENCE_SEGMENTER.segment(text)].map((segment) => segment.segment.trim()).filter(Boolean);
}

/** Splits text with no usable boundary (a 5,000-word sentence) at word boundaries. */
function splitByWords(text: string, maxTokens: number, count: (text: string) => number): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const pieces: string[] = [];
  let current: string[] = [];
  let currentTokens = 0;
  for (const word of words) {
    const tokens = count(` ${word}`);
    if (current.length > 0 && currentTokens + tokens > maxTokens) {
      pieces.push(current.join(' '));
      current = [];
      currentTokens = 0;
    }
    // A single "word" longer than a chunk (a base64 blob) is cut by characters.
    if (tokens > maxTokens) {
      const step = Math.max(1, Math.floor((word.length * maxTokens) / tokens));
      for (let start = 0; start < word.length; start += step) pieces.push(word.slice(start, start + step));
      continue;
    }
    current.push(word);
    currentTokens += tokens;
  }
  if (current.length > 0) pieces.push(current.join(' '));
  return pieces;
}

function unitsOfBlock(block: Block, index: number, options: ChunkOptions): Unit[] {
  const text = block.text.trim();
  if (!text) return [];
  const tokens = options.countTokens(text);
  if (tokens <= options.maxTokens)
    return [{ text, tokens, location: block.location, block: index, piece: false }];

  const units: Unit[] = [];
  const push = (piece: string, location: PassageLocation) => {
    const pieceTokens = options.countTokens(piece);
    if (pieceTokens <= options.maxTokens) {
      units.push({ text: piece, tokens: pieceTokens, location, block: index, piece: true });
      return;
    }
    for (const part of splitByWords(piece, options.maxTokens, options.countTokens))
      units.push({ text: part, tokens: options.countTokens(part), location, block: index, piece: true });
  };

  if (block.kind === 'table') {
    const [header, ...rows] = text.split('\n');
    rows.forEach((row, rowIndex) => {
      // Every piece of a table keeps its header row, so that a row is readable on its own.
      const location =
        block.location.row === undefined
          ? block.location
          : { ...block.location, row: block.location.row + rowIndex + 1 };
      push(header === undefined ? row : `${header}\n${row}`, location);
    });
  } else if (block.kind === 'list' || block.kind === 'code') {
    for (const line of text.split('\n')) if (line.trim()) push(line, block.location);
  } else {
    for (const sentence of sentences(text)) push(sentence, block.location);
  }
  return units;
}

/** Joins units: pieces of one block by a newline (or a space for sentences), blocks by a blank line. */
function joinUnits(units: Unit[], blocks: Block[]): string {
  let text = '';
  let previous: Unit | undefined;
  for (const unit of units) {
    if (previous === undefined) text = unit.text;
    else if (previous.block !== unit.block) text += `\n\n${unit.text}`;
    else text += blocks[unit.block]?.kind === 'paragraph' ? ` ${unit.text}` : `\n${unit.text}`;
    previous = unit;
  }
  return text;
}

/** Cuts a parsed document into chunks. */
export function chunkDocument(document: ParsedDocument, userOptions: Partial<ChunkOptions> = {}): Chunk[] {
  const options = { ...DEFAULT_CHUNK_OPTIONS, ...userOptions } satisfies ChunkOptions;
  const chunks: Chunk[] = [];
  const headings: Array<{ level: number; text: string }> = [];
  let current: Unit[] = [];
  let currentTokens = 0;
  /** Units at the start of `current` carried over as overlap: a chunk of nothing else is not emitted. */
  let carriedCount = 0;
  const blocks = document.blocks;

  const flush = (keepOverlap: boolean) => {
    if (current.length <= carriedCount) {
      current = [];
      currentTokens = 0;
      carriedCount = 0;
      return;
    }
    const text = joinUnits(current, blocks);
    chunks.push({
      ordinal: chunks.length,
      text,
      headingPath: headings.map((heading) => heading.text),
      // Where the chunk starts; a first block without a location (a title page) defers to the next.
      location:
        current.find((unit) => Object.keys(unit.location).length > 0)?.location ?? current[0]!.location,
      tokenCount: currentTokens,
    });
    let carried: Unit[] = [];
    if (keepOverlap) {
      // The overlap: the last pieces of a split block, up to the overlap budget.
      let budget = options.overlapTokens;
      for (let index = current.length - 1; index >= 0; index -= 1) {
        const unit = current[index]!;
        if (!unit.piece || unit.tokens > budget) break;
        carried = [unit, ...carried];
        budget -= unit.tokens;
      }
    }
    current = carried;
    carriedCount = carried.length;
    currentTokens = carried.reduce((sum, unit) => sum + unit.tokens, 0) + Math.max(0, carried.length - 1);
  };

  blocks.forEach((block, index) => {
    if (block.kind === 'heading') {
      flush(false);
      const level = block.level ?? 1;
      while (headings.length > 0 && headings[headings.length - 1]!.level >= level) headings.pop();
      const text = block.text.trim();
      if (text) headings.push({ level, text });
      return;
    }
    for (const unit of unitsOfBlock(block, index, options)) {
      // Blank-line separators cost about a token each; counting them keeps chunks within budget.
      const separator = current.length > 0 ? 1 : 0;
      if (current.length > 0 && currentTokens + separator + unit.tokens > options.maxTokens) {
        flush(unit.piece);
        // An overlap that would not leave room for the unit is dropped.
        if (currentTokens + unit.tokens + 1 > options.maxTokens) {
          current = [];
          currentTokens = 0;
          carriedCount = 0;
        }
      }
      currentTokens += (current.length > 0 ? 1 : 0) + unit.tokens;
      current.push(unit);
    }
  });
  flush(false);
  return chunks;
}
