-- Up Migration

-- The week-wide sealed check is replaced by per-day sealing (rollup_partition_dirty_span,
-- docs/decisions/0001-read-path.md); nothing calls it any more.
DROP FUNCTION rollup_partition_sealed(text, uuid, timestamptz, timestamptz);

-- Down Migration

CREATE FUNCTION rollup_partition_sealed(built text, ws uuid, range_from timestamptz, range_to timestamptz) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN built IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM rollup_dirty_days d
     WHERE d.workspace_id = ws
       AND d.day BETWEEN (range_from AT TIME ZONE 'UTC')::date AND (range_to AT TIME ZONE 'UTC')::date
       AND NOT pg_visible_in_snapshot(d.xid, built::pg_snapshot));
