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

// ---- The fields the Claude parser reads, off the bytes --------------------------------------------
// JSON.parse of a response line (even without its content) makes every string of the line and the
// garbage of them; the parser reads a dozen fields. ResponseReader walks the line once, checking it is
// JSON as JSON.parse does (strings, escapes, numbers, literals, nesting, nothing after the value), and
// makes only the fields read: strings without escapes are decoded from their bytes (the ones that repeat
// from line to line, such as the session, are decoded once while they repeat), numbers are read
// digit by digit. The message's content is skipped as parseWithoutContent skips it (its strings by
// their quotes, brackets balanced). Anything it does not expect (an escaped key, an object where a
// string is read, ...) gives undefined, and the caller parses the line as before.

const [COLON, COMMA, OPEN_OBJECT, CLOSE_OBJECT, OPEN_ARRAY, CLOSE_ARRAY] = [0x3a, 0x2c, 0x7b, 0x7d, 0x5b, 0x5d];
const FAIL = -1;
/** How a field's value is read: a string (decoded; `slot`: remembered while it repeats), the content (skipped), or an object's fields. */
interface Field { name: string; bytes: Buffer; slot: number; content: boolean; fields: Field[] | undefined }
const field = (name: string, o: { slot?: number; content?: boolean; fields?: Field[] } = {}): Field =>
  ({ name, bytes: Buffer.from(name), slot: o.slot ?? -1, content: o.content ?? false, fields: o.fields });

const SPLIT = [field('ephemeral_5m_input_tokens'), field('ephemeral_1h_input_tokens')];
const USAGE_FIELDS = ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'].map((n) => field(n))
  .concat(field('cache_creation', { fields: SPLIT }));
const MESSAGE = [field('id'), field('model', { slot: 0 }), field('usage', { fields: USAGE_FIELDS }), field('content', { content: true })];
const TOP = [
  field('type', { slot: 1 }), field('isApiErrorMessage'), field('sessionId', { slot: 2 }), field('requestId'), field('uuid'), field('timestamp'),
  field('gitBranch', { slot: 3 }), field('cwd', { slot: 4 }), field('isSidechain'), field('agentId', { slot: 5 }), field('message', { fields: MESSAGE }),
];
const SLOTS = 6;
const MAX_DEPTH = 64;

const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;
const isHex = (c: number | undefined) => c !== undefined && ((c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66));

export class ResponseReader {
  private d: Buffer = Buffer.alloc(0);
  private to = 0;
  /** The last value read: set by string() and scalar(). */
  private value: unknown;
  private escaped = false;
  private readonly slotBytes: Array<Uint8Array | undefined> = new Array(SLOTS).fill(undefined);
  private readonly slotText: string[] = new Array(SLOTS).fill('');

  /** The line's fields the parser reads (an object shaped as JSON.parse's), or undefined: then parse the line. */
  read(line: Line): any {
    this.d = line.data;
    this.to = line.to;
    const top: Record<string, unknown> = {};
    let i = skipSpace(this.d, line.from, this.to);
    if (this.d[i] !== OPEN_OBJECT) return undefined;
    i = this.object(i, TOP, top, 0);
    if (i === FAIL || skipSpace(this.d, i, this.to) !== this.to) return undefined;
    return top;
  }

  /** Past the object opening at `i`, its wanted fields set on `out` (the last of a repeated key wins, as in JSON.parse). */
  private object(i: number, fields: Field[], out: Record<string, unknown>, depth: number): number {
    const d = this.d;
    const to = this.to;
    i = skipSpace(d, i + 1, to);
    if (d[i] === CLOSE_OBJECT) return i + 1;
    for (;;) {
      if (d[i] !== QUOTE) return FAIL;
      let j = i + 1;
      for (; j < to; j++) {
        const c = d[j]!;
        if (c === QUOTE) break;
        if (c === BACKSLASH || c < 0x20) return FAIL; // an escaped key may spell a field's name: JSON.parse decides
      }
      if (j >= to) return FAIL;
      const f = match(fields, d, i + 1, j);
      i = skipSpace(d, j + 1, to);
      if (d[i] !== COLON) return FAIL;
      i = skipSpace(d, i + 1, to);
      i = f ? this.wanted(f, i, out, depth) : this.skip(i, depth);
      if (i === FAIL) return FAIL;
      i = skipSpace(d, i, to);
      if (d[i] === COMMA) i = skipSpace(d, i + 1, to);
      else return d[i] === CLOSE_OBJECT ? i + 1 : FAIL;
    }
  }

