-- Witnesses' cosignatures of published checkpoints (c2sp.org/tlog-cosignature; SPEC.md §11.2b), stored
-- so that every replica appends the same signature lines to the checkpoint note it serves.
CREATE TABLE IF NOT EXISTS checkpoint_cosignatures (
    size        INTEGER NOT NULL REFERENCES checkpoints (size), -- the checkpoint cosigned
    witness     TEXT    NOT NULL,  -- the witness's verifier key (name+id+base64 key), as configured
    line        TEXT    NOT NULL,  -- the signature line "— name base64(…)", verified before it was stored
    cosigned_at INTEGER NOT NULL CHECK (cosigned_at > 0), -- the witness's timestamp, Unix seconds
    PRIMARY KEY (size, witness)
);

CREATE TRIGGER IF NOT EXISTS checkpoint_cosignatures_refuse_update BEFORE UPDATE ON checkpoint_cosignatures
BEGIN
    SELECT RAISE(ABORT, 'checkpoint_cosignatures is append-only: UPDATE refused');
END;

CREATE TRIGGER IF NOT EXISTS checkpoint_cosignatures_refuse_delete BEFORE DELETE ON checkpoint_cosignatures
BEGIN
    SELECT RAISE(ABORT, 'checkpoint_cosignatures is append-only: DELETE refused');
END;
