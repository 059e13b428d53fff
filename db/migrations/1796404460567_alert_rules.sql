-- Up Migration

-- Alert rules and in-app notifications (issue 21, docs/decisions/0028-alert-rules-and-notifications.md).
--
-- A rule is on anomalies (a minimum dollar impact and filters on the anomaly's subject) or on a
-- measure of the `usage` view (per one dimension or the whole scope, with filters, per UTC day or
-- hour, compared with a threshold). The worker's evaluate-alert-rules job records a notification
-- per rule × group × window (an anomaly is its own group and window) and, in the same transaction,
-- a delivery to each of the rule's enabled channels (the outbox, like budget alerts).
CREATE TABLE alert_rules (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  kind         text NOT NULL CHECK (kind IN ('anomaly', 'metric')),
  -- The kind's condition, as the API validated it (AnomalyCondition or MetricCondition in @spendgraph/db).
  condition    jsonb NOT NULL,
  channel_ids  uuid[] NOT NULL DEFAULT '{}',
  enabled      boolean NOT NULL DEFAULT true,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_rules_workspace_idx ON alert_rules (workspace_id, created_at);

CREATE TABLE notifications (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  rule_id      uuid NOT NULL REFERENCES alert_rules(id) ON DELETE CASCADE,
  -- The dimension's value (metric rules; '' for the whole scope) or the anomaly's id.
  group_key    text NOT NULL,
  window_start timestamptz NOT NULL,
  window_end   timestamptz NOT NULL,
  -- The figure that fired it (the measure, or the anomaly's excess) and the threshold then.
  value        numeric NOT NULL,
  threshold    numeric NOT NULL,
  title        text NOT NULL,
  detail       jsonb NOT NULL DEFAULT '{}',
  occurred_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (rule_id, group_key, window_start)
);
CREATE INDEX notifications_workspace_idx ON notifications (workspace_id, occurred_at DESC, id);

-- Read marks per reader: a person ('user:<id>') or, for an API key without one, the key ('key:<id>').
CREATE TABLE notification_reads (
  notification_id uuid NOT NULL REFERENCES notifications(id) ON DELETE CASCADE,
  reader          text NOT NULL,
  read_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (notification_id, reader)
);

CREATE TABLE notification_deliveries (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id    uuid NOT NULL,
  notification_id uuid NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
  channel_id      uuid NOT NULL REFERENCES alert_channels (id) ON DELETE CASCADE,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  last_status     integer,
  last_error      text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  delivered_at    timestamptz,
  UNIQUE (notification_id, channel_id)
);
CREATE INDEX notification_deliveries_pending_idx ON notification_deliveries (created_at) WHERE status = 'pending';

-- Down Migration

DROP TABLE notification_deliveries;
DROP TABLE notification_reads;
DROP TABLE notifications;
DROP TABLE alert_rules;
