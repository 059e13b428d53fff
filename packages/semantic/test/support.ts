import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { DEFAULT_MODEL_DIR, SemanticError } from '../src/index.ts';

const variants: string[] = [];

/** A copy of the real model with `edit` applied to one file (for variants of the model). */
export async function modelVariant(file: string, edit: (content: string) => string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sg-model-'));
  variants.push(dir);
  await cp(DEFAULT_MODEL_DIR, dir, { recursive: true });
  const path = join(dir, file);
  await writeFile(path, edit(await readFile(path, 'utf8')));
  return dir;
}

export async function removeModelVariants() {
  await Promise.all(variants.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** The real model without its pre-aggregations: every query reads raw events. */
export function modelWithoutRollups(): Promise<string> {
  return modelVariant('cubes/usage_events.yml', (yml) => {
    const at = yml.indexOf('\n    pre_aggregations:');
    if (at < 0) throw new Error('usage_events.yml has no pre_aggregations section');
    return yml.slice(0, at + 1);
  });
}

/** Asserts that `promise` rejects with a SemanticError of `code` naming `member`. */
export async function expectSemanticError(promise: Promise<unknown>, code: SemanticError['code'], member?: string) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected a SemanticError').toBeInstanceOf(SemanticError);
  const e = error as SemanticError;
  expect({ code: e.code, member: e.member }).toEqual({ code, member });
  if (member) expect(e.message).toContain(member);
}
