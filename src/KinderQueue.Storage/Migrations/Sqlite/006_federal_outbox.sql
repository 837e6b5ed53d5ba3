-- Applications the federal portal (Gosuslugi) sent, by the portal's own id (issue 14,
-- deploy/FEDERAL-PORTAL.md). Private: the portal id links the region's pseudonymous number to the
-- parent's portal account, so it is never in the log or any public output.
CREATE TABLE IF NOT EXISTS federal_links (
    portal_id    TEXT PRIMARY KEY,      -- the portal's application id: a resend finds its application here
    number       TEXT NOT NULL UNIQUE,  -- the region's application number it became
    content_hash BLOB NOT NULL          -- SHA-256 of the canonical submission: a resend must match it, else 409
);

-- Status updates owed to the portal: written in the same transaction as the log entry they follow
-- from (a transactional outbox), sent by the delivery worker, kept as the record of what was sent.
-- Only the portal id, the status and an offer's public details: no name, no contact.
CREATE TABLE IF NOT EXISTS federal_outbox (
    key          TEXT    PRIMARY KEY,    -- idempotency key the portal dedupes on: kq-<seq>-<number>
    seq          INTEGER NOT NULL CHECK (seq >= 0),  -- the log entry the update follows from
    at_ms        INTEGER NOT NULL,       -- the entry's time, Unix milliseconds (UTC)
    portal_id    TEXT    NOT NULL,       -- the portal's application id (federal_links)
    status       TEXT    NOT NULL CHECK (status IN ('accepted', 'offered', 'offer-accepted', 'declined', 'expired', 'enrolled', 'withdrawn', 'archived')),
    kindergarten TEXT,                   -- an offer's kindergarten id (public)
    grp          TEXT,                   -- an offer's age group (public)
    deadline     TEXT,                   -- an offer's answer deadline, yyyy-MM-dd
    attempts     INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),  -- sends tried so far
    done_ms      INTEGER,                -- when it was delivered (or refused for good); NULL while owed
    outcome      TEXT CHECK (outcome IN ('delivered', 'rejected'))  -- NULL while owed
);
CREATE INDEX IF NOT EXISTS federal_outbox_owed ON federal_outbox (seq) WHERE done_ms IS NULL;
