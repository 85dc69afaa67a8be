-- =====================================================================================================
-- Sandpit's durable store, schema version 1 (gateway-service, dev.sandpit.gateway.store.JdbcStore).
--
-- ONE set of migrations for SQLite (the embedded default) and PostgreSQL, run by Flyway. The SQL is
-- portable; the only dialect-specific bit is the byte-string column type, written as the Flyway
-- placeholder "bytes" (BLOB on SQLite, BYTEA on PostgreSQL; JdbcStore sets it). Everything is TEXT,
-- BIGINT or BOOLEAN; lengths are enforced by JdbcStore, not by the column types, so that both
-- databases accept exactly the same values. Times are epoch milliseconds (BIGINT); ids are random
-- 128-bit lowercase hex (32 characters) made by JdbcStore, except runs.id (the job id) and
-- blobs.hash (SHA-256 hex of the content).
--
-- users        one account per row.
--   id PK, username UNIQUE (exact, case-sensitive), password_hash (NULL for guests), guest,
--   created_at, bytes = total size of the files of all sessions the user owns (kept by JdbcStore in
--   the same transaction as every file change; the quota check reads it; userBytes() returns it).
--
-- sessions     a named project of one owner.
--   id PK, owner_id -> users, name, name_lc (the name lowercased by JdbcStore, for the q search),
--   language, created_at, updated_at (every change to the session or its files), version (+1 with
--   every change to the row), bytes = total size of its files.
--   index sessions_owner (owner_id, updated_at, id)            listSessions, owned, newest first
--   index sessions_owner_language (owner_id, language, updated_at, id)   ... with the language filter
--
-- files        the workspace files of a session, PK (session_id, path); ON DELETE CASCADE.
--   text   the content of a text file (valid UTF-8 without NUL); NULL otherwise.
--   text_lc  text lowercased by JdbcStore (Java, Locale.ROOT): what the q search of listSessions
--          matches with LIKE. Folding in Java, not with SQL lower(), makes the search the same on
--          both databases (SQLite's lower() only folds ASCII) and several times faster on
--          PostgreSQL (lower() of every text on every search was the cost), for twice the bytes.
--   data   the content of a binary file, or of a "text" file that is not valid UTF-8 or contains NUL
--          (PostgreSQL TEXT cannot hold NUL), so that nothing written is ever changed; NULL otherwise.
--   is_binary (the caller's flag), size (bytes), version (1 on create, +1 per write or rename),
--   updated_at. Paths are relative, '/'-separated, no '.', '..' or empty segments; a path is never
--   both a file and a directory (checked by JdbcStore).
--
-- shares       share links. token PK (random 128-bit hex), session_id -> sessions CASCADE, role
--   (editor|runner|viewer), created_by -> users, created_at, revoked_at (NULL while live).
--   index shares_session (session_id, created_at)
--
-- members      who joined a session and how. PK (session_id, user_id, via_token): one row per share
--   link a user joined through (via_token = the link's token; '' = added directly), so revoking one
--   link removes exactly the access gained through it; the user's role is the highest of its rows.
--   role, joined_at. The owner is never a member.
--   index members_user (user_id, session_id)                  listSessions, shared with me
--
-- blobs        content-addressed bytes: hash PK (SHA-256, lowercase hex), data, size, created_at.
--   Insert-if-absent; never updated. Not deleted with sessions (other runs may share them).
--
-- runs         the history of a session's runs. id PK (the job id), session_id -> sessions CASCADE,
--   user_id -> users, language, snapshot -> blobs (the files manifest, JSON path -> blob hash),
--   stdin (UTF-8 bytes), started_at, status, exit_code, wall_ms, cpu_ms, memory_kb, ended_at (NULL
--   until the run ends; the first end wins), transcript_bytes (UTF-8 bytes of the chunks kept),
--   transcript_capped (chunks were cut or dropped), transcript_cap (the cap in force when the run
--   started).
--   index runs_session (session_id, started_at, id)            listRuns, newest first
--
-- run_chunks   a run's transcript. PK (run_id, seq), run_id -> runs CASCADE, stream
--   (stdout|stderr|stdin|...), data (UTF-8 bytes, so that NUL survives PostgreSQL).
-- =====================================================================================================

CREATE TABLE users (
  id            TEXT    NOT NULL PRIMARY KEY,
  username      TEXT    NOT NULL,
  password_hash TEXT,
  guest         BOOLEAN NOT NULL,
  created_at    BIGINT  NOT NULL,
  bytes         BIGINT  NOT NULL DEFAULT 0,
  CONSTRAINT users_username_key UNIQUE (username)
);

CREATE TABLE sessions (
  id         TEXT   NOT NULL PRIMARY KEY,
  owner_id   TEXT   NOT NULL REFERENCES users (id),
  name       TEXT   NOT NULL,
  name_lc    TEXT   NOT NULL,
  language   TEXT   NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  version    BIGINT NOT NULL,
  bytes      BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX sessions_owner ON sessions (owner_id, updated_at, id);
CREATE INDEX sessions_owner_language ON sessions (owner_id, language, updated_at, id);

CREATE TABLE files (
  session_id TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  path       TEXT    NOT NULL,
  text       TEXT,
  text_lc    TEXT,
  data       ${bytes},
  is_binary  BOOLEAN NOT NULL,
  size       BIGINT  NOT NULL,
  version    BIGINT  NOT NULL,
  updated_at BIGINT  NOT NULL,
  PRIMARY KEY (session_id, path)
);

CREATE TABLE shares (
  token      TEXT   NOT NULL PRIMARY KEY,
  session_id TEXT   NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  role       TEXT   NOT NULL,
  created_by TEXT   NOT NULL REFERENCES users (id),
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX shares_session ON shares (session_id, created_at);

CREATE TABLE members (
  session_id TEXT   NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  user_id    TEXT   NOT NULL REFERENCES users (id),
  via_token  TEXT   NOT NULL DEFAULT '',
  role       TEXT   NOT NULL,
  joined_at  BIGINT NOT NULL,
  PRIMARY KEY (session_id, user_id, via_token)
);
CREATE INDEX members_user ON members (user_id, session_id);

CREATE TABLE blobs (
  hash       TEXT     NOT NULL PRIMARY KEY,
  data       ${bytes} NOT NULL,
  size       BIGINT   NOT NULL,
  created_at BIGINT   NOT NULL
);

CREATE TABLE runs (
  id                TEXT    NOT NULL PRIMARY KEY,
  session_id        TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  user_id           TEXT    NOT NULL REFERENCES users (id),
  language          TEXT    NOT NULL,
  snapshot          TEXT    REFERENCES blobs (hash),
  stdin             ${bytes},
  started_at        BIGINT  NOT NULL,
  status            TEXT    NOT NULL,
  exit_code         INTEGER,
  wall_ms           BIGINT,
  cpu_ms            BIGINT,
  memory_kb         BIGINT,
  ended_at          BIGINT,
  transcript_bytes  BIGINT  NOT NULL DEFAULT 0,
  transcript_capped BOOLEAN NOT NULL DEFAULT FALSE,
  transcript_cap    BIGINT  NOT NULL
);
CREATE INDEX runs_session ON runs (session_id, started_at, id);

CREATE TABLE run_chunks (
  run_id TEXT     NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  seq    BIGINT   NOT NULL,
  stream TEXT     NOT NULL,
  data   ${bytes} NOT NULL,
  PRIMARY KEY (run_id, seq)
);
