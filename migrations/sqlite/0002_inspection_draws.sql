-- Random inspection draws (双随机): every draw is kept, with its seed and the
-- ledger size its population came from, so anyone can re-run it.
CREATE TABLE inspection_draws (
    draw_id        TEXT PRIMARY KEY,
    region_prefix  TEXT NOT NULL,
    seed           BLOB NOT NULL,
    evaluated_on   TEXT NOT NULL,
    policy_version TEXT NOT NULL,
    drawn_at_ns    INTEGER NOT NULL,
    drawn_by       TEXT NOT NULL,
    request_id     TEXT NOT NULL,
    tree_size      INTEGER NOT NULL,
    sampled_codes  TEXT NOT NULL
);

-- One draw per caller and request id: a retried draw returns the first.
CREATE UNIQUE INDEX inspection_draws_request
    ON inspection_draws (drawn_by, request_id) WHERE request_id <> '';

CREATE TRIGGER inspection_draws_no_update BEFORE UPDATE ON inspection_draws
BEGIN SELECT RAISE(ABORT, 'inspection draws are append-only'); END;
CREATE TRIGGER inspection_draws_no_delete BEFORE DELETE ON inspection_draws
BEGIN SELECT RAISE(ABORT, 'inspection draws are append-only'); END;
