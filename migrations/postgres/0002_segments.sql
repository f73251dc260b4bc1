-- Compact blocks and sealed segments (as migrations/sqlite-audit/0002).
--
-- A block's entries may be stored compressed: encoding 0 is the entries as
-- they are (each entry: LEB128 length, then its bytes), 1 is those same
-- bytes in the zlib format (RFC 1950).
ALTER TABLE check_blocks ADD COLUMN encoding BIGINT NOT NULL DEFAULT 0;

-- Look-up by the caller's organisation: one row per distinct organisation
-- per block, as for callers. Blocks stored before this migration are
-- indexed by the store when it applies it.
CREATE TABLE check_block_organisations (
    organisation  TEXT   NOT NULL,
    last_sequence BIGINT NOT NULL,
    PRIMARY KEY (organisation, last_sequence)
);
CREATE TRIGGER check_block_organisations_no_truncate BEFORE TRUNCATE ON check_block_organisations
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();

-- Work the store finishes when it opens, in one transaction, after this
-- migration: indexing blocks stored before it by organisation.
CREATE TABLE pending_backfills (
    name  TEXT    PRIMARY KEY,
    until BIGINT  NOT NULL                     -- blocks ending at or before this entry
);
INSERT INTO pending_backfills (name, until)
SELECT 'organisations', COALESCE(MAX(last_sequence), 0) FROM check_blocks;

-- The check log cut into sealed segments of consecutive blocks, each with a
-- signed head (creditregistry.v1.CheckSegmentHead). A segment's blocks may
-- be removed from the live store once it has been exported to a file, and
-- only then; its head stays, so the live chain still starts from it.
CREATE TABLE check_segments (
    number         BIGINT PRIMARY KEY,          -- from 1, consecutive
    first_sequence BIGINT NOT NULL,
    last_sequence  BIGINT NOT NULL UNIQUE,
    min_at         BIGINT NOT NULL,             -- earliest checked_at, microseconds UTC
    max_at         BIGINT NOT NULL,             -- latest checked_at
    chain_hash     BYTEA  NOT NULL,             -- chain hash of last_sequence
    head           BYTEA  NOT NULL,             -- encoded creditregistry.v1.CheckSegmentHead
    key_id         TEXT   NOT NULL,
    signature      BYTEA  NOT NULL,
    exported_at    BIGINT,                      -- when a file of it was first written
    removed_at     BIGINT                       -- when its blocks left the live store
);

CREATE FUNCTION segment_head_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'sealed segments are kept';
    END IF;
    IF (NEW.number, NEW.first_sequence, NEW.last_sequence, NEW.min_at, NEW.max_at, NEW.chain_hash, NEW.head, NEW.key_id, NEW.signature)
       IS DISTINCT FROM
       (OLD.number, OLD.first_sequence, OLD.last_sequence, OLD.min_at, OLD.max_at, OLD.chain_hash, OLD.head, OLD.key_id, OLD.signature) THEN
        RAISE EXCEPTION 'a sealed segment''s head is never changed';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER check_segments_kept BEFORE UPDATE OR DELETE ON check_segments
    FOR EACH ROW EXECUTE FUNCTION segment_head_kept();
CREATE TRIGGER check_segments_no_truncate BEFORE TRUNCATE ON check_segments
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();

-- Blocks and their index rows may go only with an exported segment.
CREATE FUNCTION exported_or_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM check_segments s WHERE s.exported_at IS NOT NULL
                                    AND OLD.last_sequence BETWEEN s.first_sequence AND s.last_sequence) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '% is append-only: only an exported segment''s blocks are removed', TG_TABLE_NAME;
END
$$;
DO $$
DECLARE t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['check_blocks', 'check_block_codes', 'check_block_callers', 'check_block_organisations'] LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_append_only', t);
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION exported_or_append_only()',
                       t || '_append_only', t);
    END LOOP;
END
$$;
