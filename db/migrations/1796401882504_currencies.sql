-- Up Migration

-- Currencies (issue 17, docs/decisions/0023-currencies.md): every amount is converted to its
-- workspace's reporting currency (workspaces.currency) at the ECB euro reference rate of its own
-- UTC day, cross rates through the euro, in numeric.
--
-- fx_rates holds the ECB's rates: units of `currency` per euro on `day` (a TARGET business day).
-- The shipped history is loaded after the migrations (packages/db/src/fx-rates.ts), newer days
-- are imported; both go through the same import, which re-converts what they changed.
CREATE TABLE fx_rates (
  currency    text NOT NULL CHECK (currency ~ '^[A-Z]{3}$' AND currency <> 'EUR'),
  day         date NOT NULL,
  per_eur     numeric NOT NULL CHECK (per_eur > 0),
  -- 'shipped' (the history in packages/fx/data) or 'import' (an operator's or admin's file).
  source      text NOT NULL CHECK (source IN ('shipped', 'import')),
  imported_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (currency, day)
);

-- Units of `cur` per euro on day d: the ECB rate of d, else of the latest earlier day with one
-- (weekends, TARGET holidays, days after the last imported one). NULL: no rate on or before d.
CREATE FUNCTION sg_fx_per_eur(cur text, d date) RETURNS numeric
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN CASE WHEN cur = 'EUR' THEN 1::numeric
              ELSE (SELECT r.per_eur FROM fx_rates r WHERE r.currency = cur AND r.day <= d ORDER BY r.day DESC LIMIT 1) END;

-- What one unit of from_cur is worth in to_cur on day d: through the euro, rounded to 14
-- decimal places (ECB rates have at most 6 significant digits; 14 places keep any amount below
-- 10^9 exact to far below a cent). 1 for the same currency; NULL when either has no rate.
CREATE FUNCTION sg_fx_factor(from_cur text, to_cur text, d date) RETURNS numeric
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN CASE WHEN from_cur = to_cur THEN 1::numeric
              ELSE round(sg_fx_per_eur(to_cur, d) / sg_fx_per_eur(from_cur, d), 14) END;

-- An amount of workspace ws dated d, in the workspace's reporting currency. For the small
-- tables read at query time (bill lines, pools, revenue, the retention archive).
CREATE FUNCTION sg_fx_to_reporting(amount numeric, cur text, ws uuid, d date) RETURNS numeric
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN amount * sg_fx_factor(cur, (SELECT w.currency FROM workspaces w WHERE w.id = ws), d);

-- Events carry the factor of their own UTC day from their currency to their workspace's
-- reporting currency, set when stored (packages/db/src/usage-events.ts). Cost measures are
-- cost × fx_rate (cube/model/cubes/usage_events.yml), so roll-ups hold converted sums; whatever
-- changes a factor (a rate import, a new reporting currency, repricing) rewrites it with
-- sg_fx_refresh_events, which marks the days it changed dirty (docs/decisions/0001-read-path.md).
-- NULL: no rate for the event's currency on or before its day; its cost is in no converted sum.
ALTER TABLE usage_events ADD COLUMN fx_rate numeric DEFAULT 1;

-- Re-derives fx_rate for the events of workspace ws (NULL: all) whose currency or reporting
-- currency is cur (NULL: any), dated in [from_day, to_day) (NULL: unbounded), and marks the
-- UTC days whose factor changed dirty, in the caller's transaction. Returns the events changed.
CREATE FUNCTION sg_fx_refresh_events(ws uuid, cur text, from_day date, to_day date) RETURNS bigint
  LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  n bigint;
BEGIN
  WITH upd AS (
    UPDATE usage_events e
       SET fx_rate = sg_fx_factor(e.currency, w.currency, (e.occurred_at AT TIME ZONE 'UTC')::date)
      FROM workspaces w
     WHERE w.id = e.workspace_id
       AND (ws IS NULL OR e.workspace_id = ws)
       AND (cur IS NULL OR e.currency = cur OR w.currency = cur)
       AND (from_day IS NULL OR e.occurred_at >= (from_day::timestamp AT TIME ZONE 'UTC'))
       AND (to_day IS NULL OR e.occurred_at < (to_day::timestamp AT TIME ZONE 'UTC'))
       AND e.fx_rate IS DISTINCT FROM sg_fx_factor(e.currency, w.currency, (e.occurred_at AT TIME ZONE 'UTC')::date)
    RETURNING e.workspace_id, (e.occurred_at AT TIME ZONE 'UTC')::date AS day
  ), marks AS (
    INSERT INTO rollup_dirty_days (workspace_id, day) SELECT DISTINCT workspace_id, day FROM upd RETURNING 1
  )
  SELECT count(*) INTO n FROM upd;
  RETURN n;
END $$;

-- Pools may be in any currency now (converted like everything else).
ALTER TABLE cost_pools DROP CONSTRAINT IF EXISTS cost_pools_currency_check;
ALTER TABLE cost_pools ADD CONSTRAINT cost_pools_currency_check CHECK (currency ~ '^[A-Z]{3}$');

-- Down Migration
ALTER TABLE cost_pools DROP CONSTRAINT IF EXISTS cost_pools_currency_check;
ALTER TABLE cost_pools ADD CONSTRAINT cost_pools_currency_check CHECK (currency = 'USD');
DROP FUNCTION sg_fx_refresh_events(uuid, text, date, date);
ALTER TABLE usage_events DROP COLUMN fx_rate;
DROP FUNCTION sg_fx_to_reporting(numeric, text, uuid, date);
DROP FUNCTION sg_fx_factor(text, text, date);
DROP FUNCTION sg_fx_per_eur(text, date);
DROP TABLE fx_rates;
