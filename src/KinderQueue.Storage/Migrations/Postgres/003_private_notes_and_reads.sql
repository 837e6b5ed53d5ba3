-- Words people typed about an entry: beside the entry, never in the log (SPEC.md §4.6, §16).
CREATE TABLE IF NOT EXISTS private_notes (
    seq    BIGINT PRIMARY KEY,    -- the entry the note is about
    number TEXT,                  -- its application, if any: erasing the application erases the note
    text   TEXT   NOT NULL
);
CREATE INDEX IF NOT EXISTS private_notes_number ON private_notes (number);

-- Every read of personal data by a person: who, why and when (SPEC.md §16). Published as monthly counts.
CREATE TABLE IF NOT EXISTS private_reads (
    at_ms   BIGINT NOT NULL,      -- when, Unix milliseconds (UTC)
    number  TEXT   NOT NULL,      -- whose record
    actor   TEXT   NOT NULL,      -- role:pseudonym of the reader
    purpose TEXT   NOT NULL       -- a published purpose code
);

REVOKE ALL ON private_notes FROM kq_app;
REVOKE ALL ON private_reads FROM kq_app;
GRANT SELECT, INSERT, DELETE ON private_notes TO kq_app;
-- The service records reads and counts them; it cannot change or remove the record of a read.
GRANT SELECT, INSERT ON private_reads TO kq_app;
