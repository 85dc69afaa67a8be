package dev.sandpit.gateway.collab;

import java.util.List;

/**
 * What the gateway needs to know about one Yjs document: fold updates in, say what a client with a
 * given state vector lacks, and give durable bytes. Everything else (framing, fan-out, Redis, the
 * store) is independent of it.
 *
 * <p><b>The swap point</b> is {@link #open}: it is the only place that names an implementation.
 * Today it is {@link UpdateLogState} (no CRDT: the state is the list of updates). A YDoc-backed
 * implementation (dev.sandpit.gateway.collab.ydoc.YDoc) replaces that one line; it must still read
 * the {@link UpdateLogState#FORMAT} bytes already stored (decode them with {@link
 * UpdateLogState#updates} and apply each), and write its own {@link #format()}.
 *
 * <p>Not thread-safe: a document is used on its gateway's event loop only.
 */
public interface DocState {

  /** The state of a document from its stored bytes (null: a new, empty document). */
  static DocState open(String format, byte[] stored) {
    return UpdateLogState.open(format, stored);
  }

  /** Fold in one Yjs v1 update (idempotent for an update already folded in). */
  void apply(byte[] update);

  /** The state vector the server announces in its sync step 1. */
  byte[] stateVector();

  /**
   * The updates a client whose state vector is {@code stateVector} lacks, in the order they are to
   * be sent; the last goes in the sync step 2 (an empty list: the client lacks nothing).
   */
  List<byte[]> diff(byte[] stateVector);

  /** The durable bytes of the state, in {@link #format()}; {@link #open} reads them back. */
  byte[] encode();

  /** The name of the encoding {@link #encode} writes (stored next to the bytes). */
  String format();

  /** About how many bytes the state holds (for limits and figures). */
  long sizeBytes();

  /** Whether {@link #text} and {@link #replaceText} work (they need a CRDT). */
  boolean supportsText();

  /** The text of the shared type {@code root} ({@code doc.getText(root)}); unsupported without a CRDT. */
  String text(String root);

  /** Turn {@code root}'s text into {@code newText} as an edit of {@code clientId}, returning the update; unsupported without a CRDT. */
  byte[] replaceText(String root, String newText, long clientId);
}
