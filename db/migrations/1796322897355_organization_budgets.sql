-- Up Migration

-- Organization budgets (issue 24): a budget of a workspace (its home: where it is managed, where
-- its alerts and status live) may cover other workspaces of the organization too, all of them
-- (workspace_ids NULL: those added later as well) or a set. Its spend is the sum over them; its
-- hard stop applies in each. A workspace budget has organization_id NULL.
ALTER TABLE budgets ADD COLUMN organization_id uuid REFERENCES organizations (id) ON DELETE CASCADE;
ALTER TABLE budgets ADD COLUMN workspace_ids uuid[] CHECK (workspace_ids IS NULL OR cardinality(workspace_ids) BETWEEN 1 AND 1000);
ALTER TABLE budgets ADD CONSTRAINT budgets_workspace_set_needs_organization CHECK (workspace_ids IS NULL OR organization_id IS NOT NULL);
CREATE INDEX budgets_organization_idx ON budgets (organization_id) WHERE organization_id IS NOT NULL;

-- Down Migration
DROP INDEX budgets_organization_idx;
ALTER TABLE budgets DROP CONSTRAINT budgets_workspace_set_needs_organization;
ALTER TABLE budgets DROP COLUMN workspace_ids, DROP COLUMN organization_id;
