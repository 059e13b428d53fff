-- Up Migration

-- Embed tokens: opaque random strings, stored as sha256 like API keys. A token shows one
-- chart of its workspace until it expires, is revoked, or the key that minted it is revoked.
CREATE TABLE embed_tokens (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  api_key_id   uuid NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
  prefix       text NOT NULL,             -- first characters, to recognise a token in lists
  token_hash   bytea NOT NULL UNIQUE,     -- sha256(token)
  chart        jsonb NOT NULL,            -- the query and theme the token shows (apps/api/src/embeds)
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  revoked_at   timestamptz
);
CREATE INDEX embed_tokens_workspace_idx ON embed_tokens (workspace_id, created_at DESC);
CREATE INDEX embed_tokens_key_idx ON embed_tokens (api_key_id);

-- Web sign-in sessions: the browser holds an opaque session id, never the API key. A session
-- acts with its key's workspace and scopes and ends with sign-out, expiry or the key's revocation.
CREATE TABLE web_sessions (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  api_key_id   uuid NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
  token_hash   bytea NOT NULL UNIQUE,     -- sha256(session id)
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  revoked_at   timestamptz
);
CREATE INDEX web_sessions_key_idx ON web_sessions (api_key_id);

-- Every API process caches credentials briefly; a revocation (by any path, SQL included)
-- tells them at once (LISTEN spendgraph_auth_revoked, apps/api/src/auth.ts).
CREATE FUNCTION notify_auth_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL THEN
    PERFORM pg_notify('spendgraph_auth_revoked', TG_TABLE_NAME || ':' || NEW.id::text);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER api_keys_revoked AFTER UPDATE OF revoked_at ON api_keys
  FOR EACH ROW EXECUTE FUNCTION notify_auth_revoked();
CREATE TRIGGER web_sessions_revoked AFTER UPDATE OF revoked_at ON web_sessions
  FOR EACH ROW EXECUTE FUNCTION notify_auth_revoked();

-- Down Migration
DROP TRIGGER web_sessions_revoked ON web_sessions;
DROP TRIGGER api_keys_revoked ON api_keys;
DROP FUNCTION notify_auth_revoked();
DROP TABLE web_sessions;
DROP TABLE embed_tokens;
