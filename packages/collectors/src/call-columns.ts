// A file's calls as columns, for the trip from a scan worker to the main thread (scan-pool.ts).
//
// Posting the calls as objects made V8 serialize and rebuild each one field by field (structured
// clone), and each of their strings, though most repeat (the model, session, cwd, branch of every
// call of a file): ~1 s of CPU over the bench's 207k calls, spread over the workers and the main
// thread. Here the numbers travel in a Float64Array, the repeated strings as indexes into a per-file
// table (each string once), the strings that differ per call (key, time) in one string, and the
// arrays' buffers are transferred, not copied. The main thread builds each call with one literal.
//
// Exact by construction: a call is encoded only when its own keys are, in order, a subsequence of
// CALL_KEYS holding every key a Call requires, its usage has exactly the USAGE_KEYS, and every value
// has the type the columns hold; any other call travels whole, in its place (`whole`).
import type { Call } from './call.ts';

/** A call as a worker posts it: its work items are the index of the session question that gives them (recorded-parse.ts). */
export type RecordedCall = Omit<Call, 'workItems'> & { workItems: number };

/** A Call's keys in the order the parsers write them. */
const CALL_KEYS = ['key', 'tool', 'provider', 'model', 'occurredAt', 'usage', 'effort', 'sessionId', 'cwd', 'branch', 'subagent', 'agentId', 'workItems', 'offset', 'origin'] as const;
/** Keys a call may lack (each a bit of the call's mask); `aliases` (a list) sends the call whole. */
const OPTIONAL = ['effort', 'sessionId', 'cwd', 'branch', 'agentId', 'origin'] as const;
/** Per key of CALL_KEYS, its bit in the mask (-1: required). */
const BIT = CALL_KEYS.map((k) => (OPTIONAL as readonly string[]).indexOf(k));
const [EFFORT, SESSION, CWD, BRANCH, AGENT, ORIGIN] = [1, 2, 4, 8, 16, 32];
/** The keys Claude Code's calls have (every optional one but `origin`): built with one literal. */
const CLAUDE_MASK = EFFORT | SESSION | CWD | BRANCH | AGENT;
/** Not a mask: the call travels whole. */
const WHOLE = -1;
const USAGE_KEYS = ['input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_5m_tokens', 'cache_write_1h_tokens', 'reasoning_tokens', 'convention'] as const;

/** Per call in `numbers`: the six counts, offset, work items (the question's index). */
const NUMS = 8;
/**
 * Per call in `refs`: mask, then table indexes (-1: undefined) of tool, provider, model, convention,
 * effort, sessionId, cwd, branch, agentId, origin; subagent (0/1); the lengths of key and time in `text`.
 */
const REFS = 14;
const [R_MASK, R_TOOL, R_PROVIDER, R_MODEL, R_CONVENTION, R_EFFORT, R_SESSION, R_CWD, R_BRANCH, R_AGENT, R_ORIGIN, R_SUBAGENT, R_KEY_LEN, R_TIME_LEN] =
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
/** Kept well under V8's longest string: past it, calls travel whole. */
const MAX_TEXT = 1 << 28;

export interface CallColumns {
  count: number;
  numbers: Float64Array;
  refs: Int32Array;
  /** Each encoded call's key then its time, end to end. */
  text: string;
  /** The repeated strings, each once. */
  strings: string[];
  /** The calls that could not be encoded, in order (their mask is WHOLE). */
  whole: RecordedCall[];
}

/** The ArrayBuffers to transfer with a posted CallColumns. */
export function transferList(c: CallColumns): ArrayBuffer[] {
  return [c.numbers.buffer as ArrayBuffer, c.refs.buffer as ArrayBuffer];
}

const optString = (v: unknown) => v === undefined || typeof v === 'string';
const isNumber = (v: unknown) => typeof v === 'number';

