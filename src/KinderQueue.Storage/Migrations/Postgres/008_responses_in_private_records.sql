-- Issue 16: a cheaper durable event. A submission appended three rows in three tables (the entry,
-- the private record, the idempotency response) and four unique-index entries. Its sealed
-- idempotency response now lives in the private record it created, so a submission writes two
-- rows; the idempotency table keeps the responses of commands that create no private record.
-- The response columns are cleared (never the record) when the response expires.
ALTER TABLE private_records
    ADD COLUMN IF NOT EXISTS response_key TEXT,    -- SealedResponses row key of the creating command's Idempotency-Key; NULL when sent without one or once expired
    ADD COLUMN IF NOT EXISTS response_seq BIGINT,  -- the entry that command appended
    ADD COLUMN IF NOT EXISTS response     BYTEA,   -- its first response, sealed under the key (SealedResponses)
    ADD COLUMN IF NOT EXISTS response_ms  BIGINT;  -- when it was stored, Unix milliseconds (for expiry)

ALTER TABLE private_records DROP CONSTRAINT IF EXISTS private_records_response_whole;
ALTER TABLE private_records ADD CONSTRAINT private_records_response_whole
    CHECK ((response_key IS NULL) = (response IS NULL) AND (response_key IS NULL) = (response_ms IS NULL));

-- Only rows whose response is still kept are indexed: the index holds about a day of submissions.
CREATE UNIQUE INDEX IF NOT EXISTS private_records_response_key ON private_records (response_key) WHERE response_key IS NOT NULL;

-- The entry's hash needs no index of its own: nothing looks an entry up by its hash, and the hash
-- covers the entry's seq (the primary key), so two rows cannot share one unless SHA-256 collides;
-- every fold checks each stored hash against the entry and the chain. The random 32-byte key cost
-- a B-tree insert at a random leaf (and its WAL record) for every entry.
ALTER TABLE log_entries DROP CONSTRAINT IF EXISTS log_entries_hash_key;
