-- Words people typed about an entry: beside the entry, never in the log (SPEC.md §4.6, §16).
CREATE TABLE IF NOT EXISTS private_notes (
    seq    INTEGER PRIMARY KEY,   -- the entry the note is about
    number TEXT,                  -- its application, if any: erasing the application erases the note
    text   TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS private_notes_number ON private_notes (number);

-- Every read of personal data by a person: who, why and when (SPEC.md §16). Published as monthly counts.
CREATE TABLE IF NOT EXISTS private_reads (
    at_ms   INTEGER NOT NULL,     -- when, Unix milliseconds (UTC)
    number  TEXT    NOT NULL,     -- whose record
    actor   TEXT    NOT NULL,     -- role:pseudonym of the reader
    purpose TEXT    NOT NULL      -- a published purpose code
);

CREATE TRIGGER IF NOT EXISTS private_reads_refuse_update BEFORE UPDATE ON private_reads
BEGIN
    SELECT RAISE(ABORT, 'private_reads is append-only: UPDATE refused');
END;

CREATE TRIGGER IF NOT EXISTS private_reads_refuse_delete BEFORE DELETE ON private_reads
BEGIN
    SELECT RAISE(ABORT, 'private_reads is append-only: DELETE refused');
END;
