// What a collector has already read and sent, so a rerun sends only new calls:
//   state.json  per file: size, mtime, the offset to resume from and the parser's carry;
//               per session: the work items referenced so far
//   sent.txt    one line per call sent (a 64-bit hash of its key), appended after each accepted batch;
//               it keeps a transcript copied into another file, or a file rewritten, from being sent again
import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Cursor } from './parse-context.ts';
import { SessionItems } from './work-items.ts';

export interface FileState extends Cursor {
  size: number;
  mtimeMs: number;
}

interface Saved {
  version: 1;
  files: Record<string, FileState>;
  sessions: Record<string, string[]>;
}

export function keyHash(key: string): string {
  return createHash('sha1').update(key).digest('hex').slice(0, 16);
}

export class CollectState {
  readonly dir: string | undefined;
  files: Record<string, FileState>;
  readonly sessions: SessionItems;
  readonly sent: Set<string>;
  private readonly readOnly: boolean;

  private constructor(dir: string | undefined, saved: Saved | undefined, sent: Set<string>, readOnly: boolean) {
    this.dir = dir;
    this.readOnly = readOnly;
    this.files = saved?.files ?? {};
    this.sessions = new SessionItems(saved?.sessions);
    this.sent = sent;
  }

  /**
   * Loads the state kept in `dir`, or an empty one; `undefined` keeps nothing (every run starts afresh).
   * A read-only state (dry runs) knows what was sent but records nothing.
   */
  static async load(dir: string | undefined, { readOnly = false } = {}): Promise<CollectState> {
    if (!dir) return new CollectState(undefined, undefined, new Set(), readOnly);
    const saved = await readFile(join(dir, 'state.json'), 'utf8').then((t) => JSON.parse(t) as Saved, (e) => {
      if (e.code === 'ENOENT') return undefined;
      throw new Error(`cannot read the collector state ${join(dir, 'state.json')}: ${e.message} (delete it to start over)`);
    });
    const sentText = await readFile(join(dir, 'sent.txt'), 'utf8').catch((e) => (e.code === 'ENOENT' ? '' : Promise.reject(e)));
    return new CollectState(dir, saved, new Set(sentText.split('\n').filter(Boolean)), readOnly);
  }

  wasSent(key: string): boolean {
    return this.sent.size > 0 && this.sent.has(keyHash(key)); // a first run hashes nothing
  }

  async markSent(keys: string[]): Promise<void> {
    const hashes = keys.map(keyHash);
    for (const h of hashes) this.sent.add(h);
    if (!this.dir || this.readOnly || hashes.length === 0) return;
    await mkdir(this.dir, { recursive: true });
    await appendFile(join(this.dir, 'sent.txt'), hashes.join('\n') + '\n');
  }

  async save(): Promise<void> {
    if (!this.dir || this.readOnly) return;
    await mkdir(this.dir, { recursive: true });
    const saved: Saved = { version: 1, files: this.files, sessions: this.sessions.toJSON() };
    const tmp = join(this.dir, `state.json.${process.pid}`);
    await writeFile(tmp, JSON.stringify(saved));
    await rename(tmp, join(this.dir, 'state.json')); // never a half-written state
  }
}
