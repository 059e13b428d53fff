-- Up Migration

-- Reconciliation in the model (issue 17, cube/model/cubes/bill_reconciliation.yml).
--
-- Bills and events meet on a model's name without its release date (`gpt-4o-mini-2024-07-18`,
-- `claude-sonnet-4-5-20250929`): one definition, used by the reconciliation cube.
CREATE FUNCTION sg_base_model(model text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN regexp_replace(model, '-(\d{4}-\d{2}-\d{2}|\d{8})$', '');

-- Down Migration

DROP FUNCTION sg_base_model(text);
