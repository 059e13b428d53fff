// Complete lines of a file from a byte offset, with their byte offsets (so a later run can resume).
import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { isMainThread } from 'node:worker_threads';

/**
 * A complete line of a file: its bytes in the chunk read, and its text made on first use (a line the
 * parser only looks at as bytes never becomes a string, so a batch holds no strings it does not need).
 * The bytes are valid until the next batch is asked for (readLines reuses its buffers): `text` or
 * `detach()` keep a line longer.
 */
export class Line {
  /** The buffer holding the line and the line's bytes [from, to) in it. */
  readonly data: Buffer;
  readonly from: number;
  readonly to: number;
  /** Byte offset of the line's first byte in the file. */
  readonly start: number;
  /** What the line filter said of it (1 without a filter). */
  readonly kind: number;
  private decoded: string | undefined;

  constructor(data: Buffer, from: number, to: number, start: number, kind: number) {
    this.data = data;
    this.from = from;
    this.to = to;
    this.start = start;
    this.kind = kind;
  }

  get text(): string {
    return (this.decoded ??= this.data.toString('utf8', this.from, this.to));
  }

  /** The line with bytes of its own (from 0), valid after the next batch. */
  detach(): Line {
    return new Line(Buffer.from(this.data.subarray(this.from, this.to)), 0, this.to - this.from, this.start, this.kind);
  }
}

const CHUNK = 4 * 1024 * 1024;

export interface LineBatch {
  /** Valid until the next batch is asked for (see Line). */
  lines: Line[];
  /** Byte offset just past the last complete line of the batch (kept or not). */
  end: number;
}

/**
 * Yields the complete (newline-terminated) lines from `offset` in batches; a trailing line
 * without a newline is left for the next run (the agent may still be writing it). `keep`
 * drops lines before they become strings; `onBytes` reports progress.
 *
 * A reader has two buffers, used in turn, and hands them to the next reader when done: each read lands
 * after the partial line the previous chunk ended with (copied from the other buffer). Allocating a
 * buffer per chunk made V8 count megabytes of external memory and run a full garbage collection
 * every few chunks. Lines are therefore valid until the next batch is asked for or the iteration ends.
 */
export async function* readLines(path: string, offset: number, onBytes?: (n: number) => void, keep?: LineFilter): AsyncGenerator<LineBatch> {
  // A scan worker (scan-pool.ts) has nothing else to do while it reads: it reads synchronously, without
  // a round trip through libuv's thread pool per chunk; the main thread keeps its event loop free.
  const file = isMainThread ? await asyncFile(path) : syncFile(path);
  const buffers = [spare.pop() ?? Buffer.allocUnsafe(CHUNK), spare.pop() ?? Buffer.allocUnsafe(CHUNK)];
  let turn = 0;
  let position = offset;
  try {
    let carry: Buffer = Buffer.alloc(0); // a view of the previous chunk's buffer
    let carryStart = offset;
    for (;; turn ^= 1) {
      let buffer = buffers[turn]!;
      // A line longer than half a chunk: a larger buffer, for this reader only.
      if (buffer.length - carry.length < CHUNK / 2) buffers[turn] = buffer = Buffer.allocUnsafe(carry.length + CHUNK);
      carry.copy(buffer, 0);
      const bytesRead = await file.read(buffer, carry.length, buffer.length - carry.length, position);
      if (bytesRead === 0) return;
      onBytes?.(bytesRead);
      position += bytesRead;
      const data = buffer.subarray(0, carry.length + bytesRead);
      const lines: Line[] = [];
      let from = 0;
      for (let nl = data.indexOf(10, from); nl !== -1; nl = data.indexOf(10, from)) {
        const kind = nl > from ? (keep ? keep(data, from, nl) : 1) : 0;
        if (kind) lines.push(new Line(data, from, nl, carryStart + from, kind));
        from = nl + 1;
      }
      carry = data.subarray(from);
      carryStart += from;
      yield { lines, end: carryStart };
    }
  } finally {
    if (spare.length < 4) spare.push(...buffers.filter((b) => b.length === CHUNK));
    await file.close();
  }
}

/** Buffers of finished readers, for the next file's reader (its lines are no longer in use). */
const spare: Buffer[] = [];

/** A file read a chunk at a time into the caller's buffer at `into`. */
interface ChunkFile { read(buffer: Buffer, into: number, length: number, at: number): Promise<number> | number; close(): Promise<void> | void }

async function asyncFile(path: string): Promise<ChunkFile> {
  const handle = await open(path, 'r');
  return { read: async (buffer, into, length, at) => (await handle.read(buffer, into, length, at)).bytesRead, close: () => handle.close() };
}

