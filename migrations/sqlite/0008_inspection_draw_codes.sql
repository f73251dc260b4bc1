-- A draw's sampled codes are rows, in the order drawn, not comma-joined
-- text in the draw's row.
CREATE TABLE inspection_draw_codes (
    draw_id  TEXT    NOT NULL REFERENCES inspection_draws (draw_id),
    position INTEGER NOT NULL,                  -- from 0, in the order drawn
    uscc     TEXT    NOT NULL,
    PRIMARY KEY (draw_id, position)
) WITHOUT ROWID;

WITH RECURSIVE split (draw_id, position, uscc, rest) AS (
    SELECT draw_id, -1, '', sampled_codes || ',' FROM inspection_draws
    UNION ALL
    SELECT draw_id, position + 1, substr(rest, 1, instr(rest, ',') - 1), substr(rest, instr(rest, ',') + 1)
    FROM split WHERE rest <> ''
)
INSERT INTO inspection_draw_codes (draw_id, position, uscc)
    SELECT draw_id, position, uscc FROM split WHERE position >= 0 AND uscc <> '';

ALTER TABLE inspection_draws DROP COLUMN sampled_codes;

CREATE TRIGGER inspection_draw_codes_no_update BEFORE UPDATE ON inspection_draw_codes
BEGIN SELECT RAISE(ABORT, 'inspection draws are append-only'); END;
CREATE TRIGGER inspection_draw_codes_no_delete BEFORE DELETE ON inspection_draw_codes
BEGIN SELECT RAISE(ABORT, 'inspection draws are append-only'); END;
