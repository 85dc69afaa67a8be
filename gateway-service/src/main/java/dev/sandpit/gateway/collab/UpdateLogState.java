package dev.sandpit.gateway.collab;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The provisional {@link DocState}, which needs no CRDT: the state is the list of every update
 * received, deduplicated byte for byte. A client gets the whole list (Yjs applies an update it
 * already has as a no-op, and one whose dependencies come later waits for them), and the server's
 * state vector is the empty one, so a client answers with its whole document. Durable but not
 * compact: it grows with every edit until a YDoc-backed state replaces it (see {@link DocState#open}).
 * Text is unsupported, so the file-of-record writer stays off.
 */
final class UpdateLogState implements DocState {
  /** {@link #encode}'s format: varuint count, then each update as a varuint-length byte array. */
  static final String FORMAT = "update-list";
  /** The empty state vector: a varuint 0 (no clients). */
  private static final byte[] EMPTY_STATE_VECTOR = {0};

  private final List<byte[]> updates = new ArrayList<>();
  private final Set<ByteBuffer> seen = new HashSet<>();
  private long bytes;

  private UpdateLogState() {}

  static UpdateLogState open(String format, byte[] stored) {
    UpdateLogState s = new UpdateLogState();
    if (stored == null) return s;
    if (!FORMAT.equals(format)) throw new IllegalArgumentException("cannot read a document stored as " + format);
    for (byte[] u : updates(stored)) s.apply(u);
    return s;
  }

  /** The updates in bytes written by {@link #encode} (for an implementation that replaces this one). */
  static List<byte[]> updates(byte[] stored) {
    Lib0.Decoder d = new Lib0.Decoder(stored);
    long n = d.varUint();
    List<byte[]> out = new ArrayList<>();
    for (long i = 0; i < n; i++) out.add(d.varBytes());
    return out;
  }

  @Override
  public void apply(byte[] update) {
    if (update.length == 0 || isEmptyUpdate(update)) return;
    byte[] copy = update.clone();
    if (!seen.add(ByteBuffer.wrap(copy))) return;
    updates.add(copy);
    bytes += update.length;
  }

  /** A Yjs v1 update with no structs and an empty delete set ({@code [0, 0]}): what a client sends when it has nothing new. */
  static boolean isEmptyUpdate(byte[] update) {
    return update.length == 2 && update[0] == 0 && update[1] == 0;
  }

  @Override
  public byte[] stateVector() {
    return EMPTY_STATE_VECTOR.clone();
  }

  @Override
  public List<byte[]> diff(byte[] stateVector) {
    return List.copyOf(updates);
  }

  @Override
  public byte[] encode() {
    Lib0.Encoder e = new Lib0.Encoder().varUint(updates.size());
    for (byte[] u : updates) e.varBytes(u);
    return e.toBytes();
  }

  @Override
  public String format() {
    return FORMAT;
  }

  @Override
  public long sizeBytes() {
    return bytes;
  }

  @Override
  public boolean supportsText() {
    return false;
  }

  @Override
  public String text(String root) {
    throw new UnsupportedOperationException("the update-list state cannot read text; it needs the YDoc state");
  }

  @Override
  public byte[] replaceText(String root, String newText, long clientId) {
    throw new UnsupportedOperationException("the update-list state cannot edit text; it needs the YDoc state");
  }
}
