-- A record's leaf hash is SHA-256(0x00 || record) and is stored once, as
-- the tree's level-0 node in merkle_nodes; a second copy in every ledger
-- row cost 32 bytes a record and proved nothing the node does not.
ALTER TABLE ledger DROP COLUMN leaf_hash;
