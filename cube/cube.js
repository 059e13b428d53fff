// Configuration for a real Cube server (docker image cubejs/cube:v1.7.43) over
// the same model the in-process semantic layer (packages/semantic) compiles.
//
//   docker run --rm -p 4000:4000 -p 15432:15432 -v "$PWD/cube:/cube/conf" \
//     -e CUBEJS_DB_TYPE=postgres -e CUBEJS_DB_HOST=... -e CUBEJS_DB_PORT=5432 \
//     -e CUBEJS_DB_NAME=spendgraph -e CUBEJS_DB_USER=... -e CUBEJS_DB_PASS=... \
//     -e CUBEJS_API_SECRET=... -e CUBEJS_PG_SQL_PORT=15432 cubejs/cube:v1.7.43
//
// Security mirrors packages/semantic/src/guard.ts, with the same policy file
// (cube/security.json: public views, query keys, filter keys, operators, secrets):
// - Refuses to load without a real CUBEJS_API_SECRET (missing, short or a
//   published placeholder): anyone knowing it could sign a token for any workspace.
// - REST / GraphQL: Cube verifies the JWT (CUBEJS_API_SECRET); its payload must
//   carry `workspaceId`.
// - SQL API: the password is a Spendgraph API key with the `read` scope that
//   has not expired; the key's workspace and restriction (dimension values it
//   is confined to) become the security context (checkSqlAuth).
// - queryRewrite rejects unknown query, filter and time-dimension keys, unknown
//   operators, any member outside the public views and any
//   `<view>.workspace_id`, then adds `<view>.workspace_id = workspaceId` for
//   every view the query names, and `<view>.<dimension> = value` for each value
//   of a restricted key (a view without that dimension is refused). Roll-ups
//   carry workspace_id, so they still match.
const crypto = require('crypto');
const policy = require('./security.json');

const PUBLIC_VIEWS = policy.publicViews;
const WORKSPACE_DIMENSION = policy.workspaceDimension;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The same rule as packages/semantic/src/policy.ts secretProblem. */
function secretProblem(name, value) {
  const v = (value || '').trim();
  const hint = 'set a random value, e.g. openssl rand -hex 32';
  if (!v) return `${name} is not set: ${hint}`;
  const lower = v.toLowerCase();
  if (policy.secrets.placeholders.some((p) => lower.includes(p)) || new Set(v).size < 8) return `${name} is a placeholder or guessable value: ${hint}`;
  if (v.length < policy.secrets.minLength) return `${name} must be at least ${policy.secrets.minLength} characters: ${hint}`;
  return undefined;
}

const secretError = secretProblem('CUBEJS_API_SECRET', process.env.CUBEJS_API_SECRET);
if (secretError) throw new Error(`Spendgraph's cube.js refuses to start: ${secretError}`);

function allowedKeys(object, allowed, where) {
  if (!object || typeof object !== 'object' || Array.isArray(object)) throw new Error(`${where} must be an object`);
  for (const key of Object.keys(object)) if (!allowed.includes(key)) throw new Error(`${where}: unknown key '${key}'`);
}

function memberView(name) {
  if (typeof name !== 'string') throw new Error('Member expressions are not allowed');
  const [view, member] = name.split('.');
  if (!PUBLIC_VIEWS.includes(view) || !member) throw new Error(`Member '${name}' is not public`);
  if (member === WORKSPACE_DIMENSION) throw new Error(`Member '${name}' is not public`);
  return view;
}

function filterViews(filters, views) {
  if (!Array.isArray(filters)) throw new Error('filters must be an array');
  for (const f of filters) {
    if (f && (f.or || f.and)) {
      allowedKeys(f, ['or', 'and'], 'filter');
      if (Object.keys(f).length !== 1) throw new Error("a filter has exactly one of 'or' / 'and'");
      filterViews(f.or || f.and, views);
      continue;
    }
    allowedKeys(f, policy.filterKeys, 'filter');
    if (!policy.operators.includes(f.operator)) throw new Error(`Unknown filter operator ${JSON.stringify(f.operator)}`);
    views.add(memberView(f.member || f.dimension));
  }
}

let pool;
function sqlAuthPool() {
  if (!pool) {
    // pg ships with @cubejs-backend/postgres-driver in the Cube image.
    const { Pool } = require('pg');
    pool = new Pool({
      host: process.env.CUBEJS_DB_HOST,
      port: Number(process.env.CUBEJS_DB_PORT || 5432),
      database: process.env.CUBEJS_DB_NAME,
      user: process.env.CUBEJS_DB_USER,
      password: process.env.CUBEJS_DB_PASS,
      max: 2,
    });
  }
  return pool;
}

module.exports = {
  schemaPath: 'model',
  dbType: 'postgres',
  // Roll-ups are `external: false`: built with CREATE TABLE AS in this schema of the source database.
  preAggregationsSchema: process.env.CUBEJS_PRE_AGGREGATIONS_SCHEMA || 'cube_rollups',

  queryRewrite: (query, { securityContext }) => {
    const workspaceId = securityContext && securityContext.workspaceId;
    if (typeof workspaceId !== 'string' || !UUID.test(workspaceId)) {
      throw new Error('The security context must carry a workspaceId');
    }
    allowedKeys(query, policy.queryKeys, 'query');
    for (const td of query.timeDimensions || []) allowedKeys(td, policy.timeDimensionKeys, 'timeDimension');
    const views = new Set();
    for (const m of query.measures || []) views.add(memberView(m));
    for (const d of query.dimensions || []) views.add(memberView(d));
    for (const td of query.timeDimensions || []) views.add(memberView(td.dimension));
    for (const s of query.segments || []) views.add(memberView(s));
    filterViews(query.filters || [], views);
    const order = Array.isArray(query.order) ? query.order.map((o) => (Array.isArray(o) ? o[0] : o.id)) : Object.keys(query.order || {});
    for (const key of order) memberView(key.split('.').slice(0, 2).join('.'));
    if (views.size === 0) throw new Error('The query names no member');
    const restriction = Object.entries(securityContext.restriction || {});
    query.filters = [
      ...(query.filters || []),
      ...[...views].flatMap((view) => [
        { member: `${view}.${WORKSPACE_DIMENSION}`, operator: 'equals', values: [workspaceId] },
        ...restriction.map(([dimension, value]) => ({ member: `${view}.${dimension}`, operator: 'equals', values: [value] })),
      ]),
    ];
    return query;
  },

  checkSqlAuth: async (req, user, password) => {
    if (!password) throw new Error('Use a Spendgraph API key with the read scope as the password');
    const hash = crypto.createHash('sha256').update(password).digest();
    const { rows } = await sqlAuthPool().query(
      `SELECT workspace_id::text AS workspace_id, restriction FROM api_keys
        WHERE key_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now()) AND 'read' = ANY (scopes)`,
      [hash],
    );
    if (!rows.length) throw new Error('Invalid API key');
    return { password, securityContext: { workspaceId: rows[0].workspace_id, restriction: rows[0].restriction || undefined } };
  },
};
