-- =====================================================================================================
-- Both databases: the texts of a small session in one column, for the scan of the q search
-- (JdbcStore.searchCondition). Filled for existing sessions by V6, after PostgreSQL's V5 has said
-- how to store it.
--
-- sessions.search_text  the folded texts (files.text_lc) of all the session's text files joined by
--   U+FFFF (JdbcStore.SEARCH_TEXT_SEPARATOR), '' for none; NULL when the session holds more than
--   JdbcStore.SEARCH_TEXT_MAX_BYTES bytes of files (then the search reads files.text_lc file by
--   file, as it did for every session before). Rewritten in the statement that updates the
--   session's byte count on every change to its files. A q that holds U+FFFF is searched file by
--   file, so no match can span two files.
--   Why: the scan probed the files of every session one by one; for a user with 2,000 sessions on
--   PostgreSQL that was most of the time of a search the trigram index cannot narrow (a phrase of
--   common words, 2 characters): 20–25 ms of which ~13 ms were the probes.
-- =====================================================================================================

ALTER TABLE sessions ADD COLUMN search_text TEXT;
