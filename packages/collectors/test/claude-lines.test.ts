// The Claude Code parser's shortcuts give what parsing every line with JSON.parse gives: the byte
// filter drops no line that could be a call, a response line read without its message content has the
// same fields, and lines read in reused buffers (lines.ts) are the file's lines even across chunks.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseClaude, relevantLines } from '../src/claude.ts';
import { ByteScanner, Line, readLines } from '../src/lines.ts';
import { count } from '../src/call.ts';
import { str } from '../src/parse-context.ts';
import { ResponseReader, contentRange, parseWithoutContent } from '../src/response-line.ts';
import { WorkItemMatcher } from '../src/work-items.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/claude/projects/-srv-repo', import.meta.url));

const base = { parentUuid: null, isSidechain: false, cwd: '/srv/repo', sessionId: 's', gitBranch: 'main', timestamp: '2026-11-20T10:00:00.000Z' };
const usage = { input_tokens: 3, output_tokens: 7, cache_creation_input_tokens: 5, cache_read_input_tokens: 11, cache_creation: { ephemeral_5m_input_tokens: 2, ephemeral_1h_input_tokens: 3 } };
const tricky = 'quotes \\" \\\\" \\\\\\" "usage" ] } [ { "content": "x" } \u00e9\u4e2d\ud83d\ude00 \n\t';
/** Lines written to catch the shortcuts out: escapes before quotes, brackets in strings, nested and odd content, spacing, duplicates. */
const EDGE: string[] = [
  JSON.stringify({ ...base, type: 'assistant', message: { id: 'm1', model: 'claude-sonnet-4-5', content: [{ type: 'text', text: tricky }], usage } }),
  JSON.stringify({ ...base, type: 'assistant', message: { id: 'm2', model: 'claude-sonnet-4-5', content: tricky, usage } }),
  JSON.stringify({ ...base, type: 'assistant', message: { id: 'm3', model: 'claude-sonnet-4-5', usage } }),
  JSON.stringify({ ...base, type: 'assistant', message: { model: 'claude-sonnet-4-5', id: 'm4', content: [], usage } }),
  JSON.stringify({ ...base, type: 'assistant', message: { id: 'm5', model: 'x', content: [{ type: 'tool_use', input: { content: [1, { usage: 2 }], message: { id: 'n', content: 'y' } } }], usage: { ...usage, content: 'z' } } }),
  JSON.stringify({ ...base, type: 'assistant', message: { id: 'm6', model: 'x', content: [[[[]]], {}, 1.5e3, -0, true, null, ''], usage } }),
  `{ "type" : "assistant" , "sessionId" : "s" , "message" : { "id" : "m7" , "model" : "a" , "content" : [ { "text" : "a\\"b" } , 1 ] , "usage" : { "input_tokens" : 4 } , "model" : "b" } }`,
  `{"type":"assistant","message":{"id":"m8","model":"a","content":[{"text":"x"}],"usage":{"output_tokens":1}},"message":{"id":"m9","model":"c","content":"y","usage":{"output_tokens":2}}}`,
  `{"type":"assistant","isApiErrorMessage":true,"message":{"id":"m10","model":"a","content":[],"usage":{"input_tokens":1}}}`,
  JSON.stringify({ ...base, type: 'user', message: { role: 'user', content: [{ type: 'tool_result', content: '"usage" {"id":"x"}' }] }, toolUseResult: { message: { id: 'q', content: 'r' } } }),
  JSON.stringify({ ...base, type: 'user', message: { role: 'user', content: 'Fix WRK-1 "usage"' } }),
  JSON.stringify({ type: 'summary', summary: 'usage of the "message" API', leafUuid: 'l' }),
  JSON.stringify({ type: 'system', content: 'usage', message: { id: 'sys', content: [] } }),
];
/** Every prefix of a response line is a truncated line (what an agent still writing leaves). */
const TRUNCATED = Array.from({ length: EDGE[0]!.length - 1 }, (_, n) => EDGE[0]!.slice(0, n + 1));

async function fixtureLines(): Promise<string[]> {
  const files = await Promise.all(['sess-a.jsonl', 'sess-b.jsonl'].map((f) => readFile(join(FIXTURES, f), 'utf8')));
  return files.flatMap((t) => t.split('\n')).filter((l) => l !== '');
}

