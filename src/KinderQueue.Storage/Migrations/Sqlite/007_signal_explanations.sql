-- The public explanations of signal reviews (issue 13, SPEC §17): the log's signal.reviewed entry
-- holds only the SHA-256 of its text, the text lives here, so the department can redact a text that
-- turns out to hold personal data without breaking the chain (the hash stays, the text goes).
-- Public, not personal: kept apart from private_records and private_notes.
CREATE TABLE IF NOT EXISTS signal_explanations (
    sha256      TEXT    PRIMARY KEY CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),  -- lower-case hex SHA-256 of the UTF-8 text, as in the entry
    text        TEXT,                    -- the explanation as published; NULL once redacted
    created_ms  INTEGER NOT NULL,        -- when the service first stored it, Unix milliseconds (UTC)
    redacted    INTEGER NOT NULL DEFAULT 0 CHECK (redacted IN (0, 1)),  -- 1: the text was taken out
    redacted_ms INTEGER,                 -- when it was redacted; NULL while published
    CHECK ((redacted = 0 AND text IS NOT NULL AND redacted_ms IS NULL) OR (redacted = 1 AND text IS NULL AND redacted_ms IS NOT NULL))
);
