-- =====================================================================================================
-- Both databases: what the q search keeps of a small session besides its files (JdbcStore, class
-- SearchText, which says why). Filled for existing sessions by the Java migration V6
-- (V6__search_text_fill), after PostgreSQL's V5 has said how to store the text.
--
-- sessions.search_text   the folded texts (files.text_lc) of the session's text files joined by
--   U+FFFF, '' for none. A q holding U+FFFF is searched file by file, so no match spans two files.
-- sessions.search_grams  a 4,096-bit bitmap (512 bytes): one bit set for every character and every
--   pair of adjacent characters of those texts (a hash of it; bit n is bit n % 8 of byte n / 8). A
--   session lacking one of q's bits cannot contain q and its text is not read.
-- sessions.search_version  the sessions.version the two were written for. The search uses them only
--   while it equals version: a gateway of an earlier release changes files (and bumps version)
--   without rewriting them, so during a rolling upgrade, or after a downgrade and upgrade, such a
--   session is read file by file until its next write. A change to the session row alone (rename)
--   carries it along.
-- All NULL when the session holds more than SearchText.MAX_BYTES (32 KiB) of files: the search then
-- reads files.text_lc file by file. All rewritten in the statement that updates the session's byte
-- count on every change to its files.
-- =====================================================================================================

ALTER TABLE sessions ADD COLUMN search_text TEXT;
ALTER TABLE sessions ADD COLUMN search_grams ${bytes};
ALTER TABLE sessions ADD COLUMN search_version BIGINT;