/** The call's mask of optional keys, or WHOLE when the columns cannot hold it exactly. */
function maskOf(c: RecordedCall): number {
  const keys = Object.keys(c);
  let mask = 0;
  let at = 0; // position in CALL_KEYS
  for (const k of keys) {
    while (at < CALL_KEYS.length && CALL_KEYS[at] !== k) {
      if (BIT[at]! < 0) return WHOLE; // a required key missing (or the keys out of order)
      at++;
    }
    if (at === CALL_KEYS.length) return WHOLE; // a key not in CALL_KEYS (aliases included), or out of order
    if (BIT[at]! >= 0) mask |= 1 << BIT[at]!;
    at++;
  }
  for (; at < CALL_KEYS.length; at++) if (BIT[at]! < 0) return WHOLE;
  if (typeof c.key !== 'string' || typeof c.tool !== 'string' || typeof c.provider !== 'string' || typeof c.model !== 'string' ||
    typeof c.occurredAt !== 'string' || typeof c.subagent !== 'boolean' || !isNumber(c.workItems) || !isNumber(c.offset) ||
    !optString(c.effort) || !optString(c.sessionId) || !optString(c.cwd) || !optString(c.branch) || !optString(c.agentId) || !optString(c.origin)) return WHOLE;
  const u = c.usage as unknown;
  if (typeof u !== 'object' || u === null || Array.isArray(u) || Object.getPrototypeOf(u) !== Object.prototype) return WHOLE;
  const ukeys = Object.keys(u);
  if (ukeys.length !== USAGE_KEYS.length) return WHOLE;
  for (let i = 0; i < USAGE_KEYS.length; i++) if (ukeys[i] !== USAGE_KEYS[i]) return WHOLE;
  const r = c.usage;
  if (!isNumber(r.input_tokens) || !isNumber(r.output_tokens) || !isNumber(r.cache_read_tokens) || !isNumber(r.cache_write_5m_tokens) ||
    !isNumber(r.cache_write_1h_tokens) || !isNumber(r.reasoning_tokens) || !optString(r.convention)) return WHOLE;
  return Object.getPrototypeOf(c) === Object.prototype ? mask : WHOLE;
}

export function encodeCalls(calls: RecordedCall[]): CallColumns {
  const n = calls.length;
  const numbers = new Float64Array(n * NUMS);
  const refs = new Int32Array(n * REFS);
  const strings: string[] = [];
  const index = new Map<string, number>();
  const ref = (s: string | undefined) => {
    if (s === undefined) return -1;
    let i = index.get(s);
    if (i === undefined) index.set(s, (i = strings.push(s) - 1));
    return i;
  };
  const text: string[] = [];
  let textLength = 0;
  const whole: RecordedCall[] = [];
  for (let i = 0; i < n; i++) {
    const c = calls[i]!;
    const r = i * REFS;
    const mask = maskOf(c);
    if (mask === WHOLE || textLength + c.key.length + c.occurredAt.length > MAX_TEXT) {
      refs[r + R_MASK] = WHOLE;
      whole.push(c);
      continue;
    }
    const u = c.usage;
    const x = i * NUMS;
    numbers[x] = u.input_tokens;
    numbers[x + 1] = u.output_tokens;
    numbers[x + 2] = u.cache_read_tokens;
    numbers[x + 3] = u.cache_write_5m_tokens;
    numbers[x + 4] = u.cache_write_1h_tokens;
    numbers[x + 5] = u.reasoning_tokens;
    numbers[x + 6] = c.offset;
    numbers[x + 7] = c.workItems;
    refs[r + R_MASK] = mask;
    refs[r + R_TOOL] = ref(c.tool);
    refs[r + R_PROVIDER] = ref(c.provider);
    refs[r + R_MODEL] = ref(c.model);
    refs[r + R_CONVENTION] = ref(u.convention);
    refs[r + R_EFFORT] = ref(c.effort);
    refs[r + R_SESSION] = ref(c.sessionId);
    refs[r + R_CWD] = ref(c.cwd);
    refs[r + R_BRANCH] = ref(c.branch);
    refs[r + R_AGENT] = ref(c.agentId);
    refs[r + R_ORIGIN] = ref(c.origin);
    refs[r + R_SUBAGENT] = c.subagent ? 1 : 0;
    refs[r + R_KEY_LEN] = c.key.length;
    refs[r + R_TIME_LEN] = c.occurredAt.length;
    text.push(c.key, c.occurredAt);
    textLength += c.key.length + c.occurredAt.length;
  }
  return { count: n, numbers, refs, text: text.join(''), strings, whole };
}

