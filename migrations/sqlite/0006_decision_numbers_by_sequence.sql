-- Decision numbers point at their record by ledger sequence, in a table
-- clustered on its key: the record id (36 bytes of text) and a rowid
-- B-tree beside the key's own index were ~70 bytes per record for nothing.
CREATE TABLE decision_numbers_by_sequence (
    authority       TEXT    NOT NULL,
    decision_number TEXT    NOT NULL,
    sequence        INTEGER NOT NULL REFERENCES ledger (sequence),
    PRIMARY KEY (authority, decision_number)
) WITHOUT ROWID;
INSERT INTO decision_numbers_by_sequence (authority, decision_number, sequence)
    SELECT d.authority, d.decision_number, l.sequence FROM decision_numbers d JOIN ledger l ON l.record_id = d.record_id;
DROP TABLE decision_numbers;
ALTER TABLE decision_numbers_by_sequence RENAME TO decision_numbers;
