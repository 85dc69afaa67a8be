-- =====================================================================================================
-- SQLite only (db/migration/sqlite; PostgreSQL has its own V2): a trigram index over the text of
-- workspace files, for the q search of listSessions (JdbcStore; Database.Sqlite.indexHits).
--
-- search_text  an FTS5 table with the trigram tokenizer: every run of 3 characters of files.text_lc
--   is a token, so a quoted phrase of 3 or more characters matches exactly where text_lc contains it
--   as a substring (whitespace and punctuation included). case_sensitive 1: text_lc and q are both
--   lowercased by Java (Locale.ROOT) already; folding them again here would match more than the
--   scan does. Contentless (content=''): the text is in files already; contentless_delete=1 lets
--   rows be deleted by rowid alone.
-- search_docs  the rowid of a file's row in search_text, by (session_id, path). An explicit INTEGER
--   PRIMARY KEY, unlike files' implicit rowid, which VACUUM may renumber.
--
-- Kept in step by the triggers below in the same transaction as every change to files, whoever
-- makes it: insert, content write, rename, delete, and the ON DELETE CASCADE of a session delete
-- (SQLite fires row triggers for cascaded deletes). Binary files (text_lc NULL) have no row.
-- Session names are not indexed: a user's names are checked one by one (short, and only theirs).
-- =====================================================================================================

CREATE TABLE search_docs (
  id         INTEGER PRIMARY KEY,
  session_id TEXT NOT NULL,
  path       TEXT NOT NULL,
  CONSTRAINT search_docs_file UNIQUE (session_id, path)
);

CREATE VIRTUAL TABLE search_text USING fts5 (text_lc, content = '', contentless_delete = 1, tokenize = 'trigram case_sensitive 1');

CREATE TRIGGER files_search_insert AFTER INSERT ON files WHEN new.text_lc IS NOT NULL
BEGIN
  INSERT INTO search_docs (session_id, path) VALUES (new.session_id, new.path);
  INSERT INTO search_text (rowid, text_lc)
    SELECT id, new.text_lc FROM search_docs WHERE session_id = new.session_id AND path = new.path;
END;

CREATE TRIGGER files_search_delete AFTER DELETE ON files WHEN old.text_lc IS NOT NULL
BEGIN
  DELETE FROM search_text WHERE rowid = (SELECT id FROM search_docs WHERE session_id = old.session_id AND path = old.path);
  DELETE FROM search_docs WHERE session_id = old.session_id AND path = old.path;
END;

-- new content (or text <-> binary): the old row goes, the new text gets a row of its own
CREATE TRIGGER files_search_write AFTER UPDATE OF session_id, path, text_lc ON files WHEN old.text_lc IS NOT new.text_lc
BEGIN
  DELETE FROM search_text WHERE rowid = (SELECT id FROM search_docs WHERE session_id = old.session_id AND path = old.path);
  DELETE FROM search_docs WHERE session_id = old.session_id AND path = old.path;
  INSERT INTO search_docs (session_id, path) SELECT new.session_id, new.path WHERE new.text_lc IS NOT NULL;
  INSERT INTO search_text (rowid, text_lc)
    SELECT id, new.text_lc FROM search_docs WHERE session_id = new.session_id AND path = new.path AND new.text_lc IS NOT NULL;
END;

-- same content under a new path: only the key moves
CREATE TRIGGER files_search_rename AFTER UPDATE OF session_id, path ON files WHEN old.text_lc IS new.text_lc AND old.text_lc IS NOT NULL
BEGIN
  UPDATE search_docs SET session_id = new.session_id, path = new.path WHERE session_id = old.session_id AND path = old.path;
END;

-- the files already stored
INSERT INTO search_docs (session_id, path) SELECT session_id, path FROM files WHERE text_lc IS NOT NULL;
INSERT INTO search_text (rowid, text_lc) SELECT d.id, f.text_lc FROM search_docs d JOIN files f ON f.session_id = d.session_id AND f.path = d.path;