/** The calls again, each with `workItems(index)` as its work items (decoded in order, so `workItems` may replay the session log as it goes). */
export function decodeCalls<W>(c: CallColumns, workItems: (at: number) => W): Array<Omit<Call, 'workItems'> & { workItems: W }> {
  const { numbers, refs, text, strings } = c;
  const s = (i: number) => (i < 0 ? undefined : strings[i]);
  const out: Array<Omit<Call, 'workItems'> & { workItems: W }> = new Array(c.count);
  let whole = 0;
  let pos = 0;
  for (let i = 0; i < c.count; i++) {
    const r = i * REFS;
    const mask = refs[r + R_MASK]!;
    if (mask === WHOLE) {
      const call = c.whole[whole++]! as unknown as Omit<Call, 'workItems'> & { workItems: W };
      call.workItems = workItems(call.workItems as unknown as number);
      out[i] = call;
      continue;
    }
    const x = i * NUMS;
    const key = text.slice(pos, (pos += refs[r + R_KEY_LEN]!));
    const occurredAt = text.slice(pos, (pos += refs[r + R_TIME_LEN]!));
    const usage = {
      input_tokens: numbers[x]!,
      output_tokens: numbers[x + 1]!,
      cache_read_tokens: numbers[x + 2]!,
      cache_write_5m_tokens: numbers[x + 3]!,
      cache_write_1h_tokens: numbers[x + 4]!,
      reasoning_tokens: numbers[x + 5]!,
      convention: s(refs[r + R_CONVENTION]!) as Call['usage']['convention'],
    };
    if (mask === CLAUDE_MASK) {
      out[i] = {
        key, tool: strings[refs[r + R_TOOL]!] as Call['tool'], provider: strings[refs[r + R_PROVIDER]!]!, model: strings[refs[r + R_MODEL]!]!, occurredAt, usage,
        effort: s(refs[r + R_EFFORT]!), sessionId: s(refs[r + R_SESSION]!), cwd: s(refs[r + R_CWD]!), branch: s(refs[r + R_BRANCH]!),
        subagent: refs[r + R_SUBAGENT] === 1, agentId: s(refs[r + R_AGENT]!), workItems: workItems(numbers[x + 7]!), offset: numbers[x + 6]!,
      };
      continue;
    }
    // Another agent's layout: the keys it had, in the same order.
    const call: any = { key, tool: strings[refs[r + R_TOOL]!], provider: strings[refs[r + R_PROVIDER]!], model: strings[refs[r + R_MODEL]!], occurredAt, usage };
    if (mask & EFFORT) call.effort = s(refs[r + R_EFFORT]!);
    if (mask & SESSION) call.sessionId = s(refs[r + R_SESSION]!);
    if (mask & CWD) call.cwd = s(refs[r + R_CWD]!);
    if (mask & BRANCH) call.branch = s(refs[r + R_BRANCH]!);
    call.subagent = refs[r + R_SUBAGENT] === 1;
    if (mask & AGENT) call.agentId = s(refs[r + R_AGENT]!);
    call.workItems = workItems(numbers[x + 7]!);
    call.offset = numbers[x + 6]!;
    if (mask & ORIGIN) call.origin = s(refs[r + R_ORIGIN]!);
    out[i] = call;
  }
  return out;
}
