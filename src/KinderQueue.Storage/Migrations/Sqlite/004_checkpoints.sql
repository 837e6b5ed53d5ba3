-- The signed checkpoints of the region, issued under the writer's lock by whichever instance comes
-- first, so that every replica serves one sequence whose size and time never decrease (SPEC.md §11.2).
CREATE TABLE IF NOT EXISTS checkpoints (
    size     INTEGER PRIMARY KEY,  -- entries the checkpoint covers; strictly increasing
    time_ms  INTEGER NOT NULL,     -- its time, Unix milliseconds (UTC); never decreasing
    document BLOB    NOT NULL      -- the published bytes, signature included
);

CREATE TRIGGER IF NOT EXISTS checkpoints_refuse_update BEFORE UPDATE ON checkpoints
BEGIN
    SELECT RAISE(ABORT, 'checkpoints is append-only: UPDATE refused');
END;

CREATE TRIGGER IF NOT EXISTS checkpoints_refuse_delete BEFORE DELETE ON checkpoints
BEGIN
    SELECT RAISE(ABORT, 'checkpoints is append-only: DELETE refused');
END;
