-- The registry on PostgreSQL: the ledger, its Merkle tree, inspection draws,
-- and the audit trail (check log and signed checkpoints). One database holds
-- both; a check-log commit takes row locks on the audit tables only, so it
-- never waits on a ledger commit or makes one wait.
--
-- Times are microseconds since the Unix epoch, UTC (BIGINT), as on SQLite;
-- hashes are 32-byte SHA-256 values.

-- Every table here is append-only: history is never edited.
CREATE FUNCTION append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END
$$;

CREATE TABLE ledger (
    sequence    BIGINT PRIMARY KEY,             -- from 1; Merkle leaf index = sequence - 1
    record_id   TEXT   NOT NULL UNIQUE,
    recorded_at BIGINT NOT NULL,
    uscc        TEXT   NOT NULL,
    authority   TEXT   NOT NULL,
    actor       TEXT   NOT NULL,
    request_id  TEXT,                           -- NULL when the writer sent none
    kind        TEXT   NOT NULL,
    record      BYTEA  NOT NULL                 -- canonical protobuf bytes of creditregistry.v1.Record
);
CREATE INDEX ledger_by_entity ON ledger (uscc, sequence);
CREATE UNIQUE INDEX ledger_request_ids ON ledger (actor, request_id) WHERE request_id IS NOT NULL;

-- The ledger's size, locked by each append (SELECT … FOR UPDATE): appends
-- from several server nodes take their turns here, and one that was
-- admitted against an older ledger is refused and admitted again.
CREATE TABLE ledger_head (
    only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
    size     BIGINT  NOT NULL
);
INSERT INTO ledger_head (size) VALUES (0);

-- A decision number is recorded once per authority (idempotency).
CREATE TABLE decision_numbers (
    authority       TEXT   NOT NULL,
    decision_number TEXT   NOT NULL,
    sequence        BIGINT NOT NULL REFERENCES ledger (sequence),
    PRIMARY KEY (authority, decision_number)
);

-- The Merkle tree's nodes (RFC 6962 hashing), from 0 in completion order.
CREATE TABLE merkle_nodes (
    position BIGINT PRIMARY KEY,
    hash     BYTEA  NOT NULL
);

CREATE TABLE inspection_draws (
    draw_id        TEXT   PRIMARY KEY,
    region_prefix  TEXT   NOT NULL,
    seed           BYTEA  NOT NULL,
    evaluated_on   TEXT   NOT NULL,             -- YYYY-MM-DD, UTC+8
    policy_version TEXT   NOT NULL,
    drawn_at_ns    BIGINT NOT NULL,             -- nanoseconds since the Unix epoch, UTC
    drawn_by       TEXT   NOT NULL,
    request_id     TEXT   NOT NULL,
    tree_size      BIGINT NOT NULL
);
CREATE UNIQUE INDEX inspection_draws_request ON inspection_draws (drawn_by, request_id) WHERE request_id <> '';
CREATE TABLE inspection_draw_codes (
    draw_id  TEXT   NOT NULL REFERENCES inspection_draws (draw_id),
    position BIGINT NOT NULL,                   -- from 0, in the order drawn
    uscc     TEXT   NOT NULL,
    PRIMARY KEY (draw_id, position)
);

-- Signed checkpoints: (tree size, root, check-log head, time), as signed.
-- Ids are given in the inserting transaction from `checkpoint_ids`, never
-- reused, so a gap is a deleted checkpoint (a sequence would leave a gap
-- at every rolled-back insert).
CREATE TABLE checkpoint_ids (
    only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
    last_id  BIGINT  NOT NULL
);
INSERT INTO checkpoint_ids (last_id) VALUES (0);
CREATE TABLE checkpoints (
    id             BIGINT PRIMARY KEY,
    tree_size      BIGINT NOT NULL,
    check_log_size BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    checkpoint     BYTEA  NOT NULL,             -- encoded creditregistry.v1.Checkpoint
    key_id         TEXT   NOT NULL,
    signature      BYTEA  NOT NULL
);
CREATE INDEX checkpoints_by_size ON checkpoints (tree_size, id);

-- The check log, hash-chained entry by entry, stored in blocks of
-- consecutive entries committed together: one row per block, not per check.
CREATE TABLE check_blocks (
    last_sequence  BIGINT PRIMARY KEY,          -- the block's last entry (entries count from 1)
    first_sequence BIGINT NOT NULL,
    min_at         BIGINT NOT NULL,             -- earliest checked_at in the block
    max_at         BIGINT NOT NULL,             -- latest checked_at in the block
    chain_before   BYTEA  NOT NULL,             -- chain hash of the entry before the block
    chain_hash     BYTEA  NOT NULL,             -- chain hash of the block's last entry
    entries        BYTEA  NOT NULL              -- each entry: LEB128 length, then the encoded
                                                -- CheckLogEntry with chain_hash empty
);
CREATE INDEX check_blocks_by_time ON check_blocks (max_at);

-- The check log's size and last chain hash, locked by each append as the
-- ledger's head is: a node whose entries were numbered against an older
-- head numbers and chains them again.
CREATE TABLE check_log_head (
    only_row   BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
    size       BIGINT  NOT NULL,
    chain_hash BYTEA   NOT NULL
);
INSERT INTO check_log_head (size, chain_hash) VALUES (0, '\x0000000000000000000000000000000000000000000000000000000000000000');

-- Look-up by code and by caller: one row per distinct value per block.
-- code_key = the first 8 bytes of SHA-256(code), big-endian, signed.
CREATE TABLE check_block_codes (
    code_key      BIGINT NOT NULL,
    last_sequence BIGINT NOT NULL,
    PRIMARY KEY (code_key, last_sequence)
);
CREATE TABLE check_block_callers (
    caller_subject TEXT   NOT NULL,
    last_sequence  BIGINT NOT NULL,
    PRIMARY KEY (caller_subject, last_sequence)
);

DO $$
DECLARE t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['ledger', 'decision_numbers', 'merkle_nodes', 'inspection_draws',
                             'inspection_draw_codes', 'checkpoints', 'check_blocks',
                             'check_block_codes', 'check_block_callers'] LOOP
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION append_only()',
                       t || '_append_only', t);
        EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION append_only()',
                       t || '_no_truncate', t);
    END LOOP;
END
$$;
