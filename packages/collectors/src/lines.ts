// Complete lines of a file from a byte offset, with their byte offsets (so a later run can resume).
import { open } from 'node:fs/promises';

export interface Line {
  text: string;
  /** Byte offset of the line's first byte. */
  start: number;
  /** Byte offset just past the line's newline (where a later read resumes). */
  end: number;
}

const CHUNK = 4 * 1024 * 1024;

/**
 * Yields the complete (newline-terminated) lines from `offset` in batches; a trailing line
 * without a newline is left for the next run (the agent may still be writing it).
 * `onBytes` reports progress.
 */
export async function* readLines(path: string, offset: number, onBytes?: (n: number) => void): AsyncGenerator<Line[]> {
  const handle = await open(path, 'r');
  try {
    let position = offset;
    let carry: Buffer = Buffer.alloc(0);
    let carryStart = offset;
    for (;;) {
      const buf = Buffer.allocUnsafe(CHUNK);
      const { bytesRead } = await handle.read(buf, 0, CHUNK, position);
      if (bytesRead === 0) return;
      onBytes?.(bytesRead);
      position += bytesRead;
      const data = carry.length ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
      const lines: Line[] = [];
      let from = 0;
      for (let nl = data.indexOf(10, from); nl !== -1; nl = data.indexOf(10, from)) {
        if (nl > from) lines.push({ text: data.toString('utf8', from, nl), start: carryStart + from, end: carryStart + nl + 1 });
        from = nl + 1;
      }
      carry = Buffer.from(data.subarray(from));
      carryStart += from;
      if (lines.length) yield lines;
    }
  } finally {
    await handle.close();
  }
}

/** Parses a JSON line; undefined when it is not JSON (a truncated or corrupt line is skipped, not fatal). */
export function parseLine(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
