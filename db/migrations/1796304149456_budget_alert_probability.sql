-- A plan budget's forecast alert carries the calibrated probability that the plan's total
-- exceeds the amount (packages/forecast simulate.ts): "73 % likely to exceed". Null for
-- other alerts (a spend-rate projection has no interval).
ALTER TABLE budget_alerts ADD COLUMN exceed_probability numeric CHECK (exceed_probability BETWEEN 0 AND 1);
