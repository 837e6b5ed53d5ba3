-- INSERT OR REPLACE (and REPLACE INTO) resolves a seq or hash conflict by deleting the old entry, and
-- SQLite fires no DELETE trigger for that unless recursive_triggers is on (it is off by default, in the
-- sqlite3 shell too), so 001's triggers alone let a hand edit rewrite history. A new entry must take a
-- seq and a hash that no entry has: check before the insert, where no conflict clause can intervene.
CREATE TRIGGER IF NOT EXISTS log_entries_refuse_replace BEFORE INSERT ON log_entries
WHEN EXISTS (SELECT 1 FROM log_entries WHERE seq = NEW.seq OR hash = NEW.hash)
BEGIN
    SELECT RAISE(ABORT, 'log_entries is append-only: an entry with this seq or hash exists');
END;
