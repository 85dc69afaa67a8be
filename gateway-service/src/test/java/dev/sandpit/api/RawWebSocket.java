package dev.sandpit.api;

import io.vertx.core.json.JsonObject;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * A WebSocket client on a plain socket, for tests that send what a well-behaved client library
 * never would: invalid UTF-8 in a text frame, half a frame, a frame and then a TCP close. One
 * reader thread keeps every text message (as JSON) and the close frame's status.
 */
final class RawWebSocket implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final List<JsonObject> messages = new ArrayList<>();
  private volatile int closeStatus = -1;
  private volatile boolean ended;

  private RawWebSocket(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  static RawWebSocket connect(int port, String path) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    s.setSoTimeout(30_000);
    RawWebSocket ws = new RawWebSocket(s);
    byte[] key = new byte[16];
    ThreadLocalRandom.current().nextBytes(key);
    ws.out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    ws.out.flush();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = ws.in.read();
      if (b < 0) throw new EOFException("closed during the handshake");
      head.append((char) b);
    }
    if (!head.toString().startsWith("HTTP/1.1 101")) throw new IOException("handshake refused: " + head);
    Thread t = new Thread(ws::readLoop, "raw-ws-reader");
    t.setDaemon(true);
    t.start();
    return ws;
  }

  /** One frame, masked as a client's must be. */
  synchronized void frame(int opcode, boolean fin, byte[] p) throws IOException {
    out.write(header(opcode, fin, p.length));
    byte[] mask = {1, 2, 3, 4};
    out.write(mask);
    byte[] m = new byte[p.length];
    for (int i = 0; i < p.length; i++) m[i] = (byte) (p[i] ^ mask[i & 3]);
    out.write(m);
    out.flush();
  }

  void text(String s) throws IOException {
    frame(0x1, true, s.getBytes(StandardCharsets.UTF_8));
  }

  /** The start of a frame that claims {@code claimed} bytes, with only {@code sent} of them. */
  synchronized void partialFrame(int claimed, int sent) throws IOException {
    out.write(header(0x1, true, claimed));
    out.write(new byte[] {1, 2, 3, 4});
    out.write(new byte[sent]);
    out.flush();
  }

  /** Half-close: send FIN, keep reading. */
  void shutdownOutput() throws IOException {
    socket.shutdownOutput();
  }

  private static byte[] header(int opcode, boolean fin, int n) {
    byte b0 = (byte) ((fin ? 0x80 : 0) | opcode);
    if (n < 126) return new byte[] {b0, (byte) (0x80 | n)};
    if (n < 65536) return new byte[] {b0, (byte) (0x80 | 126), (byte) (n >>> 8), (byte) n};
    byte[] h = new byte[10];
    h[0] = b0;
    h[1] = (byte) (0x80 | 127);
    for (int k = 0; k < 8; k++) h[2 + k] = (byte) ((long) n >>> (8 * (7 - k)));
    return h;
  }

  private void readLoop() {
    try {
      java.io.ByteArrayOutputStream msg = new java.io.ByteArrayOutputStream();
      while (true) {
        int b0 = in.read();
        int b1 = in.read();
        if (b0 < 0 || b1 < 0) break;
        int op = b0 & 0x0f;
        long len = b1 & 0x7f;
        if (len == 126) len = (in.read() << 8) | in.read();
        else if (len == 127) {
          len = 0;
          for (int k = 0; k < 8; k++) len = (len << 8) | in.read();
        }
        byte[] p = in.readNBytes((int) len);
        if (op == 0x8) {
          closeStatus = p.length >= 2 ? ((p[0] & 0xff) << 8) | (p[1] & 0xff) : 1005;
          break;
        }
        if (op == 0x1 || op == 0x0) {
          msg.write(p);
          if ((b0 & 0x80) != 0) {
            JsonObject o = new JsonObject(msg.toString(StandardCharsets.UTF_8));
            msg.reset();
            synchronized (this) {
              messages.add(o);
              notifyAll();
            }
          }
        }
      }
    } catch (IOException e) {
      // the connection ended
    } finally {
      ended = true;
      synchronized (this) {
        notifyAll();
      }
    }
  }

  /** The first message matching, waiting up to the timeout; null if the connection ended first. */
  synchronized JsonObject await(Predicate<JsonObject> p, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (true) {
      for (JsonObject m : messages) if (p.test(m)) return m;
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) throw new AssertionError("no matching message in " + timeoutMs + " ms; got " + messages);
      if (ended) return null;
      wait(left);
    }
  }

  /** The i-th message (0-based), waiting up to the timeout. */
  synchronized JsonObject nth(int i, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (messages.size() <= i) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0 || ended) throw new AssertionError("no message #" + i + " in " + timeoutMs + " ms; got " + messages.size());
      wait(left);
    }
    return messages.get(i);
  }

  synchronized List<JsonObject> messages() {
    return List.copyOf(messages);
  }

  /** Wait until the server ended the connection; its close status (-1: no close frame). */
  synchronized int awaitEnd(long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (!ended) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) throw new AssertionError("the server did not end the connection in " + timeoutMs + " ms");
      wait(left);
    }
    return closeStatus;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
