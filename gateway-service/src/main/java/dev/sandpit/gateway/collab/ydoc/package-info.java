/**
 * A Java implementation of the Yjs document model and its update format v1, for the gateway's real-time
 * co-editing: {@link dev.sandpit.gateway.collab.ydoc.YDoc} integrates updates from stock yjs clients, compacts
 * them into one update, reads a Y.Text root, turns a whole-text write into a Yjs update, and answers sync step 1
 * with the diff for a state vector. {@link dev.sandpit.gateway.collab.ydoc.Lib0Encoder} and
 * {@link dev.sandpit.gateway.collab.ydoc.Lib0Decoder} are lib0's binary encodings.
 *
 * <p>Follows yjs 13.6 (src/structs/Item.js, src/utils/encoding.js, DeleteSet.js, StructStore.js, Transaction.js,
 * src/types/YText.js): YATA integration with origin and right origin, pending structs retried when a missing clock
 * arrives, pending deletes, garbage collection of deleted content (gc on, as Y.Doc's default) and merging of
 * adjacent structs after each change. The tests compare against yjs byte for byte (src/test/resources/ydoc).
 *
 * <p>Not supported: update format v2, Y.Text formatting on local edits (marks are kept and honoured, not made),
 * replaceText on a text holding embeds or nested types (refused), subdocuments (kept as content, never loaded),
 * undo/redo metadata ({@code redone}), snapshots (gc is always on). Map, Array and Xml types are integrated and
 * round-trip but have no readers.
 */
package dev.sandpit.gateway.collab.ydoc;
