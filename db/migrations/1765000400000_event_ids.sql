-- Up Migration

-- One event id, one row, whatever its occurred_at (docs/decisions/0004-event-ids-and-dead-letters.md).
--
-- TimescaleDB requires the partitioning column in every unique index of a hypertable, so
-- usage_events' key (workspace_id, event_id, occurred_at) let the same id in twice with two
-- timestamps (the proxy and the SDK stamping one call, a client retry that re-stamps).
-- This plain table is the key: the ingest worker writes an event's id here and its row into
-- usage_events in one transaction, and the first stored wins. Ids outlive retention (a raw
-- event moved into usage_daily and sent again is not counted again).
CREATE TABLE usage_event_ids (
  workspace_id uuid NOT NULL,
  event_id     uuid NOT NULL,
  occurred_at  timestamptz NOT NULL, -- of the stored row
  PRIMARY KEY (workspace_id, event_id)
);

-- Existing data: the later copies of an id (by arrival) are moved here, kept for audit,
-- counted nowhere. Their days' roll-ups must be rebuilt (see the ADR).
CREATE TABLE usage_events_duplicates (LIKE usage_events);

WITH ranked AS (
  SELECT workspace_id, event_id, occurred_at,
         row_number() OVER (PARTITION BY workspace_id, event_id ORDER BY received_at, occurred_at) AS n
    FROM usage_events
   WHERE (workspace_id, event_id) IN (SELECT workspace_id, event_id FROM usage_events GROUP BY 1, 2 HAVING count(*) > 1)
), later AS (
  DELETE FROM usage_events u USING ranked r
   WHERE r.n > 1 AND u.workspace_id = r.workspace_id AND u.event_id = r.event_id AND u.occurred_at = r.occurred_at
  RETURNING u.*
)
INSERT INTO usage_events_duplicates SELECT * FROM later;

INSERT INTO usage_event_ids (workspace_id, event_id, occurred_at)
SELECT workspace_id, event_id, occurred_at FROM usage_events;

-- The id table is the key now; the hypertable's own unique index would only cost writes.
-- (workspace_id, occurred_at, event_id) lookups keep usage_events_workspace_time_idx.
ALTER TABLE usage_events DROP CONSTRAINT usage_events_pkey;

-- Events the database refused when the worker stored their batch (the rest of the batch was
-- stored). `event` is the queued event as JSON text — not jsonb, which refuses \u0000, one of
-- the things that can be wrong with it. An admin replays them (GraphQL replayDeadLetters)
-- once the cause is fixed; a replayed event leaves this table.
CREATE TABLE ingest_dead_letters (
  workspace_id uuid NOT NULL,
  event_id     uuid NOT NULL,
  occurred_at  text NOT NULL,        -- as queued (it may be outside timestamptz's range)
  event        text NOT NULL,
  error_code   text NOT NULL,        -- SQLSTATE, or 'pricing'
  error        text NOT NULL,
  failed_at    timestamptz NOT NULL DEFAULT now(),
  attempts     integer NOT NULL DEFAULT 1,
  PRIMARY KEY (workspace_id, event_id)
);
CREATE INDEX ingest_dead_letters_time_idx ON ingest_dead_letters (workspace_id, failed_at DESC);

-- Down Migration

DROP TABLE ingest_dead_letters;
ALTER TABLE usage_events ADD PRIMARY KEY (workspace_id, event_id, occurred_at);
INSERT INTO usage_events SELECT * FROM usage_events_duplicates;
DROP TABLE usage_events_duplicates;
DROP TABLE usage_event_ids;
