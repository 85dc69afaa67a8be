-- =====================================================================================================
-- Both databases: a session's settings, shared by everyone in it (they had lived in one browser's
-- localStorage, so a collaborator or a fresh profile saw other settings than the one who chose them).
--
-- sessions.compiler        the C/C++ compiler the session's runs use (gcc, clang, g++, clang++; NULL:
--   the language's default). Checked by the gateway against the session's language when set; a run
--   of another language (the session's language changed since) uses its own default.
-- sessions.compiler_flags  the compiler flags, a JSON array of strings ('["-O2","-Wall"]'; NULL:
--   none), each checked against CompilerFlags' allowlist when set.
-- A run that names its own compiler or flags (the WebSocket's execute) uses those; a run that does
-- not (the /v1 API, a run started without them) uses these. Not part of version: a change to the
-- settings is not a change to the files, and the search copy stays valid.
-- =====================================================================================================

ALTER TABLE sessions ADD COLUMN compiler TEXT;
ALTER TABLE sessions ADD COLUMN compiler_flags TEXT;
