-- Up Migration

-- The audit trail of explicit repricings: who asked (API key), when, which price change
-- and which events it covers, and the totals before and after. Stored costs only change
-- through a repricing recorded here ("history never changes silently").
CREATE TABLE repricings (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id       uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  requested_by_key   uuid,                  -- the API key (kept as an id if the key is deleted)
  requested_by_name  text NOT NULL,         -- its name and prefix at the time
  requested_at       timestamptz NOT NULL DEFAULT now(),
  reason             text NOT NULL,         -- the price change, in the requester's words
  provider           text NOT NULL,
  model_pattern      text,                  -- case-insensitive regular expression, as price overrides; NULL: every model
  range_from         timestamptz NOT NULL,  -- events at or after (the price's effective date)
  range_to           timestamptz NOT NULL,  -- and before
  status             text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'done', 'failed')),
  started_at         timestamptz,
  finished_at        timestamptz,
  events_matched     bigint,
  events_changed     bigint,
  total_before       numeric,               -- sum of total_cost of the matched events (priced ones), before
  total_after        numeric,               -- and after
  unpriced_before    bigint,
  unpriced_after     bigint,
  -- Price sources before and after: {"catalog|genai-prices@0.1.8": 120, ...}
  sources_before     jsonb,
  sources_after      jsonb,
  error              text
);
CREATE INDEX repricings_workspace_idx ON repricings (workspace_id, requested_at DESC);

-- Down Migration

DROP TABLE repricings;
