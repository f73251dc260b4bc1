-- The registry's signing keys (as migrations/postgres/0003): the current
-- one (retired_at NULL), written when the store is first served, and the
-- keys it replaced, kept so that what they signed still verifies. A key
-- changes only by `creditregistry rotate-key`.
CREATE TABLE registry_keys (
    key_id     TEXT    PRIMARY KEY,             -- "registry-" and 8 bytes of SHA-256 of the key, in hex
    public_key BLOB    NOT NULL,                -- the raw Ed25519 public key, 32 bytes
    added_at   INTEGER NOT NULL,                -- microseconds UTC
    retired_at INTEGER                          -- NULL: the current key
);
CREATE UNIQUE INDEX registry_keys_one_current ON registry_keys ((retired_at IS NULL)) WHERE retired_at IS NULL;

-- A key is never removed or changed; the current one is only retired.
CREATE TRIGGER registry_keys_kept BEFORE UPDATE ON registry_keys
WHEN NOT (OLD.retired_at IS NULL AND NEW.retired_at IS NOT NULL AND NEW.key_id = OLD.key_id
          AND NEW.public_key = OLD.public_key AND NEW.added_at = OLD.added_at)
BEGIN SELECT RAISE(ABORT, 'registry keys are kept: the current key is only retired'); END;
CREATE TRIGGER registry_keys_no_delete BEFORE DELETE ON registry_keys
BEGIN SELECT RAISE(ABORT, 'registry keys are kept: the current key is only retired'); END;
