// An export file as a stream of records, whatever the tool wrote: a CSV with a header row (objects
// in cells as JSON text), a JSON array (read element by element, so a file of any size is never
// held whole), JSON lines, or one JSON object (a report such as ccusage's, or an API page
// `{ "data": [...] }`, read whole: such files are small).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { parse as parseCsv } from 'csv-parse';

export type RawRecord = Record<string, unknown>;
export type Shape = 'csv' | 'json-array' | 'jsonl' | 'json-object';

export interface RecordSource {
  shape: Shape;
  bytes: number;
  /** The records, in file order; `onBytes` hears of each chunk read (the progress bar). */
  records(onBytes: (n: number) => void): AsyncGenerator<RawRecord>;
}

async function firstChar(path: string): Promise<string> {
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 4096 })) {
    const c = (chunk as string).replace(/^\uFEFF/, '').trimStart()[0];
    if (c) return c;
  }
  return '';
}

async function shapeOf(path: string): Promise<Shape> {
  const c = await firstChar(path);
  if (c === '[') return 'json-array';
  if (c !== '{') return 'csv';
  // One object per line, or one object over the whole file.
  let head = '';
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 65536 })) {
    head += chunk;
    const nl = head.indexOf('\n');
    if (nl >= 0) {
      try {
        JSON.parse(head.slice(0, nl));
        return 'jsonl';
      } catch {
        return 'json-object';
      }
    }
  }
  return 'json-object';
}

function counted(path: string, onBytes: (n: number) => void) {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  stream.on('data', (chunk) => onBytes(Buffer.byteLength(chunk as string)));
  return stream;
}

async function* csvRecords(path: string, onBytes: (n: number) => void): AsyncGenerator<RawRecord> {
  const parser = counted(path, onBytes).pipe(parseCsv({ columns: true, bom: true, skip_empty_lines: true, relax_column_count: true }));
  for await (const row of parser) yield row as RawRecord;
}

async function* jsonlRecords(path: string, onBytes: (n: number) => void): AsyncGenerator<RawRecord> {
  let rest = '';
  let line = 0;
  const parseLine = (text: string) => {
    line++;
    if (text.trim() === '') return undefined;
    try {
      return JSON.parse(text) as RawRecord;
    } catch (e) {
      return { __unreadable: `line ${line}: ${(e as Error).message}` } as RawRecord;
    }
  };
  for await (const chunk of counted(path, onBytes)) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    for (const l of lines) {
      const r = parseLine(l);
      if (r) yield r;
    }
  }
  const r = parseLine(rest);
  if (r) yield r;
}

/** Splits a top-level JSON array into its elements' text without parsing the whole file. */
async function* jsonArrayRecords(path: string, onBytes: (n: number) => void): AsyncGenerator<RawRecord> {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let element = '';
  let index = 0;
  for await (const chunk of counted(path, onBytes)) {
    const text = chunk as string;
    let start = depth >= 2 ? 0 : -1;
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === '\\') escaped = true;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') inString = true;
      else if (c === '[' || c === '{') {
        depth++;
        if (depth === 2) start = i;
      } else if (c === ']' || c === '}') {
        depth--;
        if (depth === 1) {
          element += text.slice(start, i + 1);
          yield parseElement(element, index++);
          element = '';
          start = -1;
        }
      }
    }
    if (depth >= 2 && start >= 0) element += text.slice(start);
  }
}

function parseElement(text: string, index: number): RawRecord {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as RawRecord) : { __unreadable: `element ${index} is not an object` };
  } catch (e) {
    return { __unreadable: `element ${index}: ${(e as Error).message}` };
  }
}

async function* objectRecords(path: string, onBytes: (n: number) => void): AsyncGenerator<RawRecord> {
  let text = '';
  for await (const chunk of counted(path, onBytes)) text += chunk;
  const v = JSON.parse(text.replace(/^\uFEFF/, '')) as RawRecord;
  // An API page ({ data: [...] }, Langfuse's and Helicone's APIs) is its records; a report is one record.
  if (Array.isArray(v.data)) for (const r of v.data) yield r as RawRecord;
  else yield v;
}

export async function openRecords(path: string): Promise<RecordSource> {
  const [shape, info] = await Promise.all([shapeOf(path), stat(path)]);
  const read = { csv: csvRecords, 'json-array': jsonArrayRecords, jsonl: jsonlRecords, 'json-object': objectRecords }[shape];
  return { shape, bytes: info.size, records: (onBytes) => read(path, onBytes) };
}
