-- The projections (entities, penalties, listings, spot checks) were written
-- with every record and read by nothing: reads fold the ledger's own rows
-- and the in-memory index. The ledger stays the one source.
DROP TABLE entities;
DROP TABLE penalties;
DROP TABLE listings;
DROP TABLE spot_checks;
