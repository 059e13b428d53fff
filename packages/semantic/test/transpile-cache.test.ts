// The transpile cache (src/transpile-cache.ts): a process that finds the model's transpiled files
// on disk compiles it without Cube's worker thread, into the same model; what a file's output
// depends on (its content, the other cubes' names) changes its key; a broken model is never cached.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_DIR } from '../src/index.ts';
import { modelVariant, removeModelVariants } from './support.ts';

const run = promisify(execFile);
const script = join(import.meta.dirname, 'compile-model.ts');
const dirs: string[] = [];

interface Compiled {
  workers: number;
  views?: unknown;
  cubes?: unknown;
  error?: string;
}

/** Compiles `modelDir` in a new process with the cache in `cacheDir`. */
async function compile(cacheDir: string, modelDir = DEFAULT_MODEL_DIR): Promise<Compiled> {
  const { stdout } = await run(process.execPath, [script, cacheDir, modelDir], { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout);
}

async function cacheDir() {
  const dir = await mkdtemp(join(tmpdir(), 'sg-transpile-'));
  dirs.push(dir);
  return dir;
}

afterAll(async () => {
  await removeModelVariants();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('the transpile cache', () => {
  it('compiles the model from its cache without a worker thread, into the same model', async () => {
    const dir = await cacheDir();
    const cold = await compile(dir);
    expect(cold.error).toBeUndefined();
    expect(cold.workers).toBeGreaterThan(0);
    expect((await readdir(dir)).length).toBeGreaterThan(0);
    const warm = await compile(dir);
    expect(warm.workers).toBe(0);
    expect(warm.views).toEqual(cold.views);
    expect(warm.cubes).toEqual(cold.cubes);
  }, 180_000);

  it('transpiles again after an edit, and the edit is in the model', async () => {
    const dir = await cacheDir();
    await compile(dir);
    const entries = (await readdir(dir)).length;
    // A new cube: its file's content and the cube names the other files are transpiled with change.
    const edited = await modelVariant('cubes/tasks.yml', (yml) => `${yml}\n  - name: extra_cube\n    sql_table: tasks\n    dimensions:\n      - name: id\n        sql: id\n        type: string\n        primary_key: true\n`);
    const warm = await compile(dir, edited);
    expect(warm.error).toBeUndefined();
    expect(warm.workers).toBeGreaterThan(0);
    expect((warm.cubes as Array<{ name: string }>).map((c) => c.name)).toContain('extra_cube');
    expect((await readdir(dir)).length).toBeGreaterThan(entries);
  }, 180_000);

  it('never keeps a broken model: it says why at every start', async () => {
    const dir = await cacheDir();
    const broken = await modelVariant('cubes/tasks.yml', (yml) => yml.replace('"{CUBE}.id"', '"{CUBE.id"'));
    const first = await compile(dir, broken);
    const second = await compile(dir, broken);
    expect(first.error).toBeTruthy();
    expect(second.error).toBe(first.error);
  }, 180_000);
});