function syncFile(path: string): ChunkFile {
  const fd = openSync(path, 'r');
  return { read: (buffer, into, length, at) => readSync(fd, buffer, into, length, at), close: () => closeSync(fd) };
}

/** Decides from a line's bytes whether it is worth a string (most bytes of a transcript are not): 0 drops it, any other number is its kind. */
export type LineFilter = (data: Buffer, start: number, end: number) => number;

/**
 * Finds whether byte patterns occur in [start, end) of a buffer scanned front to back: each pattern's
 * next occurrence is searched once and reused until passed, so a chunk is scanned once per pattern.
 *
 * A search costs about one `memchr` restart per occurrence of the byte it searches for, so a pattern is
 * searched by its tail from its rarest byte (its anchor, at least two bytes long), and the bytes before
 * are checked at each hit: the first hit that checks is the pattern's first occurrence (every
 * occurrence has its anchor at the same distance, and anchors are found in order). The rarest byte
 * is counted on a sample of each buffer (transcripts differ: `"` is JSON's commonest byte, `u` common in
 * prose, `g` rarer in both; `"usage"` was searched from `u` at ~1.3 GB/s, from `g` at ~3.9 GB/s on the
 * bench's history).
 */
export class ByteScanner {
  private readonly patterns: Buffer[];
  /** Where each pattern's searched tail starts. */
  private readonly anchor: number[];
  private readonly tails: Buffer[];
  private data: Buffer | undefined;
  private next: number[] = [];

  constructor(patterns: string[]) {
    this.patterns = patterns.map((p) => Buffer.from(p));
    // Until a buffer is sampled: after an opening quote.
    this.anchor = patterns.map((p) => (p.length > 2 && p.charCodeAt(0) === QUOTE ? 1 : 0));
    this.tails = this.patterns.map((p, i) => p.subarray(this.anchor[i]));
  }

  /** Each pattern's anchor: its rarest byte in (a sample of) `data`, the earliest of equally rare ones. */
  private sample(data: Buffer) {
    const counts = new Uint32Array(256);
    const n = Math.min(data.length, SAMPLE);
    for (let i = 0; i < n; i++) counts[data[i]!]!++;
    for (const [i, p] of this.patterns.entries()) {
      let best = 0;
      for (let k = 1; k <= p.length - 2; k++) if (counts[p[k]!]! < counts[p[best]!]!) best = k;
      this.anchor[i] = best;
      this.tails[i] = p.subarray(best);
    }
  }

  /** The first occurrence of pattern i at or after `start` (before `end` when one is given), or -1. */
  private find(i: number, data: Buffer, start: number, end = data.length): number {
    const k = this.anchor[i]!;
    const p = this.patterns[i]!;
    const tail = this.tails[i]!;
    for (let at = data.indexOf(tail, start + k); at !== -1 && at - k < end; at = data.indexOf(tail, at + 1)) {
      let j = 0;
      while (j < k && data[at - k + j] === p[j]) j++;
      if (j === k) return at - k;
    }
    return -1;
  }

  /** Whether pattern i occurs in [start, end); calls must move forward through one buffer. */
  has(i: number, data: Buffer, start: number, end: number): boolean {
    if (data !== this.data) {
      this.data = data;
      this.next = this.patterns.map(() => -2);
      this.sample(data);
    }
    let at = this.next[i]!;
    if (at !== -1 && at < start) this.next[i] = at = this.find(i, data, start);
    return at !== -1 && at < end;
  }

  /** Where pattern i first occurs in [start, end), or -1; calls must move forward through one buffer. */
  position(i: number, data: Buffer, start: number, end: number): number {
    return this.has(i, data, start, end) ? this.next[i]! : -1;
  }

  /** Whether pattern i occurs in [start, end), searching that range only (for a pattern asked of few lines: no scan past them). */
  within(i: number, data: Buffer, start: number, end: number): boolean {
    return this.find(i, data.subarray(0, end), start) !== -1;
  }
}

/** Bytes of a buffer counted to choose the patterns' anchors (a chunk is 4 MB). */
const SAMPLE = 32 * 1024;
const QUOTE = 0x22;

/** Parses a JSON line; undefined when it is not JSON (a truncated or corrupt line is skipped, not fatal). */
export function parseLine(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A line parsed as JSON (undefined when it is not), with its text and byte offset. */
export interface JsonLine { o: any; text: string; start: number }

/**
 * The complete lines from `read.offset`, parsed; `read.offset` follows the batches, so it is
 * where the next run resumes once the lines are consumed.
 */
export async function* jsonLines(path: string, read: { offset: number }, onBytes?: (n: number) => void): AsyncGenerator<JsonLine> {
  for await (const batch of readLines(path, read.offset, onBytes)) {
    read.offset = batch.end;
    for (const { text, start } of batch.lines) yield { o: parseLine(text), text, start };
  }
}
