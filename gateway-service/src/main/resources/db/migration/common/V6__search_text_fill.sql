-- =====================================================================================================
-- Both databases: sessions.search_text (V4) for the sessions that existed before it, exactly as
-- JdbcStore writes it (the placeholders are its aggregate and its SEARCH_TEXT_MAX_BYTES).
-- =====================================================================================================

UPDATE sessions SET search_text = COALESCE((SELECT ${searchTextAgg} FROM files f WHERE f.session_id = sessions.id AND f.text_lc IS NOT NULL), '')
WHERE bytes <= ${searchTextMaxBytes};
