-- Witnesses' cosignatures of published checkpoints (c2sp.org/tlog-cosignature; SPEC.md §11.2b), stored
-- so that every replica appends the same signature lines to the checkpoint note it serves.
CREATE TABLE IF NOT EXISTS checkpoint_cosignatures (
    size        BIGINT NOT NULL REFERENCES checkpoints (size), -- the checkpoint cosigned
    witness     TEXT   NOT NULL,  -- the witness's verifier key (name+id+base64 key), as configured
    line        TEXT   NOT NULL,  -- the signature line "— name base64(…)", verified before it was stored
    cosigned_at BIGINT NOT NULL CHECK (cosigned_at > 0), -- the witness's timestamp, Unix seconds
    PRIMARY KEY (size, witness)
);

REVOKE ALL ON checkpoint_cosignatures FROM kq_app;
-- The service adds cosignatures and reads them; it cannot change or remove one it published.
GRANT SELECT, INSERT ON checkpoint_cosignatures TO kq_app;
