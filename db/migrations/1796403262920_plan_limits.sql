-- Up Migration

-- Plan limits (issue 22): a budget may count tokens or calls instead of money (a subscription
-- plan's usage, e.g. a seat's tokens in a 5-hour window or a weekly cap), and a rolling window
-- may be given in hours. `amount` is then in the budget's unit; `currency` only matters for cost.
ALTER TABLE budgets ADD COLUMN unit text NOT NULL DEFAULT 'cost' CHECK (unit IN ('cost', 'tokens', 'calls'));
ALTER TABLE budgets ADD COLUMN rolling_hours integer CHECK (rolling_hours BETWEEN 1 AND 8784);
DO $$
DECLARE c text;
BEGIN
  -- The unnamed CHECK ((period = 'rolling') = (rolling_days IS NOT NULL)) of the budgets migration.
  SELECT conname INTO c FROM pg_constraint
   WHERE conrelid = 'budgets'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%rolling_days IS NOT NULL%';
  EXECUTE format('ALTER TABLE budgets DROP CONSTRAINT %I', c);
END $$;
ALTER TABLE budgets ADD CONSTRAINT budgets_rolling_window CHECK (
  (period = 'rolling') = (rolling_days IS NOT NULL OR rolling_hours IS NOT NULL) AND NOT (rolling_days IS NOT NULL AND rolling_hours IS NOT NULL));

-- Down Migration
ALTER TABLE budgets DROP CONSTRAINT budgets_rolling_window;
DELETE FROM budgets WHERE rolling_hours IS NOT NULL;
ALTER TABLE budgets ADD CHECK ((period = 'rolling') = (rolling_days IS NOT NULL));
ALTER TABLE budgets DROP COLUMN rolling_hours, DROP COLUMN unit;
