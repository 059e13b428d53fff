-- Up Migration

-- A spending limit over a scope of the semantic model (the members users query).
CREATE TABLE budgets (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id    uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  -- [{member, operator: equals|notEquals, values}] on `usage` dimensions; [] only when whole_workspace.
  scope           jsonb NOT NULL DEFAULT '[]',
  whole_workspace boolean NOT NULL DEFAULT false,
  CHECK (whole_workspace = (scope = '[]'::jsonb)),
  period          text NOT NULL CHECK (period IN ('daily', 'weekly', 'monthly', 'rolling', 'lifetime')),
  rolling_days    integer CHECK (rolling_days BETWEEN 1 AND 366),
  CHECK ((period = 'rolling') = (rolling_days IS NOT NULL)),
  timezone        text NOT NULL DEFAULT 'UTC',
  amount          numeric NOT NULL CHECK (amount > 0),
  currency        text NOT NULL DEFAULT 'USD',
  -- Percent of amount, ascending; each fires once per budget per period.
  thresholds      numeric[] NOT NULL DEFAULT '{50,75,90,100}' CHECK (cardinality(thresholds) BETWEEN 1 AND 20),
  forecast_alerts boolean NOT NULL DEFAULT true,
  mode            text NOT NULL DEFAULT 'soft' CHECK (mode IN ('soft', 'hard')),
  paused          boolean NOT NULL DEFAULT false,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX budgets_workspace_idx ON budgets (workspace_id) WHERE NOT paused;

-- The latest evaluation of each budget: what the guard check answers from.
CREATE TABLE budget_status (
  budget_id             uuid PRIMARY KEY REFERENCES budgets (id) ON DELETE CASCADE,
  workspace_id          uuid NOT NULL,
  -- The spend was read as of this time; an older evaluation never overwrites a newer one.
  as_of                 timestamptz NOT NULL,
  -- Start of the calendar period, 'lifetime' or 'rolling': a new key resets `reached`.
  period_key            text NOT NULL,
  -- The window the spend covers: calendar periods end at period_end, rolling ones end at as_of,
  -- lifetime ones have neither bound.
  period_start          timestamptz,
  period_end            timestamptz,
  -- The budget's amount when evaluated (raising the limit re-evaluates).
  amount                numeric NOT NULL,
  spend                 numeric NOT NULL,
  projected_spend       numeric,
  projected_crossing_at timestamptz,
  -- Thresholds (percent) and 'forecast' currently reached in this period: a level fires when it
  -- enters this set, so it fires once per period (or per excursion, for rolling windows).
  reached               text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX budget_status_workspace_idx ON budget_status (workspace_id);

-- BudgetThresholdCrossed: every crossing of a threshold, and every projected crossing.
CREATE TABLE budget_alerts (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id          uuid NOT NULL,
  budget_id             uuid NOT NULL REFERENCES budgets (id) ON DELETE CASCADE,
  kind                  text NOT NULL CHECK (kind IN ('threshold', 'forecast')),
  threshold             numeric,          -- percent; null for a forecast
  CHECK ((kind = 'threshold') = (threshold IS NOT NULL)),
  -- Start of the calendar period, 'lifetime', or for rolling windows the start of the excursion.
  period_key            text NOT NULL,
  period_start          timestamptz,
  period_end            timestamptz,
  spend                 numeric NOT NULL,
  amount                numeric NOT NULL,
  currency              text NOT NULL,
  projected_spend       numeric,
  projected_crossing_at timestamptz,
  occurred_at           timestamptz NOT NULL DEFAULT clock_timestamp()
);
-- Once per budget, period and level, even when two evaluations race.
CREATE UNIQUE INDEX budget_alerts_once_idx ON budget_alerts (budget_id, period_key, kind, coalesce(threshold, -1));
CREATE INDEX budget_alerts_workspace_idx ON budget_alerts (workspace_id, occurred_at DESC);

-- Where alerts go: for every budget of the workspace (budget_id null) or for one budget.
CREATE TABLE alert_channels (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  budget_id    uuid REFERENCES budgets (id) ON DELETE CASCADE,
  name         text NOT NULL,
  type         text NOT NULL CHECK (type IN ('webhook', 'slack', 'email')),
  target       text NOT NULL,            -- URL (webhook, slack) or e-mail address
  secret       text,                     -- HMAC-SHA256 key of a webhook's signature
  CHECK ((type = 'webhook') = (secret IS NOT NULL)),
  enabled      boolean NOT NULL DEFAULT true,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_channels_workspace_idx ON alert_channels (workspace_id);

-- One row per alert and channel: the outbox the delivery jobs work from, and their log.
CREATE TABLE alert_deliveries (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL,
  alert_id     uuid NOT NULL REFERENCES budget_alerts (id) ON DELETE CASCADE,
  channel_id   uuid NOT NULL REFERENCES alert_channels (id) ON DELETE CASCADE,
  status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts     integer NOT NULL DEFAULT 0,
  last_status  integer,                  -- HTTP status of the last attempt
  last_error   text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz,
  UNIQUE (alert_id, channel_id)
);
CREATE INDEX alert_deliveries_pending_idx ON alert_deliveries (created_at) WHERE status = 'pending';

-- Down Migration

DROP TABLE alert_deliveries;
DROP TABLE alert_channels;
DROP TABLE budget_alerts;
DROP TABLE budget_status;
DROP TABLE budgets;
