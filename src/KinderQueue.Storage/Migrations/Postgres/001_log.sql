-- The public log: one row per entry, appended in sequence and never changed (SPEC.md §6).
CREATE TABLE IF NOT EXISTS log_entries (
    seq     BIGINT PRIMARY KEY CHECK (seq >= 0),                      -- sequence number, from 0 without gaps
    at_ms   BIGINT NOT NULL,                                          -- appended-at instant, Unix milliseconds (UTC)
    actor   TEXT   NOT NULL,                                          -- "role:pseudonym" or "system"; never a name
    type    TEXT   NOT NULL,                                          -- event type (SPEC.md §5)
    payload BYTEA  NOT NULL,                                          -- canonical payload bytes exactly as hashed (never jsonb: it reorders keys)
    prev    BYTEA  NOT NULL CHECK (octet_length(prev) = 32),          -- hash of the previous entry (zeros for seq 0)
    hash    BYTEA  NOT NULL UNIQUE CHECK (octet_length(hash) = 32)    -- SHA-256(0x00 || entry bytes)
);

-- Append-only in the database itself, for every role including the owner.
CREATE OR REPLACE FUNCTION kq_refuse_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'log_entries is append-only: % refused', TG_OP USING ERRCODE = 'restrict_violation';
END
$$;

DROP TRIGGER IF EXISTS log_entries_refuse_change ON log_entries;
CREATE TRIGGER log_entries_refuse_change BEFORE UPDATE OR DELETE ON log_entries
    FOR EACH ROW EXECUTE FUNCTION kq_refuse_log_change();

DROP TRIGGER IF EXISTS log_entries_refuse_truncate ON log_entries;
CREATE TRIGGER log_entries_refuse_truncate BEFORE TRUNCATE ON log_entries
    FOR EACH STATEMENT EXECUTE FUNCTION kq_refuse_log_change();

-- First responses of idempotent commands: a retried command gets this back and appends nothing.
CREATE TABLE IF NOT EXISTS idempotency (
    key        TEXT   PRIMARY KEY,  -- actor-scoped Idempotency-Key
    seq        BIGINT,              -- the entry the command appended
    response   BYTEA  NOT NULL,     -- the first response body
    created_ms BIGINT NOT NULL      -- when it was stored (for expiry)
);

-- The private vault: personal data, never exported; erasable without touching the log.
CREATE TABLE IF NOT EXISTS private_records (
    number      TEXT  PRIMARY KEY,  -- public application number
    salt        BYTEA NOT NULL,     -- salt of the public commitment; never published
    record      BYTEA,              -- canonical private record; NULL once erased
    access_hash BYTEA NOT NULL,     -- SHA-256(salt || access code); the code itself is never stored
    owner       TEXT,               -- pseudonym of the parent account that applied, if any
    erased_ms   BIGINT              -- when the record was erased (retention law)
);

-- The role the service runs as: it may read and append the log, never change it.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kq_app') THEN
        CREATE ROLE kq_app NOLOGIN;
    END IF;
EXCEPTION
    -- Roles belong to the server, not the database: a migration of another database on the same
    -- server can create kq_app at the same moment (its advisory lock is per database).
    WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;
REVOKE ALL ON log_entries FROM kq_app;
GRANT SELECT, INSERT ON log_entries TO kq_app;
GRANT SELECT, INSERT, DELETE ON idempotency TO kq_app;
GRANT SELECT, INSERT, UPDATE ON private_records TO kq_app;
