-- Up Migration

CREATE EXTENSION IF NOT EXISTS timescaledb;

CREATE TABLE workspaces (
  id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug                   text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  name                   text NOT NULL,
  -- When true, events that arrive with their own cost are priced from the
  -- catalog anyway (the supplied cost is then ignored and not stored).
  reprice_supplied_costs boolean NOT NULL DEFAULT false,
  created_at             timestamptz NOT NULL DEFAULT now()
);

-- Keys are 32 random bytes: a SHA-256 of the whole key is as safe as a slow
-- hash here and lets the ingest path look a key up by its hash in one probe.
CREATE TABLE api_keys (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  name         text NOT NULL,
  prefix       text NOT NULL,             -- first characters, to recognise a key in lists
  key_hash     bytea NOT NULL UNIQUE,     -- sha256(key)
  scopes       text[] NOT NULL CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['ingest', 'read', 'admin']),
  created_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz
);
CREATE INDEX api_keys_workspace_idx ON api_keys (workspace_id);

-- Negotiated rates of a workspace, USD (or `currency`) per million tokens.
CREATE TABLE price_overrides (
  id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id            uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  provider                text NOT NULL,
  model_pattern           text NOT NULL,  -- case-insensitive regular expression
  input_per_mtok          numeric,
  output_per_mtok         numeric,
  cache_read_per_mtok     numeric,
  cache_write_5m_per_mtok numeric,
  cache_write_1h_per_mtok numeric,
  reasoning_per_mtok      numeric,
  currency                text NOT NULL DEFAULT 'USD',
  effective_from          timestamptz NOT NULL,
  note                    text,
  created_at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX price_overrides_workspace_idx ON price_overrides (workspace_id, effective_from);

CREATE TABLE usage_events (
  workspace_id          uuid NOT NULL,
  event_id              uuid NOT NULL,
  occurred_at           timestamptz NOT NULL,
  received_at           timestamptz NOT NULL DEFAULT now(),
  kind                  text NOT NULL DEFAULT 'model_call' CHECK (kind IN ('model_call', 'tool', 'retrieval', 'infra')),
  provider              text,
  model                 text,
  status                text NOT NULL DEFAULT 'ok',
  latency_ms            integer CHECK (latency_ms >= 0),

  -- Disjoint token partitions (see packages/schema/src/usage-conventions.ts).
  input_tokens          bigint NOT NULL DEFAULT 0,
  output_tokens         bigint NOT NULL DEFAULT 0,
  cache_read_tokens     bigint NOT NULL DEFAULT 0,
  cache_write_5m_tokens bigint NOT NULL DEFAULT 0,
  cache_write_1h_tokens bigint NOT NULL DEFAULT 0,
  reasoning_tokens      bigint NOT NULL DEFAULT 0,

  -- Cost per token type and in total; NULL (never 0) when the call is unpriced.
  -- A supplied cost (non-token work, provider-reported cost) fills total_cost only.
  input_cost            numeric,
  output_cost           numeric,
  cache_read_cost       numeric,
  cache_write_5m_cost   numeric,
  cache_write_1h_cost   numeric,
  reasoning_cost        numeric,
  total_cost            numeric,
  currency              text NOT NULL DEFAULT 'USD',
  price_source          text,             -- catalog | price-file | workspace | supplied
  price_version         text,             -- e.g. genai-prices@0.1.8, workspace@2026-01-01
  unpriced              boolean NOT NULL DEFAULT false,
  CHECK (unpriced = (total_cost IS NULL)),

  -- The work the call is attributed to.
  space                 text,
  plan_id               text,
  task_id               text,
  task_type             text,
  workflow              text,
  step                  text,
  agent                 text,
  user_id               text,
  customer_id           text,
  feature               text,
  session_id            text,
  work_item             text,
  source                text NOT NULL DEFAULT 'api',
  tags                  jsonb NOT NULL DEFAULT '{}',

  -- Idempotency: an event id is stored once per workspace. TimescaleDB requires
  -- the partitioning column in unique keys; a retry carries the same
  -- occurred_at, so (workspace, event, time) deduplicates every re-delivery.
  PRIMARY KEY (workspace_id, event_id, occurred_at)
);

-- One chunk per day. A chunk and its indexes should fit in about a quarter of
-- memory while it is being written: a heavy workspace set (10 M events/day at
-- ~600 B/row with indexes, ~6 GB) still fits a 24 GB host, and daily chunks let
-- retention drop raw data by whole days with drop_chunks. Queries over a
-- quarter touch ~90 chunks, which the planner excludes cheaply by time.
SELECT create_hypertable(
  'usage_events',
  by_range('occurred_at', INTERVAL '1 day'),
  create_default_indexes => false
);

-- Every roll-up is one workspace over a time range, grouped by dimensions;
-- this index serves those scans and the events list's (time, id) cursor.
CREATE INDEX usage_events_workspace_time_idx ON usage_events (workspace_id, occurred_at DESC, event_id);
-- Drill-downs to the events of one plan or one session.
CREATE INDEX usage_events_plan_idx ON usage_events (workspace_id, plan_id, occurred_at DESC) WHERE plan_id IS NOT NULL;
CREATE INDEX usage_events_session_idx ON usage_events (workspace_id, session_id, occurred_at DESC) WHERE session_id IS NOT NULL;

-- Down Migration

DROP TABLE usage_events;
DROP TABLE price_overrides;
DROP TABLE api_keys;
DROP TABLE workspaces;
