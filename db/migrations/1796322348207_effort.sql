-- Up Migration

-- The reasoning effort a call was made at (issue 24): none, minimal, low, medium, high, xhigh, as
-- packages/schema/src/effort.ts maps each source's names and thinking budgets onto them. NULL when
-- the source did not say. A dimension only: effort changes the tokens a call uses, not their price.
ALTER TABLE usage_events
  ADD COLUMN effort text CHECK (effort IN ('none', 'minimal', 'low', 'medium', 'high', 'xhigh'));

-- Down Migration

ALTER TABLE usage_events DROP COLUMN effort;
