-- Up Migration

-- A call done for several work items is ONE usage event (so `calls`, averages, rates,
-- percentiles and distinct counts count calls) plus its allocation here: one row per work
-- item with an exact decimal share; a call's shares add up to exactly 1
-- (packages/schema/src/work-item-allocation.ts). A call for a single work item has it in
-- usage_events.work_item and no rows here.
--
-- Costs are not copied: an item's part of a cost is cost × share, computed at query time
-- (cube/model/cubes/work_item_allocations.yml). Numeric multiplication is exact, so the parts
-- add up to the call's cost exactly, and a repricing, which changes only usage_events, leaves
-- the allocation consistent without touching it.
--
-- Rows are written in the same transaction as their event (packages/db/src/usage-events.ts)
-- and deleted with it by retention. Same time partitioning as usage_events, so the range of a
-- query bounds both scans.
CREATE TABLE usage_event_work_items (
  workspace_id uuid NOT NULL,
  event_id     uuid NOT NULL,
  occurred_at  timestamptz NOT NULL,
  work_item    text NOT NULL,
  share        numeric NOT NULL CHECK (share >= 0 AND share <= 1),
  PRIMARY KEY (workspace_id, event_id, occurred_at, work_item)
);

SELECT create_hypertable(
  'usage_event_work_items',
  by_range('occurred_at', INTERVAL '1 day'),
  create_default_indexes => false
);

-- Down Migration

DROP TABLE usage_event_work_items;
