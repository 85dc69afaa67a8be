package dev.sandpit.gateway.collab;

import dev.sandpit.gateway.store.SessionAccess;
import dev.sandpit.protocol.ErrorCode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * One browser tab on one document: reads y-websocket frames and hands them to its {@link Room}.
 * An editor (or owner) may change the document; a runner or viewer only follows it: its updates
 * are dropped and answered with a permission-denied auth message.
 */
final class CollabSocket {
  private final ServerWebSocket ws;
  private final String role;
  private final boolean canEdit;
  /** The awareness client ids this socket announced (removed for everyone when it closes). */
  final Set<Long> awarenessIds = new HashSet<>();
  private Room room;
  private boolean closed;

  CollabSocket(ServerWebSocket ws, String role) {
    this.ws = ws;
    this.role = role;
    this.canEdit = SessionAccess.atLeast(role, SessionAccess.EDITOR);
  }

  /** Join the room: frames flow from now on. */
  void attach(Room r) {
    this.room = r;
    ws.closeHandler(v -> {
      closed = true;
      r.leave(this);
    });
    ws.binaryMessageHandler(this::onFrame);
    ws.textMessageHandler(t -> close(ErrorCode.INVALID_FIELD, "y-websocket frames are binary"));
    r.join(this);
    ws.resume();
  }

  boolean closed() {
    return closed || ws.isClosed();
  }

  void send(byte[] message) {
    if (!closed()) ws.writeBinaryMessage(Buffer.buffer(message));
  }

  void close(ErrorCode code, String reason) {
    if (!closed()) ws.close((short) code.closeCode(), reason);
  }

  private void onFrame(Buffer frame) {
    try {
      Lib0.Decoder d = new Lib0.Decoder(frame.getBytes());
      long type = d.varUint();
      if (type == YMessages.MESSAGE_SYNC) {
        long step = d.varUint();
        byte[] body = d.varBytes();
        if (step == YMessages.SYNC_STEP1) {
          room.sendDiff(this, body);
        } else if (step == YMessages.SYNC_STEP2 || step == YMessages.SYNC_UPDATE) {
          if (canEdit) {
            room.clientUpdate(this, body);
          } else if (step == YMessages.SYNC_UPDATE && !UpdateLogState.isEmptyUpdate(body)) {
            // a follower's answer to our sync step 1 is dropped silently: it only says what it has
            send(YMessages.permissionDenied("your role (" + role + ") may not edit this file; it needs editor"));
          }
        } else {
          close(ErrorCode.INVALID_FIELD, "unknown sync message type " + step);
        }
      } else if (type == YMessages.MESSAGE_AWARENESS) {
        room.clientAwareness(this, d.varBytes());
      } else if (type == YMessages.MESSAGE_QUERY_AWARENESS) {
        room.sendAwareness(this);
      } else if (type != YMessages.MESSAGE_AUTH) {
        close(ErrorCode.INVALID_FIELD, "unknown message type " + type);
      }
    } catch (Lib0.MalformedException e) {
      close(ErrorCode.INVALID_FIELD, "malformed message: " + e.getMessage());
    }
  }
}
