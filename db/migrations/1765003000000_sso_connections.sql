-- Up Migration

-- OpenID Connect single sign-on (docs/decisions/0011-oidc-sso.md).

-- One connection per organization: the identity provider (issuer, client), the e-mail domains
-- that send a person to it, and what a person new to the organization gets on first sign-in
-- (role, workspaces). The client secret is stored encrypted (AES-256-GCM, apps/api/src/sso/secret-box.ts),
-- never returned by the API and never written to the audit log.
CREATE TABLE sso_connections (
  organization_id   uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
  issuer            text NOT NULL,
  client_id         text NOT NULL,
  client_secret     bytea,
  domains           text[] NOT NULL CHECK (cardinality(domains) > 0),
  default_role      text NOT NULL DEFAULT 'viewer' CHECK (default_role IN ('admin', 'analyst', 'viewer')),
  workspace_ids     uuid[] NOT NULL DEFAULT '{}',
  enabled           boolean NOT NULL DEFAULT true,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sso_connections_domains_idx ON sso_connections USING gin (domains);

-- A domain sends people to one organization only: the sign-in page finds the connection by it.
CREATE FUNCTION sso_domains_unique() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE taken text;
BEGIN
  LOCK TABLE sso_connections IN SHARE ROW EXCLUSIVE MODE;
  SELECT d INTO taken FROM sso_connections c, unnest(c.domains) d
   WHERE c.organization_id <> NEW.organization_id AND d = ANY (NEW.domains) LIMIT 1;
  IF taken IS NOT NULL THEN
    RAISE EXCEPTION 'the domain % already signs in to another organization', taken USING ERRCODE = 'unique_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER sso_connections_domains_unique BEFORE INSERT OR UPDATE OF domains ON sso_connections
  FOR EACH ROW EXECUTE FUNCTION sso_domains_unique();

-- A sign-in under way: what the callback must find again (state, stored as sha256; nonce; PKCE
-- verifier; the redirect URI sent). One use, ten minutes.
CREATE TABLE sso_attempts (
  state_hash        bytea PRIMARY KEY,
  organization_id   uuid NOT NULL REFERENCES sso_connections (organization_id) ON DELETE CASCADE,
  nonce             text NOT NULL,
  code_verifier     text NOT NULL,
  redirect_uri      text NOT NULL,
  expires_at        timestamptz NOT NULL
);
CREATE INDEX sso_attempts_expiry_idx ON sso_attempts (expires_at);

-- Down Migration
DROP TABLE sso_attempts;
DROP TABLE sso_connections;
DROP FUNCTION sso_domains_unique();
