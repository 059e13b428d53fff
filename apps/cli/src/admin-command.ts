// spendgraph admin: first-run setup and recovery at the database (DATABASE_URL), without a
// running API or anyone signed in: organizations, workspaces, people, keys, passwords. Every
// change is written to the audit log with the actor "cli".
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  API_KEY_SCOPES, type ApiKeyScope, type Db, ROLES, type Role, WeakPassword, addMembership, createOrganization, createPool,
  createUser, createWorkspaceIn, findOrganization, findUserByEmail, findWorkspace, issueApiKey, recordAudit, revokeWorkspaceApiKey,
  setPassword, sqlState, UNIQUE_VIOLATION, withTransaction, importFxRates,
} from '@spendgraph/db';
import { FxParseError, parseEcb } from '@spendgraph/fx';
import { keyRestrictionSchema } from '@spendgraph/schema';
import { readCliEnv } from './env.ts';

export const ADMIN_HELP = `spendgraph admin — set up and recover Spendgraph at the database (needs DATABASE_URL)

  create-organization --slug SLUG [--name NAME]
  create-workspace    --organization ORG --slug SLUG [--name NAME]
  create-user         --email EMAIL [--name NAME] [--password PW] [--workspace WS --role owner|admin|analyst|viewer]
                      (without --password one is generated and printed once)
  add-member          --workspace WS --email EMAIL --role ROLE
  create-key          --workspace WS --name NAME --scopes ingest,read,admin [--expires ISO-TIME] [--restrict DIMENSION=VALUE ...]
  revoke-key          --workspace WS --id KEY-ID
  reset-password      --email EMAIL [--password PW]   (ends every session of the person)
  import-fx-rates     --file PATH [--revise]   (ECB eurofxref CSV or XML; --revise applies the ECB's
                      corrections to stored days; every figure a rate changes is re-converted)

  ORG and WS are a slug or an id. --json prints the result as JSON.`;

const OPTIONS = {
  slug: { type: 'string' }, name: { type: 'string' }, organization: { type: 'string' }, email: { type: 'string' },
  password: { type: 'string' }, workspace: { type: 'string' }, role: { type: 'string' }, scopes: { type: 'string' },
  expires: { type: 'string' }, restrict: { type: 'string', multiple: true }, id: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' },
  file: { type: 'string' }, revise: { type: 'boolean' },
} as const;

type Options = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

/** A mistake in the command line or a missing thing: exit code 2 with the message. */
class AdminError extends Error {}

const CLI = { label: 'cli' };

function required(o: Options, name: 'slug' | 'organization' | 'email' | 'workspace' | 'role' | 'scopes' | 'name' | 'id' | 'file'): string {
  const v = o[name];
  if (typeof v !== 'string' || v.trim() === '') throw new AdminError(`--${name} is needed`);
  return v.trim();
}

function role(o: Options): Role {
  const r = required(o, 'role');
  if (!(ROLES as readonly string[]).includes(r)) throw new AdminError(`--role: '${r}' is not one of ${ROLES.join(', ')}`);
  return r as Role;
}

async function workspace(pool: Db, o: Options) {
  const ws = await findWorkspace(pool, required(o, 'workspace'));
  if (!ws) throw new AdminError(`no workspace '${o.workspace}'`);
  return ws;
}

async function user(pool: Db, o: Options) {
  const u = await findUserByEmail(pool, required(o, 'email'));
  if (!u) throw new AdminError(`no person with the e-mail '${o.email}'`);
  return u;
}

const generatedPassword = () => randomBytes(18).toString('base64url');

