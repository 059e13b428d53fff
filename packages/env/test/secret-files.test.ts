// Secrets from files (NAME_FILE), as Docker and Kubernetes mount them: read by every app's
// configuration, refused when ambiguous or unreadable, and a platform started with its database URL
// and operator token only in files ingests and serves /metrics.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { inject } from 'vitest';
import { type Platform, postEvents, startPlatform, waitFor, workspaceWithKey } from '@spendgraph/test-support/platform';
import { parseEnv, withSecretFiles } from '../src/index.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'spendgraph-secrets-'));
function secretFile(name: string, content: string) {
  const path = join(dir, name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

describe('NAME_FILE', () => {
  const schema = z.object({ TOKEN: z.string().min(1), PLAIN: z.string().optional() });

  it('reads a declared variable from its file, dropping one trailing newline only', () => {
    const env = parseEnv(schema, { TOKEN_FILE: secretFile('token', 'line one\nline two\n\n') });
    expect(env.TOKEN).toBe('line one\nline two\n');
    expect(parseEnv(schema, { TOKEN_FILE: secretFile('crlf', 's3cret\r\n') }).TOKEN).toBe('s3cret');
  });

  it('refuses both NAME and NAME_FILE, and an unreadable file, naming the variable and never the content', () => {
    const path = secretFile('both', 'from-file');
    expect(() => parseEnv(schema, { TOKEN: 'from-env', TOKEN_FILE: path })).toThrow('TOKEN: set TOKEN or TOKEN_FILE, not both');
    const missing = join(dir, 'absent');
    expect(() => parseEnv(schema, { TOKEN_FILE: missing })).toThrow(`TOKEN_FILE: cannot read ${missing} (ENOENT)`);
    const err = (() => { try { parseEnv(schema, { TOKEN: 'x', TOKEN_FILE: path }); } catch (e) { return (e as Error).message; } })();
    expect(err).not.toContain('from-file');
  });

  it('leaves variables the schema does not declare alone (an unrelated X_FILE is not read)', () => {
    const env = withSecretFiles({ OTHER_FILE: join(dir, 'absent') }, ['TOKEN']);
    expect(env).toEqual({ OTHER_FILE: join(dir, 'absent') });
  });

  it('migrations run with DATABASE_URL_FILE and refuse DATABASE_URL set twice', () => {
    const urlFile = secretFile('database-url', `${inject('databaseUrl')}\n`);
    const run = (env: NodeJS.ProcessEnv) => spawnSync(process.execPath, ['packages/db/src/migrate-cli.ts'], { cwd: ROOT, env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
    expect(run({ DATABASE_URL_FILE: urlFile }).status).toBe(0);
    const both = run({ DATABASE_URL: inject('databaseUrl'), DATABASE_URL_FILE: urlFile });
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('DATABASE_URL: set DATABASE_URL or DATABASE_URL_FILE, not both');
  });
});

describe('a platform whose database URL and operator token exist only in files', () => {
  let p: Platform;
  const token = randomBytes(32).toString('hex');
  beforeAll(async () => {
    p = await startPlatform({
      env: {
        DATABASE_URL: '', DATABASE_URL_FILE: secretFile('api-database-url', `${inject('databaseUrl')}\n`),
        OPERATOR_TOKEN: '', OPERATOR_TOKEN_FILE: secretFile('operator-token', `${token}\n`),
      },
    });
  });
  afterAll(() => p?.stop());

  it('ingests through the worker and serves /metrics to the token from the file only', async () => {
    const { workspaceId, key } = await workspaceWithKey(p.pool);
    const id = randomUUID();
    const res = await postEvents(p.apiUrl, key, [{ id, occurred_at: new Date().toISOString(), provider: 'openai', model: 'gpt-4o-mini', usage: { input_tokens: 10 } }]);
    expect(res.status).toBe(202);
    await waitFor(async () => (await p.pool.query('SELECT 1 FROM usage_events WHERE workspace_id = $1 AND event_id = $2', [workspaceId, id])).rowCount === 1, 30_000, 'the event to be stored');
    expect((await fetch(`${p.apiUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await fetch(`${p.apiUrl}/metrics`, { headers: { authorization: `Bearer ${randomBytes(32).toString('hex')}` } })).status).toBe(401);
  });
});