const parse = (text: string): any => { try { return JSON.parse(text); } catch { return undefined; } };
/** What the parser reads of a line (claude.ts `assistant`): everything but the message's content. */
const fields = (o: any) => o === undefined ? undefined : {
  type: o?.type, isApiErrorMessage: o?.isApiErrorMessage, sessionId: o?.sessionId, requestId: o?.requestId, uuid: o?.uuid, timestamp: o?.timestamp,
  gitBranch: o?.gitBranch, cwd: o?.cwd, isSidechain: o?.isSidechain, agentId: o?.agentId,
  message: o?.message && { id: o.message.id, model: o.message.model, usage: o.message.usage },
};
/** What claude.ts `assistant` makes of a line's fields (its tests, its strings, its counts). */
const view = (o: any) => {
  if (o === undefined) return undefined;
  const msg = o.message;
  const u = msg?.usage;
  return {
    assistant: o.type === 'assistant', usage: Boolean(u), model: msg?.model === '<synthetic>' ? '<synthetic>' : str(msg?.model), error: Boolean(o.isApiErrorMessage),
    session: str(o.sessionId), key: str(msg?.id) ?? str(o.requestId) ?? (o.uuid === undefined ? undefined : `${o.uuid}`), timestamp: o.timestamp,
    tokens: [u?.input_tokens, u?.output_tokens, u?.cache_read_input_tokens, u?.cache_creation_input_tokens].map(count),
    split: Boolean(u?.cache_creation), writes: [count(u?.cache_creation?.ephemeral_5m_input_tokens), count(u?.cache_creation?.ephemeral_1h_input_tokens)],
    branch: str(o.gitBranch), cwd: str(o.cwd), sidechain: o.isSidechain === true, agentId: str(o.agentId),
  };
};
/** Lines as bench:capture writes them (bench/support/claude-history.ts), and with odd values where the fields are. */
const READER_LINES: string[] = [
  JSON.stringify({ ...base, userType: 'external', version: '2.0.31', type: 'assistant', uuid: 'b-1', parentUuid: 'a-1', requestId: 'req_1', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-opus-4-1', content: [{ type: 'text', text: tricky }], stop_reason: null, usage: { ...usage, service_tier: 'standard', server_tool_use: { web_search_requests: 0 } } } }),
  JSON.stringify({ ...base, type: 'assistant', sessionId: 'se\u0073s\né', cwd: '', gitBranch: 7, agentId: 'ag', isSidechain: 'true', message: { id: '', model: '<synthetic>', usage: { input_tokens: -4, output_tokens: 1.5e3, cache_read_input_tokens: 12345678901234567890, cache_creation_input_tokens: '9', cache_creation: null } } }),
  JSON.stringify({ type: 'assistant', uuid: 12, timestamp: null, isApiErrorMessage: 0, message: { model: 'm', usage: 5 } }),
  JSON.stringify({ type: 'assistant', requestId: 'r', message: { id: 1, model: 'm', usage: { input_tokens: 1e400, output_tokens: -0, cache_creation: { ephemeral_5m_input_tokens: 0.5, ephemeral_1h_input_tokens: 2e1 } } } }),
  `{"type":"assistant","message":{"id":"m","model":"a","usage":{"input_tokens":1}},"message":"gone"}`,
  `{"type":"assistant","message":{"id":"m","model":"a","usage":{"input_tokens":1},"usage":{"output_tokens":2}}}`,
  `{"type":"assistant","message":{"id":"m","model":"a","usage":{"input_tokens":1}},"extra":[1,{"a":[true,false,null,-1.5E-3,"\\u00e9\\/"]}],"more":{}}`,
  `	{"type" :"assistant"
,"message": {"id":"m" ,"model":"a", "usage":{ "input_tokens" : 01 }}}`,
  `{"type":"assistant","message":{"id":"m","model":"a","usage":{"input_tokens":1}}} x`,
  `{"type":"assistant","message":{"id":"m","model":"a","usage":{"input_tokens":1}},"bad":"\\x"}`,
  `{"type":"assistant","message":{"id":"m","model":"a","usage":{"input_tokens":1}},"bad":"ab"}`,
  `{"type":"assistant","message":{"id":"m","model":"a","usage":{"input_tokens":1}},"bad":tru}`,
  `{"type":"assistant","message":{"id":"m","model":"a","usage":{"input_tokens":1}},"n":1.}`,
  `{"type":"assistant","message":{"id":"m","model":"a","usage":{"input_tokens":1}},"n":-}`,
  `{"type":"assistant","message":{"id":"m","model":"a","usage":{"input_tokens":1}},"\\u0074ype":"user"}`,
  `{"type":"assistant","message":{"id":"m","model":"a","usage":{"input_tokens":1,}}}`,
  `{"type":"assistant","message":{"id":"m","model":"a","usage":{"input_tokens":1}},}`,
  `{"type":"assistant","message":{"id":"m","model":"a","usage":{"input_tokens":1}}`,
  `["type","assistant"]`,
];
const lineOf = (text: string) => { const data = Buffer.from(text); return new Line(data, 0, data.length, 0, 1); };

describe('Claude Code lines', () => {
  it('the byte filter drops no line JSON.parse would make a call of (fixtures, edge cases, truncations)', async () => {
    const lines = [...await fixtureLines(), ...EDGE, ...TRUNCATED];
    let dropped = 0;
    for (const text of lines) {
      const data = Buffer.from(text);
      if (relevantLines()(data, 0, data.length) !== 0) continue;
      dropped++;
      const o = parse(text);
      expect(o?.type === 'assistant' && Boolean(o.message?.usage), text).toBe(false);
    }
    expect(dropped).toBeGreaterThan(3);
  });

  it('reads a line without its message content as JSON.parse reads the rest, at every "message": of every line', async () => {
    let walked = 0;
    for (const text of [...await fixtureLines(), ...EDGE, ...TRUNCATED]) {
      const line = lineOf(text);
      for (let at = line.data.indexOf('"message":'); at !== -1; at = line.data.indexOf('"message":', at + 1)) {
        const open = at + '"message":'.length;
        expect(fields(parseWithoutContent(line, open)), text).toEqual(fields(parse(text)));
        walked++;
      }
      expect(fields(parseWithoutContent(line, -1))).toEqual(fields(parse(text)));
    }
    expect(walked).toBeGreaterThan(20);
  });

  it('reads the fields off the bytes as JSON.parse reads them, or leaves the line to JSON.parse (edge lines, every truncation, random edits)', async () => {
    const reader = new ResponseReader();
    const lines = [...await fixtureLines(), ...EDGE, ...READER_LINES, ...TRUNCATED, ...READER_LINES[0]!.split('').map((_, n) => READER_LINES[0]!.slice(0, n))];
    let read = 0;
    for (const text of lines) {
      const got = reader.read(lineOf(text));
      if (got === undefined) continue;
      read++;
      expect(view(got), text).toEqual(view(parse(text)));
    }
    expect(read).toBeGreaterThan(30);
    // Random edits: one byte removed, replaced or added, anywhere. The reader reads what JSON.parse reads, but
    // for the bytes inside the content's strings (not checked: a control character or a bad escape there).
    let seed = 5;
    const rand = (n: number) => ((seed = (seed * 48271) % 2147483647) % n);
    const bytes = ['"', '\\', '{', '}', '[', ']', ',', ':', ' ', '0', '9', '-', '+', '.', 'e', 'E', 'u', 't', 'n', '\u0001', '\u00e9', '\n'];
    let edited = 0;
    let inContent = 0;
    for (let n = 0; n < 20_000; n++) {
      const source = READER_LINES[rand(4)]!;
      const at = rand(source.length);
      const op = rand(3);
      const text = source.slice(0, at) + (op === 0 ? '' : bytes[rand(bytes.length)]!) + source.slice(op === 2 ? at : at + 1);
      const line = lineOf(text);
      const got = reader.read(line);
      if (got === undefined) continue;
      edited++;
      const want = parse(text);
      const open = Buffer.from(source).indexOf('"message":') + '"message":'.length;
      const content = contentRange(Buffer.from(source), open, Buffer.byteLength(source));
      const byteAt = Buffer.byteLength(source.slice(0, at));
      if (want === undefined && content && byteAt >= content[0] && byteAt < content[1]) {
        inContent++;
        continue;
      }
      expect(view(got), text).toEqual(view(want));
    }
    expect(edited).toBeGreaterThan(5000);
    expect(inContent).toBeLessThan(edited / 10);
  });

  it('finds each pattern where a plain search of the whole pattern finds it, whatever byte it is searched by', () => {
    let seed = 3;
    const rand = (n: number) => ((seed = (seed * 48271) % 2147483647) % n);
    const patterns = ['"usage"', '"type":"user"', '"tool_result"', '"message":', 'ab'];
    for (let round = 0; round < 300; round++) {
      // Buffers of the patterns' bytes in varying proportions (so the rarest byte, hence the anchor, changes), patterns planted.
      const alphabet = `"usagetypr:_olmb{}${'x'.repeat(rand(20))}${'"'.repeat(rand(10))}${'g'.repeat(rand(10))}`;
      const parts: string[] = [];
      for (let n = 0; n < 400; n++) parts.push(rand(15) === 0 ? patterns[rand(patterns.length)]! : alphabet[rand(alphabet.length)]!);
      const data = Buffer.from(parts.join(''));
      const scan = new ByteScanner(patterns);
      const lines: Array<[number, number]> = [];
      for (let at = 0; at < data.length;) {
        const to = Math.min(data.length, at + 1 + rand(40));
        lines.push([at, to]);
        at = to;
      }
      for (const [from, to] of lines) {
        for (let i = 0; i < patterns.length; i++) {
          const first = data.indexOf(patterns[i]!, from);
          const inLine = first !== -1 && first < to;
          expect(scan.has(i, data, from, to)).toBe(inLine);
          expect(scan.position(i, data, from, to)).toBe(inLine ? first : -1);
          const whole = data.subarray(0, to).indexOf(patterns[i]!, from);
          expect(scan.within(i, data, from, to)).toBe(whole !== -1);
        }
      }
    }
  });

  it('reads lines across chunks, longer than a chunk, from an offset, and leaves a partial last line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sg-lines-'));
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 48271) % 2147483647) % n);
    const lines: string[] = [];
    for (let size = 0; size < 13 * 1024 * 1024;) {
      const long = lines.length === 40 ? 9 * 1024 * 1024 : lines.length === 41 ? 3 * 1024 * 1024 : rand(rand(10) === 0 ? 400_000 : 3000);
      const l = long ? `${lines.length}:${'é€x'.repeat(Math.ceil(long / 6))}`.slice(0, long) : '';
      lines.push(l);
      size += Buffer.byteLength(l) + 1;
    }
    const path = join(dir, 'lines.jsonl');
    await writeFile(path, `${lines.join('\n')}\npartial`);
    const expected = (from: number) => {
      const out: Array<[number, string]> = [];
      let at = 0;
      for (const l of lines) {
        if (at >= from && l !== '') out.push([at, l]);
        at += Buffer.byteLength(l) + 1;
      }
      return { out, end: at };
    };
    for (const from of [0, Buffer.byteLength(lines.slice(0, 30).join('\n')) + 1]) {
      const got: Array<[number, string]> = [];
      let end = -1;
      for await (const batch of readLines(path, from)) {
        for (const l of batch.lines) got.push([l.start, l.text]);
        end = batch.end;
      }
      const want = expected(from);
      expect(got.length).toBe(want.out.length);
      expect(got).toEqual(want.out);
      expect(end).toBe(want.end);
    }
  });

  it('reads responses whose lines straddle chunks as JSON.parse of every line does (last line of each response)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sg-claude-big-'));
    let seed = 11;
    const rand = (n: number) => ((seed = (seed * 48271) % 2147483647) % n);
    const out: string[] = [];
    for (let k = 0, size = 0; size < 14 * 1024 * 1024; k++) {
      const parts = 1 + rand(3);
      for (let p = 0; p < parts; p++) {
        const pad = 'y'.repeat(rand(rand(40) === 0 ? 600_000 : 4000));
        out.push(JSON.stringify({ ...base, type: 'assistant', requestId: `r${k}`, uuid: `u${k}-${p}`, message: { id: `msg_${k}`, model: 'claude-opus-4-1', content: [{ type: 'text', text: `${tricky}${pad}` }], usage: { ...usage, output_tokens: k * 10 + p } } }));
        // After this response's last line, more than two chunks of tool results: its line outlives both buffers.
        if (k === 60 && p === parts - 1) for (let t = 0; t < 20; t++) out.push(JSON.stringify({ ...base, type: 'user', message: { role: 'user', content: [{ type: 'tool_result', content: 'z'.repeat(500_000) }] } }));
        if (rand(5) === 0) out.push(JSON.stringify({ ...base, type: 'user', message: { role: 'user', content: [{ type: 'tool_result', content: pad }] } }));
        size += out.at(-1)!.length;
      }
    }
    const path = join(dir, 'big.jsonl');
    await writeFile(path, `${out.join('\n')}\n`);
    // A response's consecutive lines are one call, read off its last line (claude.ts: only that one is parsed).
    const want = new Map<string, { output: number; offset: number }>();
    let offset = 0;
    for (const text of out) {
      const o = JSON.parse(text);
      if (o.type === 'assistant') want.set(`claude:${o.message.id}`, { output: o.message.usage.output_tokens, offset });
      offset += Buffer.byteLength(text) + 1;
    }
    const sessions = { add() {}, current: () => [] };
    const parsed = await parseClaude(path, { offset: 0 }, { matcher: new WorkItemMatcher(), sessions });
    expect(want.size).toBeGreaterThan(500);
    expect(parsed.calls.length).toBe(want.size);
    expect(new Map(parsed.calls.map((c) => [c.key, { output: c.usage.output_tokens, offset: c.offset }]))).toEqual(want);
    expect(parsed.cursor.offset).toBe(offset);
  });
});
