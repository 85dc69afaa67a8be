-- =====================================================================================================
-- PostgreSQL only (db/migration/postgresql; SQLite has its own V2): a trigram index over the text of
-- workspace files, for the q search of listSessions (JdbcStore; Database.Postgres.indexHits).
--
-- files_text_trgm  GIN (text_lc gin_trgm_ops) from the pg_trgm extension: answers
--   text_lc LIKE '%word%' from the index (plus a recheck of each candidate row).
--
-- pg_trgm is created here when the database lacks it, in the current schema. Where that is not
-- allowed (the role may not create extensions: pg_trgm is "trusted", so it needs CREATE on the
-- database) or the extension is not installed on the server, the migration still succeeds, without
-- the index, and says so in a WARNING; the search then scans as before. Once a DBA runs
-- CREATE EXTENSION pg_trgm, creating the index by hand is enough (the store looks for an index of
-- this name on start):
--   CREATE INDEX files_text_trgm ON files USING gin (text_lc <schema of pg_trgm>.gin_trgm_ops);
-- The operator class is named with its schema, so pg_trgm need not be on the search_path.
--
-- Session names get no index: a user's names are checked one by one (short, and only theirs).
-- =====================================================================================================

DO $$
DECLARE
  trgm_schema TEXT;
BEGIN
  SELECT n.nspname INTO trgm_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
  IF trgm_schema IS NULL THEN
    BEGIN
      CREATE EXTENSION pg_trgm;
      SELECT n.nspname INTO trgm_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
    EXCEPTION
      -- no privilege / the contrib files are not installed / not available to this role
      WHEN insufficient_privilege OR undefined_file OR feature_not_supported OR invalid_schema_name THEN
        RAISE WARNING 'sandpit: pg_trgm is not available (%): the session search scans file texts without an index', SQLERRM;
    END;
  END IF;
  IF trgm_schema IS NOT NULL THEN
    EXECUTE format('CREATE INDEX files_text_trgm ON files USING gin (text_lc %I.gin_trgm_ops)', trgm_schema);
  END IF;
END
$$;
