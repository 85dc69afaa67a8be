package dev.sandpit.gateway.collab;

import java.util.ArrayList;
import java.util.List;

/**
 * y-websocket's messages (y-websocket.js, y-protocols sync.js, awareness.js, auth.js): every frame
 * is binary, a varuint message type then its body.
 */
final class YMessages {
  private YMessages() {}

  static final int MESSAGE_SYNC = 0;
  static final int MESSAGE_AWARENESS = 1;
  static final int MESSAGE_AUTH = 2;
  static final int MESSAGE_QUERY_AWARENESS = 3;

  static final int SYNC_STEP1 = 0;
  static final int SYNC_STEP2 = 1;
  static final int SYNC_UPDATE = 2;

  static final int AUTH_PERMISSION_DENIED = 0;

  /** The JSON of a removed awareness state. */
  static final String NULL_STATE = "null";

  static byte[] syncStep1(byte[] stateVector) {
    return new Lib0.Encoder().varUint(MESSAGE_SYNC).varUint(SYNC_STEP1).varBytes(stateVector).toBytes();
  }

  static byte[] syncStep2(byte[] update) {
    return new Lib0.Encoder().varUint(MESSAGE_SYNC).varUint(SYNC_STEP2).varBytes(update).toBytes();
  }

  static byte[] update(byte[] update) {
    return new Lib0.Encoder().varUint(MESSAGE_SYNC).varUint(SYNC_UPDATE).varBytes(update).toBytes();
  }

  static byte[] awareness(byte[] awarenessUpdate) {
    return new Lib0.Encoder().varUint(MESSAGE_AWARENESS).varBytes(awarenessUpdate).toBytes();
  }

  static byte[] permissionDenied(String reason) {
    return new Lib0.Encoder().varUint(MESSAGE_AUTH).varUint(AUTH_PERMISSION_DENIED).varString(reason).toBytes();
  }

  /** One client's awareness in an awareness update: {@code state} is its JSON, {@code "null"} when removed. */
  record AwarenessEntry(long clientId, long clock, String state) {
    boolean removed() {
      return NULL_STATE.equals(state);
    }
  }

  /** The entries of an awareness update (varuint count, then clientID, clock, JSON string each). */
  static List<AwarenessEntry> parseAwareness(byte[] update) {
    Lib0.Decoder d = new Lib0.Decoder(update);
    long n = d.varUint();
    if (n > update.length) throw new Lib0.MalformedException("awareness count larger than the message");
    List<AwarenessEntry> out = new ArrayList<>((int) n);
    for (long i = 0; i < n; i++) out.add(new AwarenessEntry(d.varUint(), d.varUint(), d.varString()));
    return out;
  }

  static byte[] encodeAwareness(List<AwarenessEntry> entries) {
    Lib0.Encoder e = new Lib0.Encoder().varUint(entries.size());
    for (AwarenessEntry a : entries) e.varUint(a.clientId()).varUint(a.clock()).varString(a.state());
    return e.toBytes();
  }
}
