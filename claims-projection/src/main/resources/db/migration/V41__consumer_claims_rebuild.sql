-- Where a rebuild builds the consumer_claims read model anew, beside the live table that readers keep using; once it
-- has caught up, the rebuild makes consumer_claims hold exactly these rows in one transaction (ProjectionRebuilds).
-- The same columns as consumer_claims, and only the primary key, which the projection's writes look rows up by:
-- nothing queries this table, and every index would slow the rebuild down. A later migration that changes the
-- columns of consumer_claims changes them here too. Runs unchanged on PostgreSQL and on H2.

CREATE TABLE consumer_claims_rebuild AS SELECT * FROM consumer_claims WITH NO DATA;

-- H2 copies no NOT NULL, and a primary key needs it there
ALTER TABLE consumer_claims_rebuild ALTER COLUMN tenant_id SET NOT NULL;
ALTER TABLE consumer_claims_rebuild ALTER COLUMN consumer_id SET NOT NULL;
ALTER TABLE consumer_claims_rebuild ALTER COLUMN epoch SET NOT NULL;
ALTER TABLE consumer_claims_rebuild ADD PRIMARY KEY (tenant_id, consumer_id, epoch);
