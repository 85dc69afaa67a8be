package dev.sandpit.gateway.ws;

/**
 * A token bucket for the frames of one WebSocket: {@code perSecond} tokens a second, at most
 * {@code 2 × perSecond} kept (a burst, e.g. a reconnect's attach and watch messages). Used on the
 * connection's event loop only.
 */
final class MessageRate {
  private final double perNano;
  private final double capacity;
  private double tokens;
  private long last;

  MessageRate(int perSecond, long nowNanos) {
    this.perNano = perSecond / 1e9;
    this.capacity = 2.0 * perSecond;
    this.tokens = capacity;
    this.last = nowNanos;
  }

  /** Take a token for one frame; false when the connection is over its rate. */
  boolean take(long nowNanos) {
    tokens = Math.min(capacity, tokens + (nowNanos - last) * perNano);
    last = nowNanos;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  }
}
