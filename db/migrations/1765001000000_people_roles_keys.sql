-- Up Migration

-- People, roles, managed API keys and the audit log (docs/decisions/0010-people-roles-keys.md).

-- An organization holds workspaces. Every workspace belongs to exactly one; the ones that exist
-- now get an organization each, named after them, and so does any workspace inserted without one
-- (ensureWorkspace, tests, the demo): nothing that creates workspaces today has to change.
CREATE TABLE organizations (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug       text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  name       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE workspaces ADD COLUMN organization_id uuid REFERENCES organizations (id) ON DELETE RESTRICT;
INSERT INTO organizations (slug, name) SELECT slug, name FROM workspaces;
UPDATE workspaces w SET organization_id = o.id FROM organizations o WHERE o.slug = w.slug;
ALTER TABLE workspaces ALTER COLUMN organization_id SET NOT NULL;
CREATE INDEX workspaces_organization_idx ON workspaces (organization_id);

CREATE FUNCTION workspace_default_organization() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.organization_id IS NULL THEN
    INSERT INTO organizations (slug, name) VALUES (NEW.slug, NEW.name)
      ON CONFLICT (slug) DO UPDATE SET slug = EXCLUDED.slug
      RETURNING id INTO NEW.organization_id;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER workspaces_default_organization BEFORE INSERT ON workspaces
  FOR EACH ROW EXECUTE FUNCTION workspace_default_organization();

-- People. The e-mail is unique whatever its case; the password hash is argon2id in PHC form
-- (NULL for people who only sign in with SSO). Failed sign-ins lock the account for a while.
CREATE TABLE users (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email               text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
  name                text,
  password_hash       text,
  password_changed_at timestamptz,
  failed_sign_ins     integer NOT NULL DEFAULT 0,
  locked_until        timestamptz,
  disabled_at         timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_idx ON users (lower(email));

CREATE TABLE memberships (
  user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  role         text NOT NULL CHECK (role IN ('owner', 'admin', 'analyst', 'viewer')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, workspace_id)
);
CREATE INDEX memberships_workspace_idx ON memberships (workspace_id);

-- An invitation is a link holding a random token (stored as sha256); accepting it makes the
-- person a member with the role it names. One use, until it expires or is revoked.
CREATE TABLE invitations (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  email        text NOT NULL,
  role         text NOT NULL CHECK (role IN ('owner', 'admin', 'analyst', 'viewer')),
  token_hash   bytea NOT NULL UNIQUE,
  created_by   uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  accepted_at  timestamptz,
  accepted_by  uuid REFERENCES users (id) ON DELETE SET NULL,
  revoked_at   timestamptz
);
CREATE INDEX invitations_workspace_idx ON invitations (workspace_id, created_at DESC);

-- Web sessions are now a person's as well as a key's (the key sign-in stays). A person's session
-- acts in one workspace at a time, with the role the person has there at each request.
ALTER TABLE web_sessions ALTER COLUMN api_key_id DROP NOT NULL;
ALTER TABLE web_sessions ADD COLUMN user_id uuid REFERENCES users (id) ON DELETE CASCADE;
ALTER TABLE web_sessions ADD COLUMN workspace_id uuid REFERENCES workspaces (id) ON DELETE CASCADE;
ALTER TABLE web_sessions ADD CONSTRAINT web_sessions_holder CHECK (
  (api_key_id IS NOT NULL AND user_id IS NULL AND workspace_id IS NULL) OR
  (api_key_id IS NULL AND user_id IS NOT NULL AND workspace_id IS NOT NULL));
CREATE INDEX web_sessions_user_idx ON web_sessions (user_id) WHERE user_id IS NOT NULL;

-- Keys managed by people: who made one, when it was last used, when it stops working, and
-- optionally the dimension values it is confined to (e.g. {"agent": "nightly-evals"}).
-- Rotation makes a successor and lets the old key work on until `expires_at` (the overlap).
ALTER TABLE api_keys ADD COLUMN created_by uuid REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE api_keys ADD COLUMN last_used_at timestamptz;
ALTER TABLE api_keys ADD COLUMN expires_at timestamptz;
ALTER TABLE api_keys ADD COLUMN restriction jsonb CHECK (restriction IS NULL OR jsonb_typeof(restriction) = 'object');
ALTER TABLE api_keys ADD COLUMN rotated_to uuid REFERENCES api_keys (id) ON DELETE SET NULL;

-- A person's embeds and repricings have no key behind them.
ALTER TABLE embed_tokens ALTER COLUMN api_key_id DROP NOT NULL;
ALTER TABLE embed_tokens ADD COLUMN created_by uuid REFERENCES users (id) ON DELETE CASCADE;

-- Changes that end or narrow what a cached credential may do are announced like revocations
-- (apps/api/src/auth.ts drops its cache): a membership's role changed or removed, a person disabled.
CREATE FUNCTION notify_access_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('spendgraph_auth_revoked', TG_TABLE_NAME || ':' || OLD.user_id::text);
  RETURN NULL;
END $$;
CREATE TRIGGER memberships_changed AFTER UPDATE OR DELETE ON memberships
  FOR EACH ROW EXECUTE FUNCTION notify_access_changed();

-- A key's expiry brought forward (rotation without overlap, or a shorter one) is heard at once too.
CREATE FUNCTION notify_key_expiry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('spendgraph_auth_revoked', 'api_keys:' || NEW.id::text);
  RETURN NEW;
END $$;
CREATE TRIGGER api_keys_expiry_changed AFTER UPDATE OF expires_at ON api_keys
  FOR EACH ROW WHEN (NEW.expires_at IS DISTINCT FROM OLD.expires_at) EXECUTE FUNCTION notify_key_expiry();

CREATE FUNCTION notify_user_disabled() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.disabled_at IS NOT NULL AND OLD.disabled_at IS NULL THEN
    PERFORM pg_notify('spendgraph_auth_revoked', 'users:' || NEW.id::text);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER users_disabled AFTER UPDATE OF disabled_at ON users
  FOR EACH ROW EXECUTE FUNCTION notify_user_disabled();

-- Every administrative change: who (a person or a key), when, where, what, and the target before
-- and after. No foreign keys: the record outlives what it names. Append-only: a trigger refuses
-- UPDATE, DELETE and TRUNCATE, whoever asks.
CREATE TABLE audit_log (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  occurred_at     timestamptz NOT NULL DEFAULT now(),
  organization_id uuid,
  workspace_id    uuid,
  actor_user_id   uuid,
  actor_key_id    uuid,
  actor_label     text,                 -- e.g. "cli" for changes made at the command line
  action          text NOT NULL,
  target_type     text,
  target_id       text,
  before          jsonb,
  after           jsonb
);
CREATE INDEX audit_log_workspace_idx ON audit_log (workspace_id, occurred_at DESC, id DESC);
CREATE INDEX audit_log_organization_idx ON audit_log (organization_id, occurred_at DESC, id DESC);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Down Migration
DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only();
DROP TRIGGER api_keys_expiry_changed ON api_keys;
DROP FUNCTION notify_key_expiry();
DROP TRIGGER users_disabled ON users;
DROP FUNCTION notify_user_disabled();
DROP TRIGGER memberships_changed ON memberships;
DROP FUNCTION notify_access_changed();
ALTER TABLE embed_tokens DROP COLUMN created_by;
DELETE FROM embed_tokens WHERE api_key_id IS NULL;
ALTER TABLE embed_tokens ALTER COLUMN api_key_id SET NOT NULL;
ALTER TABLE api_keys DROP COLUMN rotated_to, DROP COLUMN restriction, DROP COLUMN expires_at, DROP COLUMN last_used_at, DROP COLUMN created_by;
DELETE FROM web_sessions WHERE api_key_id IS NULL;
ALTER TABLE web_sessions DROP CONSTRAINT web_sessions_holder;
ALTER TABLE web_sessions DROP COLUMN workspace_id, DROP COLUMN user_id;
ALTER TABLE web_sessions ALTER COLUMN api_key_id SET NOT NULL;
DROP TABLE invitations;
DROP TABLE memberships;
DROP TABLE users;
DROP TRIGGER workspaces_default_organization ON workspaces;
DROP FUNCTION workspace_default_organization();
ALTER TABLE workspaces DROP COLUMN organization_id;
DROP TABLE organizations;
