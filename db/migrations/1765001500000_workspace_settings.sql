-- Up Migration

-- A workspace's own settings, edited on the web app's settings page (updateWorkspace): the time
-- zone its people read days in and the currency it budgets in. Retention has its own columns
-- (1764900000000_retention.sql).
ALTER TABLE workspaces ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC';
ALTER TABLE workspaces ADD COLUMN currency text NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$');

-- Down Migration
ALTER TABLE workspaces DROP COLUMN currency, DROP COLUMN time_zone;
