// `spendgraph admin` as a process against the real database, and what it sets up used through
// the real API: the person signs in, the key ingests, a revoked key and a reset password stop working.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Platform, postEvents, startPlatform, waitFor } from '@spendgraph/test-support/platform';

const exec = promisify(execFile);
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

let p: Platform;
beforeAll(async () => {
  p = await startPlatform({ worker: false });
}, 120_000);
afterAll(async () => p?.stop());

async function admin(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [MAIN, 'admin', ...args], { env: { ...process.env, DATABASE_URL: p.env.DATABASE_URL } });
    return { code: 0, stdout, stderr };
  } catch (e: any) {
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
const json = async (...args: string[]) => {
  const r = await admin(...args, '--json');
  if (r.code !== 0) throw new Error(`admin ${args[0]} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout);
};
const signIn = (email: string, password: string) => fetch(`${p.apiUrl}/v1/sessions`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }),
});
const oneCall = () => [{ id: randomUUID(), occurred_at: new Date().toISOString(), provider: 'anthropic', model: 'claude-sonnet-4-5', usage: { input_tokens: 1, output_tokens: 1 } }];

describe('spendgraph admin', () => {
  it('sets up an organization, a workspace, its owner and an ingest key on an empty install', async () => {
    const tag = randomUUID().slice(0, 8);
    const { organization } = await json('create-organization', '--slug', `acme-${tag}`, '--name', 'Acme');
    const { workspace } = await json('create-workspace', '--organization', `acme-${tag}`, '--slug', `acme-${tag}-prod`);
    expect(workspace.organizationId).toBe(organization.id);
    const email = `owner-${tag}@example.test`;
    const made = await json('create-user', '--email', email, '--workspace', workspace.slug, '--role', 'owner');
    expect(made.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const session = await signIn(email, made.password);
    expect(session.status).toBe(201);
    expect(await session.json()).toMatchObject({ workspaceId: workspace.id, role: 'owner' });

    const { key, apiKey } = await json('create-key', '--workspace', workspace.slug, '--name', 'collector', '--scopes', 'ingest', '--restrict', 'agent=nightly');
    expect(apiKey).toMatchObject({ scopes: ['ingest'], restriction: { agent: 'nightly' } });
    expect((await postEvents(p.apiUrl, key, oneCall())).status).toBe(202);
    await json('revoke-key', '--workspace', workspace.id, '--id', apiKey.id);
    await waitFor(async () => (await postEvents(p.apiUrl, key, oneCall())).status === 401, 1000, 'the revoked key to stop');

    // Resetting the password ends the person's sessions; the new one signs in.
    const { session: live } = (await (await signIn(email, made.password)).json()) as { session: string };
    const reset = await json('reset-password', '--email', email.toUpperCase());
    const me = () => fetch(`${p.apiUrl}/v1/me`, { headers: { authorization: `Bearer ${live}` } });
    await waitFor(async () => (await me()).status === 401, 1000, 'the session to end');
    expect((await signIn(email, made.password)).status).toBe(401);
    expect((await signIn(email, reset.password)).status).toBe(201);

    const { rows } = await p.pool.query(
      `SELECT action FROM audit_log WHERE actor_label = 'cli' AND (workspace_id = $1 OR organization_id = $2) ORDER BY id`, [workspace.id, organization.id]);
    expect(rows.map((r) => r.action)).toEqual(['createOrganization', 'createWorkspace', 'createUser', 'addMember', 'createApiKey', 'revokeApiKey']);
    const { rows: keyRows } = await p.pool.query(`SELECT after::text FROM audit_log WHERE action = 'createApiKey' AND workspace_id = $1`, [workspace.id]);
    expect(keyRows[0].after).not.toContain(key);
  });

  it('imports ECB rates from a file, revising a stored day only with --revise, audited', async () => {
    // A day far ahead: no other test has events after it, so the shared rates change no figure of theirs.
    const dir = mkdtempSync(join(tmpdir(), 'fx-'));
    const file = join(dir, 'eurofxref.csv');
    writeFileSync(file, 'Date, USD, JPY, \n02 January 2099, 1.5000, 150.00, \n');
    const added = (await json('import-fx-rates', '--file', file)).fxRates;
    expect(added).toMatchObject({ added: 2, revised: 0, kept: 0, latestDay: '2099-01-02' });
    writeFileSync(file, 'Date,USD,\n2099-01-02,1.6,\n');
    expect((await json('import-fx-rates', '--file', file)).fxRates).toMatchObject({ added: 0, kept: 1, revised: 0 });
    expect((await json('import-fx-rates', '--file', file, '--revise')).fxRates).toMatchObject({ added: 0, kept: 0, revised: 1 });
    const { rows } = await p.pool.query(`SELECT per_eur::text AS r, source FROM fx_rates WHERE currency = 'USD' AND day = '2099-01-02'`);
    expect(rows).toEqual([{ r: '1.6', source: 'import' }]);
    const audit = await p.pool.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'importFxRates' AND actor_label = 'cli' AND after->>'latestDay' >= '2099-01-02'`);
    expect(audit.rows[0].n).toBe(3);
    writeFileSync(file, 'Date,USD,\n2099-01-03,-1,\n');
    const bad = await admin('import-fx-rates', '--file', file);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--file: rate:');
    await p.pool.query(`DELETE FROM fx_rates WHERE day = '2099-01-02'`);
    rmSync(dir, { recursive: true });
  });

  it('says what is wrong, with exit code 2, and changes nothing', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['create-workspace', '--organization', 'no-such-org', '--slug', 'x'], /no organization 'no-such-org'/],
      [['create-user', '--email', 'a@example.test', '--password', 'short'], /at least 12 characters/],
      [['create-key', '--workspace', 'nowhere', '--name', 'k', '--scopes', 'read'], /no workspace 'nowhere'/],
      [['create-organization', '--slug', 'Not A Slug'], /not accepted/],
      [['create-organization'], /--slug is needed/],
      [['frobnicate'], /unknown admin command 'frobnicate'/],
    ];
    for (const [args, message] of cases) {
      const r = await admin(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const tag = randomUUID().slice(0, 8);
    await json('create-organization', '--slug', `dup-${tag}`);
    const again = await admin('create-organization', '--slug', `dup-${tag}`);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists/);
    await json('create-workspace', '--organization', `dup-${tag}`, '--slug', `dup-${tag}`);
    const badScope = await admin('create-key', '--workspace', `dup-${tag}`, '--name', 'k', '--scopes', 'read,write');
    expect(badScope.code).toBe(2);
    expect(badScope.stderr).toMatch(/--scopes: 'write' is not one of ingest, read, admin/);
  });
});
