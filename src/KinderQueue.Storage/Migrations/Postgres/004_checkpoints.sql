-- The signed checkpoints of the region, issued under the writer's lock by whichever instance comes
-- first, so that every replica serves one sequence whose size and time never decrease (SPEC.md §11.2).
CREATE TABLE IF NOT EXISTS checkpoints (
    size     BIGINT PRIMARY KEY,   -- entries the checkpoint covers; strictly increasing
    time_ms  BIGINT NOT NULL,      -- its time, Unix milliseconds (UTC); never decreasing
    document BYTEA  NOT NULL       -- the published bytes, signature included
);

REVOKE ALL ON checkpoints FROM kq_app;
-- The service appends checkpoints and reads them; it cannot change or remove one it published.
GRANT SELECT, INSERT ON checkpoints TO kq_app;
