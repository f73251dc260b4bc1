-- The audit file: the check log and the signed checkpoints, kept apart from
-- the ledger so that logging checks never holds the ledger's write lock.

-- Signed checkpoints: (tree size, root, check-log head, time), as signed.
CREATE TABLE checkpoints (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,   -- never reused: a gap is a deleted checkpoint
    tree_size      INTEGER NOT NULL,
    check_log_size INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,            -- microseconds since the Unix epoch, UTC
    checkpoint     BLOB    NOT NULL,            -- encoded creditregistry.v1.Checkpoint
    key_id         TEXT    NOT NULL,
    signature      BLOB    NOT NULL
);
CREATE INDEX checkpoints_by_size ON checkpoints (tree_size, id);
CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;

-- The check log, hash-chained entry by entry, stored in blocks of
-- consecutive entries committed together: one row per block, not per check.
CREATE TABLE check_blocks (
    last_sequence  INTEGER PRIMARY KEY,         -- the block's last entry (entries count from 1)
    first_sequence INTEGER NOT NULL,
    min_at         INTEGER NOT NULL,            -- earliest checked_at in the block, microseconds UTC
    max_at         INTEGER NOT NULL,            -- latest checked_at in the block
    chain_before   BLOB    NOT NULL,            -- chain hash of the entry before the block
    chain_hash     BLOB    NOT NULL,            -- chain hash of the block's last entry
    entries        BLOB    NOT NULL             -- each entry: LEB128 length, then the encoded
                                                -- CheckLogEntry with chain_hash empty
);
CREATE INDEX check_blocks_by_time ON check_blocks (max_at);

-- Look-up by code and by caller: one row per distinct value per block.
-- code_key = the first 8 bytes of SHA-256(code), big-endian, signed.
CREATE TABLE check_block_codes (
    code_key      INTEGER NOT NULL,
    last_sequence INTEGER NOT NULL,
    PRIMARY KEY (code_key, last_sequence)
) WITHOUT ROWID;
CREATE TABLE check_block_callers (
    caller_subject TEXT    NOT NULL,
    last_sequence  INTEGER NOT NULL,
    PRIMARY KEY (caller_subject, last_sequence)
) WITHOUT ROWID;

CREATE TRIGGER check_blocks_no_update BEFORE UPDATE ON check_blocks
BEGIN SELECT RAISE(ABORT, 'the check log is append-only'); END;
CREATE TRIGGER check_blocks_no_delete BEFORE DELETE ON check_blocks
BEGIN SELECT RAISE(ABORT, 'the check log is append-only'); END;
CREATE TRIGGER check_block_codes_no_update BEFORE UPDATE ON check_block_codes
BEGIN SELECT RAISE(ABORT, 'the check log is append-only'); END;
CREATE TRIGGER check_block_codes_no_delete BEFORE DELETE ON check_block_codes
BEGIN SELECT RAISE(ABORT, 'the check log is append-only'); END;
CREATE TRIGGER check_block_callers_no_update BEFORE UPDATE ON check_block_callers
BEGIN SELECT RAISE(ABORT, 'the check log is append-only'); END;
CREATE TRIGGER check_block_callers_no_delete BEFORE DELETE ON check_block_callers
BEGIN SELECT RAISE(ABORT, 'the check log is append-only'); END;