/** Each command runs in one transaction (runAdmin): its changes and their audit entries commit together. */
const COMMANDS: Record<string, (pool: Db, o: Options) => Promise<Record<string, unknown>>> = {
  async 'create-organization'(pool, o) {
    const org = await createOrganization(pool, { slug: required(o, 'slug'), name: o.name });
    await recordAudit(pool, { actor: CLI, organizationId: org.id, action: 'createOrganization', targetType: 'organization', targetId: org.id, after: org });
    return { organization: org };
  },
  async 'create-workspace'(pool, o) {
    const org = await findOrganization(pool, required(o, 'organization'));
    if (!org) throw new AdminError(`no organization '${o.organization}'`);
    const ws = await createWorkspaceIn(pool, org.id, { slug: required(o, 'slug'), name: o.name });
    await recordAudit(pool, { actor: CLI, workspaceId: ws.id, action: 'createWorkspace', targetType: 'workspace', targetId: ws.id, after: ws });
    return { workspace: ws };
  },
  async 'create-user'(pool, o) {
    const ws = o.workspace ? await workspace(pool, o) : undefined;
    const r = ws ? role(o) : undefined;
    const password = o.password ?? generatedPassword();
    const u = await createUser(pool, { email: required(o, 'email'), name: o.name ?? null, password });
    await recordAudit(pool, { actor: CLI, workspaceId: ws?.id, action: 'createUser', targetType: 'user', targetId: u.id, after: u });
    if (ws && r) await member(pool, ws.id, u.id, r);
    return { user: u, ...(o.password ? {} : { password }), ...(ws ? { workspace: ws.slug, role: r } : {}) };
  },
  async 'add-member'(pool, o) {
    const [ws, u, r] = [await workspace(pool, o), await user(pool, o), role(o)];
    await member(pool, ws.id, u.id, r);
    return { workspace: ws.slug, email: u.email, role: r };
  },
  async 'create-key'(pool, o) {
    const ws = await workspace(pool, o);
    const scopes = required(o, 'scopes').split(',').map((s) => s.trim());
    const unknown = scopes.filter((s) => !(API_KEY_SCOPES as readonly string[]).includes(s));
    if (unknown.length) throw new AdminError(`--scopes: '${unknown.join(', ')}' is not one of ${API_KEY_SCOPES.join(', ')}`);
    const expiresAt = o.expires ? new Date(o.expires) : null;
    if (expiresAt && (Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= Date.now())) throw new AdminError(`--expires: '${o.expires}' is not a time in the future`);
    const pairs = (o.restrict ?? []).map((r) => {
      const at = r.indexOf('=');
      if (at < 1 || at === r.length - 1) throw new AdminError(`--restrict: '${r}' is not DIMENSION=VALUE`);
      return { dimension: r.slice(0, at), value: r.slice(at + 1) };
    });
    const checked = keyRestrictionSchema.safeParse(pairs);
    if (!checked.success) throw new AdminError(`--restrict: ${checked.error.issues[0]!.message}`);
    const restriction = checked.data;
    if (restriction && scopes.includes('admin')) throw new AdminError('--restrict: a key with the admin scope cannot be restricted: it could make unrestricted keys');
    const { key, apiKey } = await issueApiKey(pool, ws.id, { name: required(o, 'name'), scopes: [...new Set(scopes)] as ApiKeyScope[], expiresAt, restriction });
    await recordAudit(pool, { actor: CLI, workspaceId: ws.id, action: 'createApiKey', targetType: 'api_key', targetId: apiKey.id, after: apiKey });
    return { key, apiKey };
  },
  async 'revoke-key'(pool, o) {
    const ws = await workspace(pool, o);
    const id = required(o, 'id');
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new AdminError(`--id: '${id}' is not a key id`);
    const revoked = await revokeWorkspaceApiKey(pool, ws.id, id);
    if (!revoked) throw new AdminError(`no key '${id}' in the workspace '${ws.slug}'`);
    await recordAudit(pool, { actor: CLI, workspaceId: ws.id, action: 'revokeApiKey', targetType: 'api_key', targetId: id, after: revoked });
    return { apiKey: revoked };
  },
  async 'import-fx-rates'(pool, o) {
    const path = required(o, 'file');
    let rates;
    try {
      rates = parseEcb(readFileSync(path, 'utf8'));
    } catch (e) {
      if (e instanceof FxParseError || (e as NodeJS.ErrnoException).code) throw new AdminError(`--file: ${(e as Error).message}`);
      throw e;
    }
    const outcome = await importFxRates(pool, rates, { source: 'import', revise: o.revise ?? false });
    await recordAudit(pool, { actor: CLI, action: 'importFxRates', targetType: 'fx_rates', after: outcome });
    return { fxRates: outcome };
  },
  async 'reset-password'(pool, o) {
    const u = await user(pool, o);
    const password = o.password ?? generatedPassword();
    await setPassword(pool, u.id, password);
    await recordAudit(pool, { actor: CLI, action: 'resetPassword', targetType: 'user', targetId: u.id });
    return { email: u.email, ...(o.password ? {} : { password }) };
  },
};

async function member(pool: Db, workspaceId: string, userId: string, r: Role) {
  await addMembership(pool, { userId, workspaceId, role: r });
  await recordAudit(pool, { actor: CLI, workspaceId, action: 'addMember', targetType: 'member', targetId: userId, after: { role: r } });
}

/** One line per value, secrets (key, password) flagged as shown once. */
function print(result: Record<string, unknown>) {
  for (const [name, value] of Object.entries(result)) {
    const shownOnce = name === 'key' || name === 'password' ? '   (shown once: keep it now)' : '';
    process.stdout.write(`${name}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}${shownOnce}\n`);
  }
}

export async function runAdmin(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (!command || command === '--help' || command === 'help') return process.stdout.write(`${ADMIN_HELP}\n`), command ? 0 : 2;
  const run = COMMANDS[command];
  if (!run) return process.stderr.write(`unknown admin command '${command}'\n${ADMIN_HELP}\n`), 2;
  let o: Options;
  try {
    o = parseArgs({ args: rest, options: OPTIONS, allowPositionals: false }).values;
  } catch (e) {
    return process.stderr.write(`${(e as Error).message}\n`), 2;
  }
  if (o.help) return process.stdout.write(`${ADMIN_HELP}\n`), 0;
  const url = readCliEnv().DATABASE_URL;
  if (!url) return process.stderr.write('DATABASE_URL is needed: spendgraph admin works at the database\n'), 2;
  const pool = createPool(url, { max: 2, name: 'spendgraph-admin' });
  try {
    const result = await withTransaction(pool, (client) => run(client, o));
    if (o.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else print(result);
    return 0;
  } catch (e) {
    if (e instanceof AdminError || e instanceof WeakPassword) return process.stderr.write(`${e.message}\n`), 2;
    if (sqlState(e) === UNIQUE_VIOLATION) return process.stderr.write(`already exists: ${(e as { detail?: string }).detail ?? (e as Error).message}\n`), 2;
    if (sqlState(e) === '23514') return process.stderr.write(`not accepted: ${(e as Error).message} (slugs: lowercase letters, digits and -)\n`), 2;
    throw e;
  } finally {
    await pool.end();
  }
}
