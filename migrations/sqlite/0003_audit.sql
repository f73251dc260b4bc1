-- The Merkle tree over the ledger (RFC 9162): every complete subtree's hash,
-- numbered in the order it completes, so appending records appends nodes
-- and any proof reads O(log n) rows. Written in the ledger's transaction.
CREATE TABLE merkle_nodes (
    position INTEGER PRIMARY KEY,               -- from 0, in completion order
    hash     BLOB    NOT NULL
);
CREATE TRIGGER merkle_nodes_no_update BEFORE UPDATE ON merkle_nodes
BEGIN SELECT RAISE(ABORT, 'the Merkle tree is append-only'); END;
CREATE TRIGGER merkle_nodes_no_delete BEFORE DELETE ON merkle_nodes
BEGIN SELECT RAISE(ABORT, 'the Merkle tree is append-only'); END;

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

-- The check log: every eligibility check, hash-chained.
CREATE TABLE check_log (
    sequence       INTEGER PRIMARY KEY,         -- from 1
    checked_at     INTEGER NOT NULL,            -- microseconds since the Unix epoch, UTC
    caller_subject TEXT    NOT NULL,
    receipt_id     TEXT    NOT NULL,
    codes          TEXT    NOT NULL,            -- the codes asked about, comma-separated
    entry          BLOB    NOT NULL,            -- encoded CheckLogEntry with chain_hash empty
    chain_hash     BLOB    NOT NULL             -- SHA-256(previous chain_hash || entry)
);
CREATE INDEX check_log_by_caller ON check_log (caller_subject, sequence);
CREATE INDEX check_log_by_time ON check_log (checked_at);
CREATE TABLE check_log_codes (
    uscc     TEXT    NOT NULL,
    sequence INTEGER NOT NULL REFERENCES check_log (sequence),
    PRIMARY KEY (uscc, sequence)
) WITHOUT ROWID;
CREATE INDEX check_log_codes_by_sequence ON check_log_codes (sequence);
CREATE TRIGGER check_log_no_update BEFORE UPDATE ON check_log
BEGIN SELECT RAISE(ABORT, 'the check log is append-only'); END;
CREATE TRIGGER check_log_no_delete BEFORE DELETE ON check_log
BEGIN SELECT RAISE(ABORT, 'the check log is append-only'); END;
CREATE TRIGGER check_log_codes_no_update BEFORE UPDATE ON check_log_codes
BEGIN SELECT RAISE(ABORT, 'the check log is append-only'); END;
CREATE TRIGGER check_log_codes_no_delete BEFORE DELETE ON check_log_codes
BEGIN SELECT RAISE(ABORT, 'the check log is append-only'); END;
