-- Up Migration

-- The roll-ups' build range starts at the oldest day a write marked dirty (cube/model/cubes/
-- usage_events.yml, docs/decisions/0001-read-path.md). Days stored before marks existed get one
-- mark each here, under no workspace (the nil uuid: no sealed check reads it), so that their
-- weeks stay in the range.
INSERT INTO rollup_dirty_days (workspace_id, day)
SELECT DISTINCT '00000000-0000-0000-0000-000000000000'::uuid, d::date
  FROM timescaledb_information.chunks c,
       generate_series(c.range_start, c.range_end - interval '1 microsecond', interval '1 day') AS d
 WHERE c.hypertable_schema = current_schema() AND c.hypertable_name = 'usage_events'
   AND NOT EXISTS (SELECT 1 FROM rollup_dirty_days m WHERE m.day = d::date);

-- Down Migration

DELETE FROM rollup_dirty_days WHERE workspace_id = '00000000-0000-0000-0000-000000000000';
