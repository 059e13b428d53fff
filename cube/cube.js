// Configuration for a real Cube server (docker image cubejs/cube:v1.7.43) over
// the same model the in-process semantic layer (packages/semantic) compiles.
//
//   docker run --rm -p 4000:4000 -p 15432:15432 -v "$PWD/cube:/cube/conf" \
//     -e CUBEJS_DB_TYPE=postgres -e CUBEJS_DB_HOST=... -e CUBEJS_DB_PORT=5432 \
//     -e CUBEJS_DB_NAME=spendgraph -e CUBEJS_DB_USER=... -e CUBEJS_DB_PASS=... \
//     -e CUBEJS_API_SECRET=... -e CUBEJS_PG_SQL_PORT=15432 cubejs/cube:v1.7.43
//
// Security mirrors packages/semantic/src/guard.ts:
// - REST / GraphQL: Cube verifies the JWT (CUBEJS_API_SECRET); its payload must
//   carry `workspaceId`.
// - SQL API: the password is a Spendgraph API key with the `read` scope; the
//   key's workspace becomes the security context (checkSqlAuth).
// - queryRewrite rejects any member outside the public views and any
//   `<view>.workspace_id`, then adds `<view>.workspace_id = workspaceId` for
//   every view the query names. Roll-ups carry workspace_id, so they still match.
const crypto = require('crypto');

const PUBLIC_VIEWS = ['usage', 'usage_history'];
const WORKSPACE_DIMENSION = 'workspace_id';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function memberView(name) {
  if (typeof name !== 'string') throw new Error('Member expressions are not allowed');
  const [view, member] = name.split('.');
  if (!PUBLIC_VIEWS.includes(view) || !member) throw new Error(`Member '${name}' is not public`);
  if (member === WORKSPACE_DIMENSION) throw new Error(`Member '${name}' is not public`);
  return view;
}

function filterViews(filters, views) {
  for (const f of filters || []) {
    if (f.or || f.and) filterViews(f.or || f.and, views);
    else views.add(memberView(f.member || f.dimension));
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
    const views = new Set();
    for (const m of query.measures || []) views.add(memberView(m));
    for (const d of query.dimensions || []) views.add(memberView(d));
    for (const td of query.timeDimensions || []) views.add(memberView(td.dimension));
    for (const s of query.segments || []) views.add(memberView(s));
    filterViews(query.filters, views);
    const order = Array.isArray(query.order) ? query.order.map((o) => (Array.isArray(o) ? o[0] : o.id)) : Object.keys(query.order || {});
    for (const key of order) memberView(key.split('.').slice(0, 2).join('.'));
    if (views.size === 0) throw new Error('The query names no member');
    query.filters = [
      ...(query.filters || []),
      ...[...views].map((view) => ({ member: `${view}.${WORKSPACE_DIMENSION}`, operator: 'equals', values: [workspaceId] })),
    ];
    return query;
  },

  checkSqlAuth: async (req, user, password) => {
    if (!password) throw new Error('Use a Spendgraph API key with the read scope as the password');
    const hash = crypto.createHash('sha256').update(password).digest();
    const { rows } = await sqlAuthPool().query(
      `SELECT workspace_id::text AS workspace_id FROM api_keys
        WHERE key_hash = $1 AND revoked_at IS NULL AND 'read' = ANY (scopes)`,
      [hash],
    );
    if (!rows.length) throw new Error('Invalid API key');
    return { password, securityContext: { workspaceId: rows[0].workspace_id } };
  },
};
