-- The ledger: one row per record, never updated or deleted.
CREATE TABLE ledger (
    sequence    INTEGER PRIMARY KEY,            -- from 1; Merkle leaf index = sequence - 1
    record_id   TEXT    NOT NULL UNIQUE,
    recorded_at INTEGER NOT NULL,               -- microseconds since the Unix epoch, UTC
    uscc        TEXT    NOT NULL,
    authority   TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    request_id  TEXT,                           -- NULL when the writer sent none
    kind        TEXT    NOT NULL,
    record      BLOB    NOT NULL,               -- canonical protobuf bytes of creditregistry.v1.Record
    leaf_hash   BLOB    NOT NULL                -- SHA-256(0x00 || record)
);
CREATE INDEX ledger_by_entity ON ledger (uscc, sequence);
CREATE UNIQUE INDEX ledger_request_ids ON ledger (actor, request_id) WHERE request_id IS NOT NULL;

CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;

-- Decision numbers of penalties and listings, unique per authority.
CREATE TABLE decision_numbers (
    authority       TEXT NOT NULL,
    decision_number TEXT NOT NULL,
    record_id       TEXT NOT NULL REFERENCES ledger (record_id),
    PRIMARY KEY (authority, decision_number)
);

-- Projections: derived from the ledger in the same transaction, for queries
-- by region, category and period. The ledger stays the source of truth.
CREATE TABLE entities (
    uscc           TEXT PRIMARY KEY,
    division       TEXT    NOT NULL,            -- characters 3-8 of the code
    first_sequence INTEGER NOT NULL,
    last_sequence  INTEGER NOT NULL,
    record_count   INTEGER NOT NULL
);
CREATE INDEX entities_by_division ON entities (division);

CREATE TABLE penalties (
    record_id       TEXT PRIMARY KEY REFERENCES ledger (record_id),
    uscc            TEXT    NOT NULL,
    authority       TEXT    NOT NULL,
    decision_number TEXT    NOT NULL,
    category        TEXT    NOT NULL,
    severity        TEXT    NOT NULL,
    fine_fen        INTEGER NOT NULL,
    decided_on      TEXT    NOT NULL,           -- YYYY-MM-DD
    corrected_by    TEXT,                       -- latest correction's record id
    revoked         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX penalties_by_entity ON penalties (uscc);
CREATE INDEX penalties_by_date ON penalties (decided_on);

CREATE TABLE listings (
    record_id       TEXT PRIMARY KEY REFERENCES ledger (record_id),
    uscc            TEXT NOT NULL,
    authority       TEXT NOT NULL,
    list_type       TEXT NOT NULL,
    decision_number TEXT NOT NULL,
    listed_on       TEXT NOT NULL,
    planned_end     TEXT,
    removed_by      TEXT,
    removed_on      TEXT,
    removal_reason  TEXT
);
CREATE INDEX listings_by_entity ON listings (uscc);

CREATE TABLE spot_checks (
    record_id     TEXT PRIMARY KEY REFERENCES ledger (record_id),
    uscc          TEXT NOT NULL,
    authority     TEXT NOT NULL,
    category      TEXT NOT NULL,
    product_class TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    checked_on    TEXT NOT NULL
);
CREATE INDEX spot_checks_by_date ON spot_checks (checked_on);
