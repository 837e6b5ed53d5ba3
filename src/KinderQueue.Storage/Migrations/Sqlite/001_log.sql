-- The public log: one row per entry, appended in sequence and never changed (SPEC.md §6).
CREATE TABLE IF NOT EXISTS log_entries (
    seq     INTEGER PRIMARY KEY CHECK (seq >= 0),              -- sequence number, from 0 without gaps
    at_ms   INTEGER NOT NULL,                                   -- appended-at instant, Unix milliseconds (UTC)
    actor   TEXT    NOT NULL,                                   -- "role:pseudonym" or "system"; never a name
    type    TEXT    NOT NULL,                                   -- event type (SPEC.md §5)
    payload BLOB    NOT NULL,                                   -- canonical payload bytes, exactly as hashed
    prev    BLOB    NOT NULL CHECK (length(prev) = 32),         -- hash of the previous entry (zeros for seq 0)
    hash    BLOB    NOT NULL UNIQUE CHECK (length(hash) = 32)   -- SHA-256(0x00 || entry bytes)
);

-- Append-only in the database itself: no code path, and no hand edit, can change history.
CREATE TRIGGER IF NOT EXISTS log_entries_refuse_update BEFORE UPDATE ON log_entries
BEGIN
    SELECT RAISE(ABORT, 'log_entries is append-only: UPDATE refused');
END;

CREATE TRIGGER IF NOT EXISTS log_entries_refuse_delete BEFORE DELETE ON log_entries
BEGIN
    SELECT RAISE(ABORT, 'log_entries is append-only: DELETE refused');
END;

-- First responses of idempotent commands: a retried command gets this back and appends nothing.
CREATE TABLE IF NOT EXISTS idempotency (
    key        TEXT    PRIMARY KEY,   -- actor-scoped Idempotency-Key
    seq        INTEGER,               -- the entry the command appended
    response   BLOB    NOT NULL,      -- the first response body
    created_ms INTEGER NOT NULL       -- when it was stored (for expiry)
);

-- The private vault: personal data, never exported; erasable without touching the log.
CREATE TABLE IF NOT EXISTS private_records (
    number      TEXT    PRIMARY KEY,  -- public application number
    salt        BLOB    NOT NULL,     -- salt of the public commitment; never published
    record      BLOB,                 -- canonical private record; NULL once erased
    access_hash BLOB    NOT NULL,     -- SHA-256(salt || access code); the code itself is never stored
    owner       TEXT,                 -- pseudonym of the parent account that applied, if any
    erased_ms   INTEGER               -- when the record was erased (retention law)
);
