-- Up Migration

-- Triage of anomalies: who acknowledged or dismissed one and when, and its excess over the peer
-- median stored (exact, numeric) so a list can be sorted and totalled by dollar impact in the
-- database. Detection reruns update figures only (replaceAnomalies), so a triage survives them.
ALTER TABLE anomalies
  ADD COLUMN excess numeric GENERATED ALWAYS AS (cost - peer_median) STORED,
  ADD COLUMN status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'dismissed')),
  ADD COLUMN status_at timestamptz,
  ADD COLUMN status_by_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
  ADD COLUMN status_by_key_id uuid REFERENCES api_keys (id) ON DELETE SET NULL,
  ADD COLUMN status_note text;
CREATE INDEX anomalies_impact_idx ON anomalies (workspace_id, excess DESC);

-- Down Migration

DROP INDEX anomalies_impact_idx;
ALTER TABLE anomalies DROP COLUMN status_note, DROP COLUMN status_by_key_id, DROP COLUMN status_by_user_id,
  DROP COLUMN status_at, DROP COLUMN status, DROP COLUMN excess;
