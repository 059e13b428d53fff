// A Claude Code response line parsed without its message content: the content (the bulk of the line:
// text, thinking, tool calls) is never decoded nor parsed, the rest is JSON.parse'd as it is.
import type { Line } from './lines.ts';
import { parseLine } from './lines.ts';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CONTENT = Buffer.from('content');

/** Index just past the string opening at `i` (a quote), or -1 when it does not close before `to`. */
function skipString(d: Buffer, i: number, to: number): number {
  for (let j = i + 1; ;) {
    const q = d.indexOf(QUOTE, j);
    if (q < 0 || q >= to) return -1;
    let b = q - 1;
    while (d[b] === BACKSLASH) b--;
    if ((q - 1 - b) % 2 === 0) return q + 1; // an even run of backslashes: the quote is not escaped
    j = q + 1;
  }
}

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
function skipSpace(d: Buffer, i: number, to: number): number {
  while (i < to && isSpace(d[i]!)) i++;
  return i;
}

/** Index just past the JSON value starting at `i` (strings skipped whole, brackets balanced), or -1. */
function skipValue(d: Buffer, i: number, to: number): number {
  const c = d[i];
  if (c === QUOTE) return skipString(d, i, to);
  if (c === 0x5b || c === 0x7b) {
    let depth = 0;
    while (i < to) {
      const b = d[i]!;
      if (b === QUOTE) {
        i = skipString(d, i, to);
        if (i < 0) return -1;
        continue;
      }
      if (b === 0x5b || b === 0x7b) depth++;
      else if (b === 0x5d || b === 0x7d) {
        if (--depth === 0) return i + 1;
      }
      i++;
    }
    return -1;
  }
  const start = i;
  while (i < to) {
    const b = d[i]!;
    if (b === 0x2c || b === 0x7d || b === 0x5d || isSpace(b)) break;
    i++;
  }
  return i > start ? i : -1;
}

/**
 * Where the `content` value of the object opening at `open` lies, [start, end), walking its keys;
 * undefined when the object has none or is not what a JSON writer writes (then the caller parses all).
 */
export function contentRange(d: Buffer, open: number, to: number): [number, number] | undefined {
  if (d[open] !== 0x7b) return undefined;
  let i = skipSpace(d, open + 1, to);
  while (i < to && d[i] === QUOTE) {
    const keyStart = i;
    const keyEnd = skipString(d, i, to);
    if (keyEnd < 0) return undefined;
    i = skipSpace(d, keyEnd, to);
    if (d[i] !== 0x3a) return undefined;
    const start = skipSpace(d, i + 1, to);
    const end = skipValue(d, start, to);
    if (end < 0) return undefined;
    i = skipSpace(d, end, to);
    if (keyEnd - keyStart === CONTENT.length + 2 && d.compare(CONTENT, 0, CONTENT.length, keyStart + 1, keyEnd - 1) === 0) return [start, end];
    if (d[i] === 0x2c) i = skipSpace(d, i + 1, to);
    else return undefined;
  }
  return undefined;
}

/**
 * The line parsed as JSON.parse would, except that the value of `content` in the object opening at
 * `messageAt` is null. A line whose message cannot be walked is parsed whole (a truncated line: undefined).
 */
export function parseWithoutContent(line: Line, messageAt: number): any {
  const range = messageAt < 0 ? undefined : contentRange(line.data, messageAt, line.to);
  if (!range) return parseLine(line.text);
  const { data, from, to } = line;
  return parseLine(`${data.toString('utf8', from, range[0])}null${data.toString('utf8', range[1], to)}`) ?? parseLine(line.text);
}
