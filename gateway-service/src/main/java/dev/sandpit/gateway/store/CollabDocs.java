package dev.sandpit.gateway.store;

import java.util.List;
import java.util.Optional;

/**
 * The durable state of the co-edited documents (table {@code collab_docs}, migration V8): one row
 * per (session, file path) with the document's compacted state and the id of the last Redis stream
 * entry folded into it. Rows go with their session (ON DELETE CASCADE). Blocking JDBC, like {@link
 * Store}: call it off the event loop.
 */
public interface CollabDocs {

  /**
   * A document's stored state.
   *
   * @param format the encoding of {@code state} (the DocState implementation that wrote it)
   * @param streamId the last stream entry folded into {@code state} ({@code ms-seq})
   */
  record Doc(String sessionId, String path, String format, byte[] state, String streamId, long updatedAt) {}

  Optional<Doc> load(String sessionId, String path);

  /**
   * Store the state folded up to {@code streamId}, if the stored row is still at {@code
   * expectedStreamId} (null: there is no row yet). False when another compactor got there first.
   * NOT_FOUND when the session is gone.
   */
  boolean save(String sessionId, String path, String format, byte[] state, String streamId, String expectedStreamId);

  /** The paths of the session's documents, sorted. */
  List<String> paths(String sessionId);

  /** Forget one document (its file was deleted); false when there was none. */
  boolean delete(String sessionId, String path);
}
