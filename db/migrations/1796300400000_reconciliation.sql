-- Up Migration

-- Reconciliation in the model (issue 17, cube/model/cubes/bill_reconciliation.yml).
--
-- Bills and events meet on a model's name without its release date (`gpt-4o-mini-2024-07-18`,
-- `claude-sonnet-4-5-20250929`): one definition, used by the reconciliation cube.
CREATE FUNCTION sg_base_model(model text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN regexp_replace(model, '-(\d{4}-\d{2}-\d{2}|\d{8})$', '');

-- Variance alerts: when a day × provider's |billed − tracked| / billed exceeds the workspace's
-- threshold (percent; NULL: no alerts), the check after each bill import (the worker's
-- check-bill-variance job) records an alert and a delivery to each enabled workspace-wide
-- channel, in one transaction (the outbox, like budget alerts). One alert per day × provider
-- × currency: re-importing the same days does not alert again.
ALTER TABLE workspaces ADD COLUMN bill_variance_threshold numeric CHECK (bill_variance_threshold > 0 AND bill_variance_threshold <= 1000);

CREATE TABLE bill_variance_alerts (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id   uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  day            date NOT NULL,
  provider       text NOT NULL,
  currency       text NOT NULL,
  billed         numeric NOT NULL,
  tracked        numeric NOT NULL,
  variance       numeric NOT NULL,
  variance_share numeric NOT NULL,
  -- The threshold (percent) in force when it fired.
  threshold      numeric NOT NULL,
  occurred_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, day, provider, currency)
);

CREATE TABLE bill_variance_deliveries (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL,
  alert_id     uuid NOT NULL REFERENCES bill_variance_alerts (id) ON DELETE CASCADE,
  channel_id   uuid NOT NULL REFERENCES alert_channels (id) ON DELETE CASCADE,
  status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts     integer NOT NULL DEFAULT 0,
  last_status  integer,
  last_error   text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz,
  UNIQUE (alert_id, channel_id)
);
CREATE INDEX bill_variance_deliveries_pending_idx ON bill_variance_deliveries (created_at) WHERE status = 'pending';

-- Down Migration

DROP TABLE bill_variance_deliveries;
DROP TABLE bill_variance_alerts;
ALTER TABLE workspaces DROP COLUMN bill_variance_threshold;
DROP FUNCTION sg_base_model(text);
