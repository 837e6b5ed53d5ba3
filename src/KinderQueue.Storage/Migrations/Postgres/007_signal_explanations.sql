-- The public explanations of signal reviews (issue 13, SPEC §17): the log's signal.reviewed entry
-- holds only the SHA-256 of its text, the text lives here, so the department can redact a text that
-- turns out to hold personal data without breaking the chain (the hash stays, the text goes).
-- Public, not personal: kept apart from private_records and private_notes.
CREATE TABLE IF NOT EXISTS signal_explanations (
    sha256      TEXT    PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),  -- lower-case hex SHA-256 of the UTF-8 text, as in the entry
    text        TEXT,                    -- the explanation as published; NULL once redacted
    created_ms  BIGINT  NOT NULL,        -- when the service first stored it, Unix milliseconds (UTC)
    redacted    BOOLEAN NOT NULL DEFAULT FALSE,  -- true: the text was taken out
    redacted_ms BIGINT,                  -- when it was redacted; NULL while published
    CHECK ((NOT redacted AND text IS NOT NULL AND redacted_ms IS NULL) OR (redacted AND text IS NULL AND redacted_ms IS NOT NULL))
);

REVOKE ALL ON signal_explanations FROM kq_app;
-- A text is stored once and may be redacted (an UPDATE to NULL); a row is never deleted, so the
-- hash of a redacted text stays on record.
GRANT SELECT, INSERT, UPDATE ON signal_explanations TO kq_app;
