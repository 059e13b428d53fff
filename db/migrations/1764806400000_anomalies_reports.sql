-- Up Migration

-- Sessions and tasks costing more than `threshold` x the median of their peer group within a
-- detection window (a calendar day or week). The detection job replaces a window's set on each
-- run, so rerunning it is harmless and the rows show the latest figures.
CREATE TABLE anomalies (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  kind          text NOT NULL CHECK (kind IN ('session', 'task')),
  subject_id    text NOT NULL,                 -- the session_id or task_id
  -- The peer group the subject was compared with: a dimension (agent, task_type) and its value.
  peer_dimension text NOT NULL,
  peer_value     text NOT NULL,
  peer_count     integer NOT NULL,             -- subjects in the peer group, the subject included
  window_start  timestamptz NOT NULL,
  window_end    timestamptz NOT NULL,
  timezone      text NOT NULL,
  currency      text NOT NULL,
  cost          numeric NOT NULL,
  peer_median   numeric NOT NULL,
  ratio         numeric NOT NULL,              -- cost / peer_median
  threshold     numeric NOT NULL,              -- the ratio above which a subject is flagged
  -- Likely causes, strongest first: [{cause, score, summary, evidence: [{metric, value, peerMedian}]}].
  causes        jsonb NOT NULL DEFAULT '[]',
  detected_at   timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, kind, subject_id, window_start, window_end)
);
CREATE INDEX anomalies_workspace_idx ON anomalies (workspace_id, window_start DESC);

-- Stored reports (the morning report): the Markdown delivered and the figures it was written from.
CREATE TABLE reports (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  kind         text NOT NULL CHECK (kind IN ('morning')),
  for_date     date NOT NULL,                  -- the day reported on, in `timezone`
  timezone     text NOT NULL,
  currency     text NOT NULL,
  markdown     text NOT NULL,
  figures      jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, kind, for_date)
);
CREATE INDEX reports_workspace_idx ON reports (workspace_id, for_date DESC);

-- One row per report and channel: the outbox of report delivery jobs, and their log.
CREATE TABLE report_deliveries (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL,
  report_id    uuid NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
  channel_id   uuid NOT NULL REFERENCES alert_channels (id) ON DELETE CASCADE,
  status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts     integer NOT NULL DEFAULT 0,
  last_status  integer,                        -- HTTP status of the last attempt
  last_error   text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz,
  UNIQUE (report_id, channel_id)
);
CREATE INDEX report_deliveries_pending_idx ON report_deliveries (created_at) WHERE status = 'pending';

-- Down Migration

DROP TABLE report_deliveries;
DROP TABLE reports;
DROP TABLE anomalies;
