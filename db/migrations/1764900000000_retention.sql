-- Up Migration

-- Retention of raw events, per workspace.
--
-- Raw events older than a workspace's raw_retention_days (counted in whole UTC days)
-- are moved into usage_daily by the worker's apply-retention job: in one transaction,
-- while ingest waits on a lock on usage_events, their daily aggregates are added to
-- usage_daily and the events deleted, and raw_data_horizon advances — so every event is
-- counted exactly once, in one table or the other (packages/db/src/retention.ts).
--
-- Chunks hold every workspace's events of a day, so a chunk cannot be dropped when one
-- workspace's retention passes it. The rule: rows are deleted per workspace; a chunk is
-- dropped (drop_chunks, whole files, no vacuum) once it is empty and every older chunk is
-- empty too — i.e. up to the oldest day any workspace still keeps raw. A workspace
-- without retention (NULL) keeps its raw events, and therefore their chunks, forever.
ALTER TABLE workspaces
  ADD COLUMN raw_retention_days integer CHECK (raw_retention_days BETWEEN 1 AND 36500),
  -- Raw events before this instant are gone (aggregated into usage_daily); NULL: none removed.
  ADD COLUMN raw_data_horizon timestamptz;

-- Sums of numerics that stay NULL when both sides are (an unpriced group has no cost, not $0).
CREATE FUNCTION sg_add(a numeric, b numeric) RETURNS numeric
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE WHEN a IS NULL AND b IS NULL THEN NULL ELSE coalesce(a, 0) + coalesce(b, 0) END;

-- Daily aggregates of usage_events by every dimension (tags, event ids and single
-- latencies are not kept: percentiles and tag queries need raw events). Days are UTC.
-- usage_events_by_day is the one definition of the aggregation: the retention job
-- inserts from it, and the usage_daily cube (cube/model) reads usage_daily together with
-- it, so long-term reports see kept and raw days alike.
CREATE VIEW usage_events_by_day AS
SELECT
  workspace_id,
  date_trunc('day', occurred_at, 'UTC') AS day,
  kind, provider, model, status, currency, unpriced, price_source, price_version, source,
  space, plan_id, task_id, task_type, workflow, step, agent, user_id, customer_id, feature, session_id, work_item,
  count(*)::bigint AS calls,
  sum(latency_ms)::bigint AS latency_ms_sum,
  count(latency_ms)::bigint AS latency_ms_count,
  sum(input_tokens)::bigint AS input_tokens,
  sum(output_tokens)::bigint AS output_tokens,
  sum(cache_read_tokens)::bigint AS cache_read_tokens,
  sum(cache_write_5m_tokens)::bigint AS cache_write_5m_tokens,
  sum(cache_write_1h_tokens)::bigint AS cache_write_1h_tokens,
  sum(reasoning_tokens)::bigint AS reasoning_tokens,
  sum(input_cost) AS input_cost,
  sum(output_cost) AS output_cost,
  sum(cache_read_cost) AS cache_read_cost,
  sum(cache_write_5m_cost) AS cache_write_5m_cost,
  sum(cache_write_1h_cost) AS cache_write_1h_cost,
  sum(reasoning_cost) AS reasoning_cost,
  sum(total_cost) AS total_cost,
  max(occurred_at) AS last_event_at
FROM usage_events
GROUP BY workspace_id, date_trunc('day', occurred_at, 'UTC'),
  kind, provider, model, status, currency, unpriced, price_source, price_version, source,
  space, plan_id, task_id, task_type, workflow, step, agent, user_id, customer_id, feature, session_id, work_item;

-- Same columns, same order as the view.
CREATE TABLE usage_daily AS SELECT * FROM usage_events_by_day WITH NO DATA;
ALTER TABLE usage_daily
  ALTER COLUMN workspace_id SET NOT NULL,
  ALTER COLUMN day SET NOT NULL,
  ADD CONSTRAINT usage_daily_key UNIQUE NULLS NOT DISTINCT (workspace_id, day,
    kind, provider, model, status, currency, unpriced, price_source, price_version, source,
    space, plan_id, task_id, task_type, workflow, step, agent, user_id, customer_id, feature, session_id, work_item);

-- Down Migration

DROP TABLE usage_daily;
DROP VIEW usage_events_by_day;
DROP FUNCTION sg_add(numeric, numeric);
ALTER TABLE workspaces DROP COLUMN raw_data_horizon, DROP COLUMN raw_retention_days;
