-- Up Migration

-- Unit economics (issue 17): shared costs allocated to the work that used them, and revenue, so
-- the model (cube/model/cubes/allocations.yml) shows direct, allocated and true cost, revenue and
-- margin per workflow, feature, customer and plan.
--
-- A cost pool is a shared cost of one calendar month (UTC): a vector database, GPU hosts,
-- observability, a contract. Amounts have at most 8 decimal places: allocations are rounded to
-- 1e-8 by largest remainder, so a pool's allocations add up to it exactly.
CREATE TABLE cost_pools (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  amount       numeric NOT NULL CHECK (amount > 0 AND scale(amount) <= 8),
  currency     text NOT NULL DEFAULT 'USD' CHECK (currency = 'USD'),
  -- The first day of the month it is spent in.
  month        date NOT NULL CHECK (month = date_trunc('month', month)::date),
  -- 'manual' (GraphQL) or 'focus' (a FOCUS file's line, summed per service and month).
  source       text NOT NULL DEFAULT 'manual' CHECK (source IN ('manual', 'focus')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, name, month)
);

-- How a pool divides (FinOps allocation rules): in proportion to a measure of the month's
-- events (cost, tokens, calls) per value of a dimension (events without a value share as one
-- more group, so the whole pool is allocated), evenly between the values that had events, or by
-- fixed percentages of named values (adding up to 100).
CREATE TABLE allocation_rules (
  pool_id      uuid PRIMARY KEY REFERENCES cost_pools(id) ON DELETE CASCADE,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  method       text NOT NULL CHECK (method IN ('proportional', 'even', 'fixed')),
  measure      text CHECK (measure IN ('cost', 'tokens', 'calls')),
  dimension    text NOT NULL CHECK (dimension IN ('workflow', 'feature', 'customer', 'plan')),
  -- {"value": percent, ...} for 'fixed'.
  percentages  jsonb,
  CHECK ((method = 'proportional') = (measure IS NOT NULL)),
  CHECK ((method = 'fixed') = (percentages IS NOT NULL))
);

-- Revenue per UTC day and customer and/or feature (REST, CSV, Stripe-shaped invoice events).
-- external_id makes a resent entry (a retried request, an invoice event delivered twice) count once.
CREATE TABLE revenue_entries (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  external_id  text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 200),
  day          date NOT NULL,
  customer_id  text,
  feature      text,
  plan_id      text,
  amount       numeric NOT NULL,
  currency     text NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
  source       text NOT NULL CHECK (source IN ('api', 'csv', 'stripe')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, external_id)
);
CREATE INDEX revenue_entries_day_idx ON revenue_entries (workspace_id, day);

-- Down Migration

DROP TABLE revenue_entries;
DROP TABLE allocation_rules;
DROP TABLE cost_pools;
