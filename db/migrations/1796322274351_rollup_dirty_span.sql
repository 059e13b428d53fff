-- Up Migration

-- Per-day sealing inside a roll-up partition (docs/decisions/0001-read-path.md). A weekly partition
-- holds one row per local day; a write to one day need not send the other six to raw events.
--
-- The local days [lo, hi) of a partition (in zone `tz`, its range [range_from, range_to]) that
-- workspace `ws` changed since the snapshot `built` the partition was made from: from the local
-- day of the first unseen dirty mark's UTC day to that of the last one. NULL when nothing changed
-- (the partition is sealed); the partition's whole range when `built` is NULL (an empty table, or
-- one built after the reading snapshot began: nothing to trust). Days outside [lo, hi) cover no
-- instant of a dirty UTC day, so their roll-up rows hold the truth.
CREATE FUNCTION rollup_partition_dirty_span(built text, ws uuid, range_from timestamptz, range_to timestamptz, tz text) RETURNS tsrange
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN (
    SELECT tsrange(date_trunc('day', min(u.lo) AT TIME ZONE tz),
                   date_trunc('day', (max(u.hi) - interval '1 microsecond') AT TIME ZONE tz) + interval '1 day')
      FROM (SELECT d.day::timestamp AT TIME ZONE 'UTC' AS lo, (d.day + 1)::timestamp AT TIME ZONE 'UTC' AS hi
              FROM rollup_dirty_days d
             WHERE built IS NOT NULL AND d.workspace_id = ws
               AND d.day BETWEEN (range_from AT TIME ZONE 'UTC')::date AND (range_to AT TIME ZONE 'UTC')::date
               AND NOT pg_visible_in_snapshot(d.xid, built::pg_snapshot)
            UNION ALL
            SELECT range_from, range_to + interval '1 microsecond' WHERE built IS NULL) AS u
    HAVING count(*) > 0);

-- Down Migration

DROP FUNCTION rollup_partition_dirty_span(text, uuid, timestamptz, timestamptz, text);
