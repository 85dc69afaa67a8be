-- =====================================================================================================
-- Both databases: the durable state of the co-edited documents (/ws/collab, y-websocket; see
-- docs/protocol.md "Co-editing"). One row per (session, file path).
--
-- collab_docs.format     the encoding of state, named by the gateway's DocState implementation
--                        ('update-list': a varuint count then each Yjs update, length-prefixed;
--                        a YDoc-backed state writes a Yjs v1 update).
-- collab_docs.state      the document folded up to stream_id.
-- collab_docs.stream_id  the id (ms-seq) of the last entry of the document's Redis stream folded into
--                        state; the compactor's compare-and-set saves only over the row it read, then
--                        trims the stream up to it. A client's sync is this state plus the stream's tail.
-- Rows go with their session (ON DELETE CASCADE).
-- =====================================================================================================

CREATE TABLE collab_docs (
  session_id TEXT     NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  path       TEXT     NOT NULL,
  format     TEXT     NOT NULL,
  state      ${bytes} NOT NULL,
  stream_id  TEXT     NOT NULL,
  updated_at BIGINT   NOT NULL,
  PRIMARY KEY (session_id, path)
);
