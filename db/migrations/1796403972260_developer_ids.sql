-- Up Migration

-- A developer's own view (issue 22): the user_id values a person's calls carry (`spendgraph collect
-- --user`, the SDK's user_id), when they are not the person's e-mail or its local part.
ALTER TABLE users ADD COLUMN developer_ids text[] NOT NULL DEFAULT '{}'
  CHECK (cardinality(developer_ids) <= 20 AND array_position(developer_ids, NULL) IS NULL);

-- Down Migration
ALTER TABLE users DROP COLUMN developer_ids;
