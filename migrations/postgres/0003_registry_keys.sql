-- The registry's signing keys, as every node must hold them: the current
-- one (retired_at NULL), written by the first node to serve the store, and
-- the keys it replaced, kept so that what they signed still verifies. A key
-- changes only by `creditregistry rotate-key`, which retires the current
-- key and makes another current in one transaction. A node whose key is
-- not the current one refuses to start.
CREATE TABLE registry_keys (
    key_id     TEXT   PRIMARY KEY,              -- "registry-" and 8 bytes of SHA-256 of the key, in hex
    public_key BYTEA  NOT NULL,                 -- the raw Ed25519 public key, 32 bytes
    added_at   BIGINT NOT NULL,                 -- microseconds UTC
    retired_at BIGINT                           -- NULL: the current key
);
CREATE UNIQUE INDEX registry_keys_one_current ON registry_keys ((retired_at IS NULL)) WHERE retired_at IS NULL;

-- A key is never removed or changed; the current one is only retired.
CREATE FUNCTION registry_key_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.retired_at IS NULL AND NEW.retired_at IS NOT NULL
       AND (NEW.key_id, NEW.public_key, NEW.added_at) = (OLD.key_id, OLD.public_key, OLD.added_at) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'registry keys are kept: the current key is only retired';
END
$$;
CREATE TRIGGER registry_keys_kept BEFORE UPDATE OR DELETE ON registry_keys
    FOR EACH ROW EXECUTE FUNCTION registry_key_kept();
CREATE TRIGGER registry_keys_no_truncate BEFORE TRUNCATE ON registry_keys
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();
