-- =====================================================================================================
-- PostgreSQL only: how sessions.search_text (V4) is stored.
--
-- Uncompressed (STORAGE EXTERNAL) and in the row while the row fits a page (toast_tuple_target
-- 8160, the most PostgreSQL allows; the default moves anything past ~2 kB out of the row). The
-- search reads every small session's text: decompressing pglz cost more than the matching itself
-- (a heavy user's phrase search 21 ms with pglz, 8 ms uncompressed), and an out-of-row value is one
-- more index probe per session. Larger texts still go out of the row (uncompressed).
-- =====================================================================================================

ALTER TABLE sessions SET (toast_tuple_target = 8160);
ALTER TABLE sessions ALTER COLUMN search_text SET STORAGE EXTERNAL;
