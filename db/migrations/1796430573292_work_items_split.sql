-- Up Migration

-- Whether a call has allocation rows in usage_event_work_items (a call done for several work
-- items). Written in the transaction that stores them (packages/db/src/work-item-allocations.ts),
-- so the `work_items` dimension (cube/model/cubes/usage_events.yml) looks them up only for the
-- calls that have some: an export of a million events ran its correlated subquery a million times.
ALTER TABLE usage_events ADD COLUMN work_items_split boolean NOT NULL DEFAULT false;

UPDATE usage_events e SET work_items_split = true
  FROM (SELECT DISTINCT workspace_id, event_id, occurred_at FROM usage_event_work_items) a
 WHERE e.workspace_id = a.workspace_id AND e.event_id = a.event_id AND e.occurred_at = a.occurred_at;

-- Down Migration

ALTER TABLE usage_events DROP COLUMN work_items_split;
