-- Up Migration

-- What providers actually charged (issue 17, reconciliation): one row per bill line as the
-- provider's report or export states it, grouped by UTC day. A line that names no model
-- (a platform fee, a credit, a tool) keeps model NULL and is shown as unattributed spend.
--
-- An import covers a source's days: re-importing replaces that source's lines for exactly
-- those days in one transaction (packages/db/src/provider-bills.ts), so a period imported
-- twice is counted once. Money is `numeric` as billed, never rounded here.
CREATE TABLE provider_bill_imports (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  source       text NOT NULL CHECK (source IN ('openai', 'anthropic', 'gcp', 'focus')),
  -- 'upload' (POST /v1/bills/{source}) or 'connector' (the worker's scheduled pull).
  via          text NOT NULL CHECK (via IN ('upload', 'connector')),
  first_day    date NOT NULL,
  last_day     date NOT NULL CHECK (last_day >= first_day),
  lines        integer NOT NULL,
  total        numeric NOT NULL,
  imported_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX provider_bill_imports_workspace_idx ON provider_bill_imports (workspace_id, imported_at DESC);

CREATE TABLE provider_bill_lines (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  import_id    uuid NOT NULL REFERENCES provider_bill_imports(id) ON DELETE CASCADE,
  source       text NOT NULL CHECK (source IN ('openai', 'anthropic', 'gcp', 'focus')),
  day          date NOT NULL,
  -- Named like events' `provider` (openai, anthropic, google, ...), so bills meet events.
  provider     text NOT NULL,
  model        text,
  -- The bill's own grouping where it has one: OpenAI project, Anthropic workspace, GCP project, FOCUS sub-account.
  account      text,
  -- The provider's description of the line (OpenAI line_item, Anthropic description, GCP SKU, FOCUS charge).
  line_item    text,
  currency     text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  amount       numeric NOT NULL
);
CREATE INDEX provider_bill_lines_day_idx ON provider_bill_lines (workspace_id, source, day);

-- Down Migration

DROP TABLE provider_bill_lines;
DROP TABLE provider_bill_imports;
