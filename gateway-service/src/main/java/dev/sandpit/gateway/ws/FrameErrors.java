package dev.sandpit.gateway.ws;

import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.http.ServerWebSocket;
import org.slf4j.Logger;

/**
 * What a WebSocket does with a frame the WebSocket layer refused. Vert.x asks Netty not to close
 * on a protocol violation and only reports it; the decoder then drops everything after it, so a
 * connection left open would be deaf. It is closed with the RFC 6455 status Netty gives: 1007 for
 * invalid UTF-8 in a text frame, 1009 for a frame over the size limit, 1002 for other protocol
 * errors (an unmasked frame, a reserved opcode, a fragment out of order).
 */
final class FrameErrors {
  private FrameErrors() {}

  static void handle(ServerWebSocket ws, Throwable e, Logger log) {
    if (e instanceof CorruptedWebSocketFrameException c && !ws.isClosed()) {
      log.debug("websocket frame refused ({}): {}", c.closeStatus(), e.getMessage());
      ws.close((short) c.closeStatus().code(), c.closeStatus().reasonText()).onFailure(x -> log.debug("close failed: {}", x.toString()));
    } else {
      log.debug("websocket error: {}", e.toString());
    }
  }
}
