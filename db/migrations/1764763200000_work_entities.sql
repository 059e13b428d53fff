-- Up Migration

-- The work that spends: plans made of tasks, and work items in external trackers.
-- Ids are the workspace's own (what events carry in plan_id, task_id, work_item).
-- Events naming an unknown id create it (status 'open', nothing else known).

CREATE TABLE plans (
  workspace_id    uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id              text NOT NULL,
  name            text,
  status          text NOT NULL DEFAULT 'open' CHECK (status IN ('draft', 'open', 'in_progress', 'done', 'cancelled')),
  -- Where the plan came from (a design doc, an RFC, a ticket): cost per source document.
  source_document text,
  owner           text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  closed_at       timestamptz,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id)
);

CREATE TABLE tasks (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id           text NOT NULL,
  plan_id      text,
  task_type    text,
  status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'done', 'cancelled')),
  -- In the team's own unit (points, hours); compared only within a workspace.
  estimate     numeric CHECK (estimate >= 0),
  created_at   timestamptz NOT NULL DEFAULT now(),
  closed_at    timestamptz,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX tasks_plan_idx ON tasks (workspace_id, plan_id);

CREATE TABLE work_items (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id           text NOT NULL,            -- external id, e.g. WRK-237
  title        text,
  repository   text,
  url          text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id)
);

-- Down Migration

DROP TABLE work_items;
DROP TABLE tasks;
DROP TABLE plans;
