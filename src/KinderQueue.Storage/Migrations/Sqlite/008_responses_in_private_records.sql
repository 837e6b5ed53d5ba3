-- Issue 16: a submission's sealed idempotency response lives in the private record it created (as
-- in the PostgreSQL schema), so a submission writes two rows instead of three; the idempotency table
-- keeps the responses of commands that create no private record. The response columns are cleared
-- (never the record) when the response expires. (PostgreSQL also drops the index on the entry's
-- hash; SQLite cannot drop an inline UNIQUE without rebuilding the append-only log table, so it keeps it.)
ALTER TABLE private_records ADD COLUMN response_key TEXT;     -- SealedResponses row key of the creating command's Idempotency-Key; NULL when sent without one or once expired
ALTER TABLE private_records ADD COLUMN response_seq INTEGER;  -- the entry that command appended
ALTER TABLE private_records ADD COLUMN response     BLOB;     -- its first response, sealed under the key (SealedResponses)
ALTER TABLE private_records ADD COLUMN response_ms  INTEGER;  -- when it was stored, Unix milliseconds (for expiry)

-- Only rows whose response is still kept are indexed.
CREATE UNIQUE INDEX IF NOT EXISTS private_records_response_key ON private_records (response_key) WHERE response_key IS NOT NULL;