  private wanted(f: Field, i: number, out: Record<string, unknown>, depth: number): number {
    const c = this.d[i];
    if (f.content) return this.skipContent(i); // not read
    if (c === OPEN_OBJECT && f.fields) {
      const o: Record<string, unknown> = {};
      out[f.name] = o;
      return depth >= MAX_DEPTH ? FAIL : this.object(i, f.fields, o, depth + 1);
    }
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) return FAIL; // a structure where a value is read: JSON.parse's object it is
    const end = c === QUOTE ? this.string(i, f.slot) : this.scalar(i);
    if (end !== FAIL) out[f.name] = this.value;
    return end;
  }

  /** Past the string opening at `i` (checked as JSON.parse checks it), its text in `value` (when `slot` >= -1). */
  private string(i: number, slot = -2): number {
    const d = this.d;
    const to = this.to;
    let escaped = false;
    let j = i + 1;
    for (; j < to; j++) {
      const c = d[j]!;
      if (c === QUOTE) break;
      if (c < 0x20) return FAIL;
      if (c === BACKSLASH) {
        const e = d[++j];
        if (e === 0x75) {
          if (!(isHex(d[j + 1]) && isHex(d[j + 2]) && isHex(d[j + 3]) && isHex(d[j + 4]))) return FAIL;
          j += 4;
        } else if (!(e === QUOTE || e === BACKSLASH || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74)) return FAIL;
        escaped = true;
      }
    }
    if (j >= to) return FAIL;
    if (slot >= -1) this.value = escaped ? JSON.parse(d.toString('utf8', i, j + 1)) : slot >= 0 ? this.remembered(slot, i + 1, j) : d.toString('utf8', i + 1, j);
    return j + 1;
  }

  /** The text of bytes [s, e), the same string as the slot's last one when the bytes are the same. */
  private remembered(slot: number, s: number, e: number): string {
    const d = this.d;
    const last = this.slotBytes[slot];
    if (last && last.length === e - s) {
      let k = 0;
      while (k < last.length && last[k] === d[s + k]) k++;
      if (k === last.length) return this.slotText[slot]!;
    }
    this.slotBytes[slot] = new Uint8Array(d.subarray(s, e)); // a copy: the buffer is reused
    return (this.slotText[slot] = d.toString('utf8', s, e));
  }

  /** Past the number or literal at `i`, its value in `value`. */
  private scalar(i: number): number {
    const d = this.d;
    const c = d[i];
    if (c === 0x74) return this.literal(i, 'true', true);
    if (c === 0x66) return this.literal(i, 'false', false);
    if (c === 0x6e) return this.literal(i, 'null', null);
    let j = i;
    if (d[j] === 0x2d) j++;
    if (d[j] === 0x30) j++;
    else if (isDigit(d[j])) while (isDigit(d[j])) j++;
    else return FAIL;
    const digits = j;
    if (d[j] === 0x2e) {
      if (!isDigit(d[++j])) return FAIL;
      while (isDigit(d[j])) j++;
    }
    if (d[j] === 0x65 || d[j] === 0x45) {
      j++;
      if (d[j] === 0x2b || d[j] === 0x2d) j++;
      if (!isDigit(d[j])) return FAIL;
      while (isDigit(d[j])) j++;
    }
    if (j > this.to) return FAIL;
    if (j === digits && j - i <= 15) { // an integer, exact in a double: read digit by digit
      let v = 0;
      for (let k = c === 0x2d ? i + 1 : i; k < j; k++) v = v * 10 + d[k]! - 0x30;
      this.value = c === 0x2d ? -v : v;
    } else this.value = Number(d.toString('latin1', i, j));
    return j;
  }

  private literal(i: number, word: string, value: boolean | null): number {
    if (i + word.length > this.to) return FAIL;
    for (let k = 0; k < word.length; k++) if (this.d[i + k] !== word.charCodeAt(k)) return FAIL;
    this.value = value;
    return i + word.length;
  }

  /**
   * Past the content value at `i`: checked as JSON.parse checks it but for the bytes inside its strings
   * (found by their quotes, as parseWithoutContent finds them: the bulk of the line, searched natively).
   */
  private skipContent(i: number): number {
    const d = this.d;
    const to = this.to;
    const c = d[i];
    if (c === QUOTE) return skipString(d, i, to);
    if (c !== OPEN_OBJECT && c !== OPEN_ARRAY) return this.scalar(i);
    const open: number[] = []; // the closing bracket each open structure expects
    let key = false; // whether a key comes next (in an object, after `{` or `,`)
    for (;;) {
      // At the start of a value (or of a key, or of the close of an empty structure).
      let b = d[i];
      if (b === OPEN_OBJECT || b === OPEN_ARRAY) {
        if (open.length >= MAX_DEPTH) return FAIL;
        open.push(b === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY);
        i = skipSpace(d, i + 1, to);
        if (d[i] === open.at(-1)) {
          open.pop();
          i++;
        } else {
          key = b === OPEN_OBJECT;
          continue;
        }
      } else if (key) {
        if (b !== QUOTE) return FAIL;
        i = skipSpace(d, skipString(d, i, to), to);
        if (i === FAIL || d[i] !== COLON) return FAIL;
        i = skipSpace(d, i + 1, to);
        key = false;
        continue;
      } else {
        i = b === QUOTE ? skipString(d, i, to) : this.scalar(i);
        if (i === FAIL) return FAIL;
      }
      // After a value: a comma, or closes.
      for (;;) {
        if (!open.length) return i;
        i = skipSpace(d, i, to);
        b = d[i];
        if (b === COMMA) {
          i = skipSpace(d, i + 1, to);
          key = open.at(-1) === CLOSE_OBJECT;
          break;
        }
        if (b !== open.pop()) return FAIL;
        i++;
      }
    }
  }

  /** Past the value at `i`, checked as JSON.parse checks it, nothing made of it. */
  private skip(i: number, depth: number): number {
    const d = this.d;
    const to = this.to;
    const c = d[i];
    if (c === QUOTE) return this.string(i);
    if (c !== OPEN_OBJECT && c !== OPEN_ARRAY) return this.scalar(i);
    if (depth >= MAX_DEPTH) return FAIL;
    const close = c === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY;
    i = skipSpace(d, i + 1, to);
    if (d[i] === close) return i + 1;
    for (;;) {
      if (close === CLOSE_OBJECT) {
        if (d[i] !== QUOTE) return FAIL;
        i = skipSpace(d, this.string(i), to);
        if (i === FAIL || d[i] !== COLON) return FAIL; // skipSpace keeps FAIL (its loop does not run)
        i = skipSpace(d, i + 1, to);
      }
      i = this.skip(i, depth + 1);
      if (i === FAIL) return FAIL;
      i = skipSpace(d, i, to);
      if (d[i] === COMMA) i = skipSpace(d, i + 1, to);
      else return d[i] === close ? i + 1 : FAIL;
    }
  }
}

/** The field named by the key bytes [s, e), or undefined. */
function match(fields: Field[], d: Buffer, s: number, e: number): Field | undefined {
  const n = e - s;
  for (const f of fields) {
    const b = f.bytes;
    if (b.length !== n || b[0] !== d[s]) continue;
    let k = 1;
    while (k < n && b[k] === d[s + k]) k++;
    if (k === n) return f;
  }
  return undefined;
}
