// The generator's drift check (`node apps/web/scripts/graphql-types.ts --check`, run by scripts/test.sh
// and the Dockerfile) against real drift: a copy of the generator with its inputs and outputs in a
// temporary tree, one input changed, must exit 1 naming the stale file and leave it as it was; an
// operation asking for a field the schema lacks must fail generation. No infrastructure needed.
import { execFile } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const SCRIPT = 'apps/web/scripts/graphql-types.ts';
// What the generator reads and writes (its TARGETS), relative to the repository.
const COPIED = [
  SCRIPT, 'apps/api/src/graphql', 'apps/web/lib/graphql',
  'packages/sdk/src/queries', 'packages/sdk/src/generated/graphql.ts',
];

const trees: string[] = [];
afterEach(() => { for (const t of trees.splice(0)) rmSync(t, { recursive: true, force: true }); });

/** A tree laid out like the repository holding only the generator, its inputs and outputs (packages linked, not copied). */
function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'graphql-types-'));
  trees.push(root);
  for (const p of COPIED) cpSync(join(repo, p), join(root, p), { recursive: true });
  symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir');
  // npm may place the web app's own copy of a codegen plugin under apps/web (package-lock.json).
  if (existsSync(join(repo, 'apps/web/node_modules'))) symlinkSync(join(repo, 'apps/web/node_modules'), join(root, 'apps/web/node_modules'), 'dir');
  return root;
}

function generator(root: string, ...args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, SCRIPT), ...args], { cwd: root, timeout: 120_000 }, (err, _stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stderr }));
  });
}

const read = (root: string, p: string) => readFileSync(join(root, p), 'utf8');

describe('graphql-types --check', () => {
  it('passes on an unchanged copy (the copy is faithful, so the failures below are the drift\'s)', async () => {
    const root = tree();
    expect(await generator(root, '--check')).toMatchObject({ code: 0 });
  });

  it('fails on a changed web operation, names operations.ts and leaves it as it was; writing brings it back in step', async () => {
    const root = tree();
    const out = 'apps/web/lib/graphql/operations.ts';
    const before = read(root, out);
    appendFileSync(join(root, 'apps/web/lib/graphql/operations/me.graphql'), '\nquery DriftProbe { workspace { name } }\n');
    const check = await generator(root, '--check');
    expect(check.code).toBe(1);
    expect(check.stderr).toContain(out);
    expect(check.stderr).not.toContain('schema.ts');
    expect(read(root, out)).toBe(before);
    expect(await generator(root)).toMatchObject({ code: 0 });
    expect(read(root, out)).toContain('DriftProbeDocument');
    expect(await generator(root, '--check')).toMatchObject({ code: 0 });
  });

  it('fails on a changed schema, naming the schema\'s types', async () => {
    const root = tree();
    appendFileSync(join(root, 'apps/api/src/graphql/schema.graphql'), '\ntype DriftProbe { id: ID! }\n');
    const check = await generator(root, '--check');
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('apps/web/lib/graphql/schema.ts');
  });

  it('fails generation for an operation asking for a field the schema lacks', async () => {
    const root = tree();
    appendFileSync(join(root, 'apps/web/lib/graphql/operations/me.graphql'), '\nquery DriftProbe { workspace { noSuchField } }\n');
    const run = await generator(root, '--check');
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('noSuchField');
  });
});
