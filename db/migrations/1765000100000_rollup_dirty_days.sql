-- Up Migration

-- Which days of which workspace changed, and by which transaction (docs/decisions/0001-read-path.md).
--
-- Every write to usage_events (ingest, repricing, retention) adds a row per UTC day it
-- touched, in the same transaction, with that transaction's id. A roll-up partition carries
-- the snapshot it was built from (its build_snapshot column); it is *sealed* for a workspace
-- while no dirty row of that workspace for its days comes from a transaction the snapshot
-- did not see. Queries read sealed partitions and compute the others from raw events in the
-- same statement, so an answer is the raw truth at the statement's snapshot.
--
-- Rows are appended (no hot row to lock between concurrent ingest jobs); the warming job
-- deletes the ones every roll-up table built since has seen (packages/semantic, warm).
CREATE TABLE rollup_dirty_days (
  seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id uuid NOT NULL,
  day          date NOT NULL,                           -- UTC day of the touched events
  xid          xid8 NOT NULL DEFAULT pg_current_xact_id() -- the writing transaction
);
CREATE INDEX rollup_dirty_days_workspace_day ON rollup_dirty_days (workspace_id, day);
CREATE INDEX rollup_dirty_days_day ON rollup_dirty_days (day, seq);

-- Marks UTC days of a workspace dirty; call it inside the transaction that writes the events.
CREATE FUNCTION mark_rollup_days_dirty(ws uuid, days date[]) RETURNS void
  LANGUAGE sql VOLATILE
  BEGIN ATOMIC
    INSERT INTO rollup_dirty_days (workspace_id, day) SELECT DISTINCT ws, d FROM unnest(days) AS d WHERE d IS NOT NULL;
  END;

-- True when a partition built at snapshot `built` (NULL: an empty partition, nothing to
-- trust) still holds the truth for workspace `ws` over [range_from, range_to].
CREATE FUNCTION rollup_partition_sealed(built text, ws uuid, range_from timestamptz, range_to timestamptz) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN built IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM rollup_dirty_days d
     WHERE d.workspace_id = ws
       AND d.day BETWEEN (range_from AT TIME ZONE 'UTC')::date AND (range_to AT TIME ZONE 'UTC')::date
       AND NOT pg_visible_in_snapshot(d.xid, built::pg_snapshot));

-- Down Migration

DROP FUNCTION rollup_partition_sealed(text, uuid, timestamptz, timestamptz);
DROP FUNCTION mark_rollup_days_dirty(uuid, date[]);
DROP TABLE rollup_dirty_days;
