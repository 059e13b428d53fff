-- Up Migration

-- Saved explorer views: a name and the explorer's state (measures, by, filters, range,
-- granularity, chart kind), validated by the API (apps/api/src/views/state.ts) before it is
-- stored. A view is private to whoever saved it (a person, or the key that saved it) until shared
-- with the workspace.
CREATE TABLE saved_views (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  state        jsonb NOT NULL,
  created_by   uuid REFERENCES users (id) ON DELETE SET NULL,
  api_key_id   uuid REFERENCES api_keys (id) ON DELETE SET NULL,
  shared       boolean NOT NULL DEFAULT false,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX saved_views_workspace_idx ON saved_views (workspace_id, name);

-- Dashboards: ordered tiles, each a shared saved view with a size ({"viewId", "size"} in
-- `tiles`, kept in order). At most one per workspace is pinned as its overview.
CREATE TABLE dashboards (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  tiles        jsonb NOT NULL DEFAULT '[]',
  pinned       boolean NOT NULL DEFAULT false,
  created_by   uuid REFERENCES users (id) ON DELETE SET NULL,
  api_key_id   uuid REFERENCES api_keys (id) ON DELETE SET NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dashboards_workspace_idx ON dashboards (workspace_id, name);
CREATE UNIQUE INDEX dashboards_one_pinned ON dashboards (workspace_id) WHERE pinned;

-- Down Migration
DROP TABLE dashboards;
DROP TABLE saved_views;
