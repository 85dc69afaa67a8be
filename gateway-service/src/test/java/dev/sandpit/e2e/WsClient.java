package dev.sandpit.e2e;

import dev.sandpit.protocol.Codec;
import dev.sandpit.protocol.ServerEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A real WebSocket client of /ws/execute that records every event it receives. */
public final class WsClient implements AutoCloseable {
  private final WebSocket ws;
  private final List<String> raw = new ArrayList<>();
  private final List<ServerEvent> events = new ArrayList<>();
  private volatile boolean closed;

  private WsClient(WebSocket ws) {
    this.ws = ws;
  }

  public static WsClient connect(int port) throws Exception {
    return connect(port, null);
  }

  /** Connect signed in with a token (null: anonymous). */
  public static WsClient connect(int port, String token) throws Exception {
    Listener l = new Listener();
    String q = token == null ? "" : "?token=" + java.net.URLEncoder.encode(token, java.nio.charset.StandardCharsets.UTF_8);
    WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
        .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws/execute" + q), l).get(10, TimeUnit.SECONDS);
    WsClient c = l.client = new WsClient(ws);
    synchronized (l) {
      l.notifyAll();
    }
    return c;
  }

  private static final class Listener implements WebSocket.Listener {
    volatile WsClient client;
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String msg = partial.toString();
        partial.setLength(0);
        WsClient c = waitClient();
        c.received(msg);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      WsClient c = waitClient();
      c.closed = true;
      synchronized (c) {
        c.notifyAll();
      }
      return null;
    }

    private synchronized WsClient waitClient() {
      while (client == null) {
        try {
          wait(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return null;
        }
      }
      return client;
    }
  }

  private synchronized void received(String msg) {
    raw.add(msg);
    events.add(Codec.decodeEvent(msg));
    notifyAll();
  }

  public void send(String json) {
    ws.sendText(json, true).join();
  }

  public synchronized List<ServerEvent> events() {
    return List.copyOf(events);
  }

  public synchronized List<String> raw() {
    return List.copyOf(raw);
  }

  /** The job's numbered events (not errors or acknowledgements about it). */
  public synchronized List<ServerEvent> events(String jobId) {
    return events.stream().filter(e -> jobId.equals(e.jobId()) && e.seq() != null).toList();
  }

  public boolean isClosed() {
    return closed;
  }

  /** The first event (from index {@code from}) matching, waiting up to the timeout. */
  @SuppressWarnings("unchecked")
  public synchronized <T extends ServerEvent> T await(Class<T> type, Predicate<T> p, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (true) {
      for (ServerEvent e : events) {
        if (type.isInstance(e) && p.test((T) e)) return (T) e;
      }
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) throw new AssertionError("no " + type.getSimpleName() + " matching in " + timeoutMs + " ms; got " + raw);
      wait(left);
    }
  }

  public ServerEvent.Accepted accepted(String requestId) throws InterruptedException {
    return await(ServerEvent.Accepted.class, a -> requestId.equals(a.requestId()), 15_000);
  }

  public ServerEvent.Complete complete(String jobId, long timeoutMs) throws InterruptedException {
    return await(ServerEvent.Complete.class, c -> jobId.equals(c.jobId()), timeoutMs);
  }

  /** The nth input request of a job (1-based), waiting up to the timeout. */
  public synchronized ServerEvent.InputRequest inputRequest(String jobId, int nth, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (true) {
      int n = 0;
      for (ServerEvent e : events) {
        if (e instanceof ServerEvent.InputRequest r && jobId.equals(r.jobId()) && ++n == nth) return r;
      }
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) throw new AssertionError("no input_request #" + nth + " in " + timeoutMs + " ms; got " + raw);
      wait(left);
    }
  }

  public synchronized ServerEvent.Error error(Predicate<ServerEvent.Error> p, long timeoutMs) throws InterruptedException {
    return await(ServerEvent.Error.class, p, timeoutMs);
  }

  public synchronized String stdout(String jobId) {
    StringBuilder sb = new StringBuilder();
    for (ServerEvent e : events) {
      if (e instanceof ServerEvent.Output o && jobId.equals(o.jobId()) && o.stream().equals("stdout")) sb.append(o.data());
    }
    return sb.toString();
  }

  public synchronized String stderr(String jobId) {
    StringBuilder sb = new StringBuilder();
    for (ServerEvent e : events) {
      if (e instanceof ServerEvent.Output o && jobId.equals(o.jobId()) && o.stream().equals("stderr")) sb.append(o.data());
    }
    return sb.toString();
  }

  @Override
  public void close() {
    try {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(2, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      ws.abort();
    }
  }
}
