-- Compact blocks and sealed segments.
--
-- A block's entries may be stored compressed: encoding 0 is the entries as
-- they are (each entry: LEB128 length, then its bytes), 1 is those same
-- bytes in the zlib format (RFC 1950).
ALTER TABLE check_blocks ADD COLUMN encoding INTEGER NOT NULL DEFAULT 0;

-- Look-up by the caller's organisation: one row per distinct organisation
-- per block, as for callers. Blocks stored before this migration are
-- indexed by the store when it applies it.
CREATE TABLE check_block_organisations (
    organisation  TEXT    NOT NULL,
    last_sequence INTEGER NOT NULL,
    PRIMARY KEY (organisation, last_sequence)
) WITHOUT ROWID;
CREATE TRIGGER check_block_organisations_no_update BEFORE UPDATE ON check_block_organisations
BEGIN SELECT RAISE(ABORT, 'the check log is append-only'); END;

-- Work the store finishes when it opens, in one transaction, after this
-- migration: indexing blocks stored before it by organisation.
CREATE TABLE pending_backfills (
    name  TEXT    PRIMARY KEY,
    until INTEGER NOT NULL                     -- blocks ending at or before this entry
);
INSERT INTO pending_backfills (name, until)
SELECT 'organisations', COALESCE(MAX(last_sequence), 0) FROM check_blocks;

-- The check log cut into sealed segments of consecutive blocks, each with a
-- signed head (creditregistry.v1.CheckSegmentHead). A segment's blocks may
-- be removed from the live store once it has been exported to a file, and
-- only then; its head stays, so the live chain still starts from it.
CREATE TABLE check_segments (
    number         INTEGER PRIMARY KEY,         -- from 1, consecutive
    first_sequence INTEGER NOT NULL,
    last_sequence  INTEGER NOT NULL UNIQUE,
    min_at         INTEGER NOT NULL,            -- earliest checked_at, microseconds UTC
    max_at         INTEGER NOT NULL,            -- latest checked_at
    chain_hash     BLOB    NOT NULL,            -- chain hash of last_sequence
    head           BLOB    NOT NULL,            -- encoded creditregistry.v1.CheckSegmentHead
    key_id         TEXT    NOT NULL,
    signature      BLOB    NOT NULL,
    exported_at    INTEGER,                     -- when a file of it was first written
    removed_at     INTEGER                      -- when its blocks left the live store
);
CREATE TRIGGER check_segments_signed BEFORE UPDATE OF number, first_sequence, last_sequence, min_at, max_at, chain_hash,
    head, key_id, signature ON check_segments
BEGIN SELECT RAISE(ABORT, 'a sealed segment''s head is never changed'); END;
CREATE TRIGGER check_segments_no_delete BEFORE DELETE ON check_segments
BEGIN SELECT RAISE(ABORT, 'sealed segments are kept'); END;

-- Blocks and their index rows may go only with an exported segment.
DROP TRIGGER check_blocks_no_delete;
CREATE TRIGGER check_blocks_no_delete BEFORE DELETE ON check_blocks
WHEN NOT EXISTS (SELECT 1 FROM check_segments s WHERE s.exported_at IS NOT NULL
                 AND OLD.last_sequence BETWEEN s.first_sequence AND s.last_sequence)
BEGIN SELECT RAISE(ABORT, 'the check log is append-only: only an exported segment''s blocks are removed'); END;
DROP TRIGGER check_block_codes_no_delete;
CREATE TRIGGER check_block_codes_no_delete BEFORE DELETE ON check_block_codes
WHEN NOT EXISTS (SELECT 1 FROM check_segments s WHERE s.exported_at IS NOT NULL
                 AND OLD.last_sequence BETWEEN s.first_sequence AND s.last_sequence)
BEGIN SELECT RAISE(ABORT, 'the check log is append-only: only an exported segment''s blocks are removed'); END;
CREATE TRIGGER check_block_organisations_no_delete BEFORE DELETE ON check_block_organisations
WHEN NOT EXISTS (SELECT 1 FROM check_segments s WHERE s.exported_at IS NOT NULL
                 AND OLD.last_sequence BETWEEN s.first_sequence AND s.last_sequence)
BEGIN SELECT RAISE(ABORT, 'the check log is append-only: only an exported segment''s blocks are removed'); END;
DROP TRIGGER check_block_callers_no_delete;
CREATE TRIGGER check_block_callers_no_delete BEFORE DELETE ON check_block_callers
WHEN NOT EXISTS (SELECT 1 FROM check_segments s WHERE s.exported_at IS NOT NULL
                 AND OLD.last_sequence BETWEEN s.first_sequence AND s.last_sequence)
BEGIN SELECT RAISE(ABORT, 'the check log is append-only: only an exported segment''s blocks are removed'); END;
