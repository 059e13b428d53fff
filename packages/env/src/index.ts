// An app's environment, read through its zod schema. Any variable the schema declares may instead
// come from a file: NAME_FILE names it (Docker and Kubernetes secrets are mounted as files, so a
// secret never has to sit in the environment, `docker inspect` or a compose file).
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const FILE_SUFFIX = '_FILE';

/**
 * `env` with every NAME_FILE of a declared NAME replaced by NAME = the file's content (one trailing
 * newline dropped: `echo secret > file` is the usual way to write one). Setting both is refused, as
 * is a file that cannot be read; the message names the variable, never the content.
 */
export function withSecretFiles(env: NodeJS.ProcessEnv, declared: Iterable<string>): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const name of declared) {
    const path = env[name + FILE_SUFFIX]?.trim();
    if (!path) continue;
    if (env[name]?.trim()) throw new Error(`invalid configuration: ${name}: set ${name} or ${name}${FILE_SUFFIX}, not both`);
    out[name] = readSecret(name, path);
    delete out[name + FILE_SUFFIX];
  }
  return out;
}

function readSecret(name: string, path: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new Error(`invalid configuration: ${name}${FILE_SUFFIX}: cannot read ${path} (${code})`);
  }
}

/** The variable names a schema declares (an object schema, possibly refined). */
export function declaredNames(schema: z.ZodType): string[] {
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

/** `env` parsed by `schema` after its NAME_FILE secrets are read; a failure names every bad variable. */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env, what = 'configuration'): z.infer<S> {
  const parsed = schema.safeParse(withSecretFiles(env, declaredNames(schema)));
  if (parsed.success) return parsed.data;
  throw new Error(`invalid ${what}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
}

export { releaseStartupMemory } from './process-memory.ts';
