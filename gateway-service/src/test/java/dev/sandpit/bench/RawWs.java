package dev.sandpit.bench;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A deliberately small WebSocket client for the benchmark: a plain socket with TCP_NODELAY, no
 * compression, one reader thread that stamps each message with {@link System#nanoTime()} the moment
 * its last frame is read and parses only the few fields the benchmark needs ({@link Ev}). The
 * benchmark thread takes events from a queue with a deadline, so nothing ever waits for ever.
 */
final class RawWs implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final byte[] mask = new byte[4];
  private final LinkedBlockingQueue<Ev> events = new LinkedBlockingQueue<>();
  private final Thread reader;
  private volatile boolean closed;
  private volatile String closeReason;

  /** One server event, reduced to what the benchmark looks at. */
  static final class Ev {
    final long t; // nanoTime when the whole message had been read
    final String type; // accepted, output, input_request, complete, error, or "closed"
    final String jobId;
    final String requestId; // accepted / error only
    final String status; // complete only
    final String stream; // output only
    final long dataBytes; // output only: UTF-8 bytes of the decoded data
    final String data; // output only, decoded, when short (≤ 256 chars of JSON); else null
    final String raw; // the frame for complete / error / unparsed (diagnosis), else null

    Ev(long t, String type, String jobId, String requestId, String status, long dataBytes, String data, String raw) {
      this(t, type, jobId, requestId, status, null, dataBytes, data, raw);
    }

    Ev(long t, String type, String jobId, String requestId, String status, String stream, long dataBytes, String data,
        String raw) {
      this.stream = stream;
      this.t = t;
      this.type = type;
      this.jobId = jobId;
      this.requestId = requestId;
      this.status = status;
      this.dataBytes = dataBytes;
      this.data = data;
      this.raw = raw;
    }
  }

  private RawWs(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
    this.out = socket.getOutputStream();
    ThreadLocalRandom.current().nextBytes(mask);
    this.reader = new Thread(this::readLoop, "bench-ws-reader");
    reader.setDaemon(true);
  }

  static RawWs connect(URI uri, int timeoutMs) throws IOException {
    Socket s = new Socket();
    s.setTcpNoDelay(true);
    s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), timeoutMs);
    s.setSoTimeout(timeoutMs);
    RawWs ws = new RawWs(s);
    byte[] key = new byte[16];
    ThreadLocalRandom.current().nextBytes(key);
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    String req = "GET " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key)
        + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    ws.out.write(req.getBytes(StandardCharsets.US_ASCII));
    ws.out.flush();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = ws.in.read();
      if (b < 0) throw new EOFException("connection closed during the WebSocket handshake");
      head.append((char) b);
      if (head.length() > 16384) throw new IOException("handshake response too long");
    }
    if (!head.toString().startsWith("HTTP/1.1 101")) {
      s.close();
      throw new IOException("WebSocket handshake refused: " + head.toString().split("\r\n")[0]);
    }
    s.setSoTimeout(0);
    ws.reader.start();
    return ws;
  }

  /** Send one text message (a single masked frame). Thread-safe. */
  synchronized void send(String text) throws IOException {
    byte[] p = text.getBytes(StandardCharsets.UTF_8);
    writeFrame(0x1, p);
  }

  private void writeFrame(int opcode, byte[] p) throws IOException {
    int n = p.length;
    byte[] f = new byte[n + 14];
    int i = 0;
    f[i++] = (byte) (0x80 | opcode);
    if (n < 126) {
      f[i++] = (byte) (0x80 | n);
    } else if (n < 65536) {
      f[i++] = (byte) (0x80 | 126);
      f[i++] = (byte) (n >>> 8);
      f[i++] = (byte) n;
    } else {
      f[i++] = (byte) (0x80 | 127);
      for (int k = 7; k >= 0; k--) f[i++] = (byte) ((long) n >>> (8 * k));
    }
    System.arraycopy(mask, 0, f, i, 4);
    i += 4;
    for (int k = 0; k < n; k++) f[i + k] = (byte) (p[k] ^ mask[k & 3]);
    out.write(f, 0, i + n);
    out.flush();
  }

  /** The next event, or null when none arrived before the deadline (nanoTime). */
  Ev poll(long deadlineNanos) throws InterruptedException {
    long left = deadlineNanos - System.nanoTime();
    if (left <= 0) return events.poll();
    return events.poll(left, TimeUnit.NANOSECONDS);
  }

  /** Drop whatever is queued (events of runs given up on). */
  void drain() {
    events.clear();
  }

  boolean isClosed() {
    return closed;
  }

  String closeReason() {
    return closeReason;
  }

  private void readLoop() {
    byte[] msg = new byte[1 << 16];
    int msgLen = 0;
    boolean inText = false;
    try {
      while (true) {
        int b0 = in.read();
        int b1 = in.read();
        if (b0 < 0 || b1 < 0) throw new EOFException("server closed the connection");
        boolean fin = (b0 & 0x80) != 0;
        int op = b0 & 0x0f;
        long len = b1 & 0x7f;
        if (len == 126) {
          len = (readByte() << 8) | readByte();
        } else if (len == 127) {
          len = 0;
          for (int k = 0; k < 8; k++) len = (len << 8) | readByte();
        }
        byte[] m = null;
        if ((b1 & 0x80) != 0) {
          m = new byte[4];
          readFully(m, 0, 4);
        }
        if (len > Integer.MAX_VALUE - 16) throw new IOException("frame too large: " + len);
        int n = (int) len;
        if (op == 0x8 || op == 0x9 || op == 0xA) { // control frames
          byte[] c = new byte[n];
          readFully(c, 0, n);
          unmask(c, 0, n, m);
          if (op == 0x9) {
            synchronized (this) {
              writeFrame(0xA, c);
            }
          } else if (op == 0x8) {
            closeReason = n >= 2 ? ((c[0] & 0xff) << 8 | (c[1] & 0xff)) + " " + new String(c, 2, n - 2, StandardCharsets.UTF_8) : "";
            break;
          }
          continue;
        }
        if (op == 0x1 || op == 0x2) {
          inText = op == 0x1;
          msgLen = 0;
        } else if (op != 0x0) {
          throw new IOException("unknown opcode " + op);
        }
        if (msgLen + n > msg.length) {
          byte[] bigger = new byte[Math.max(msg.length * 2, msgLen + n)];
          System.arraycopy(msg, 0, bigger, 0, msgLen);
          msg = bigger;
        }
        readFully(msg, msgLen, n);
        unmask(msg, msgLen, n, m);
        msgLen += n;
        if (fin) {
          long t = System.nanoTime();
          if (inText) events.add(parse(t, new String(msg, 0, msgLen, StandardCharsets.UTF_8)));
          msgLen = 0;
          if (msg.length > 1 << 20) msg = new byte[1 << 16];
        }
      }
    } catch (IOException e) {
      if (!closed && closeReason == null) closeReason = e.toString();
    } finally {
      closed = true;
      events.add(new Ev(System.nanoTime(), "closed", null, null, null, 0, null, closeReason));
    }
  }

  private long readByte() throws IOException {
    int b = in.read();
    if (b < 0) throw new EOFException("server closed the connection mid-frame");
    return b;
  }

  private void readFully(byte[] b, int off, int n) throws IOException {
    while (n > 0) {
      int r = in.read(b, off, n);
      if (r < 0) throw new EOFException("server closed the connection mid-frame");
      off += r;
      n -= r;
    }
  }

  private static void unmask(byte[] b, int off, int n, byte[] m) {
    if (m == null) return;
    for (int k = 0; k < n; k++) b[off + k] ^= m[k & 3];
  }

  // ---- minimal event parsing: the server writes {"seq":N,"type":"T","job_id":"J",...} ----

  static Ev parse(long t, String s) {
    String type = str(s, "\"type\":\"", 0);
    if (type == null) return new Ev(t, "unparsed", null, null, null, 0, null, s);
    String jobId = str(s, "\"job_id\":\"", 0);
    switch (type) {
      case "output": {
        String stream = str(s, "\"stream\":\"", 0);
        int k = s.indexOf("\"data\":\"");
        if (k < 0) return new Ev(t, type, jobId, null, null, 0, null, s);
        int start = k + 8;
        boolean small = s.length() - start <= 256;
        StringBuilder sb = small ? new StringBuilder() : null;
        long bytes = jsonString(s, start, sb);
        return new Ev(t, type, jobId, null, null, stream, bytes, small ? sb.toString() : null, null);
      }
      case "accepted":
        return new Ev(t, type, jobId, str(s, "\"request_id\":\"", 0), null, 0, null, null);
      case "complete":
        return new Ev(t, type, jobId, null, str(s, "\"status\":\"", 0), 0, null, s);
      case "error":
        return new Ev(t, type, jobId, str(s, "\"request_id\":\"", 0), null, 0, null, s);
      default:
        return new Ev(t, type, jobId, null, null, 0, null, null);
    }
  }

  /** A string value without escapes (ids, types, statuses). */
  private static String str(String s, String key, int from) {
    int k = s.indexOf(key, from);
    if (k < 0) return null;
    int a = k + key.length();
    int e = s.indexOf('"', a);
    return e < 0 ? null : s.substring(a, e);
  }

  /**
   * Walks a JSON string body starting at {@code i} (just after the opening quote) up to its
   * closing quote; returns its length in UTF-8 bytes once decoded, and appends the decoded text to
   * {@code sb} when given.
   */
  static long jsonString(String s, int i, StringBuilder sb) {
    long bytes = 0;
    int n = s.length();
    while (i < n) {
      char c = s.charAt(i++);
      if (c == '"') break;
      if (c == '\\') {
        char e = s.charAt(i++);
        switch (e) {
          case 'n': c = '\n'; break;
          case 't': c = '\t'; break;
          case 'r': c = '\r'; break;
          case 'b': c = '\b'; break;
          case 'f': c = '\f'; break;
          case 'u': c = (char) Integer.parseInt(s, i, i + 4, 16); i += 4; break;
          default: c = e; // \" \\ \/
        }
      }
      if (sb != null) sb.append(c);
      if (c < 0x80) bytes += 1;
      else if (c < 0x800) bytes += 2;
      else if (Character.isHighSurrogate(c)) bytes += 4; // the pair is 4 bytes
      else if (Character.isLowSurrogate(c)) bytes += 0;
      else bytes += 3;
    }
    return bytes;
  }

  @Override
  public void close() {
    if (!closed) {
      try {
        synchronized (this) {
          writeFrame(0x8, new byte[] {0x03, (byte) 0xE8});
        }
        reader.join(500);
      } catch (Exception ignored) {
        // closing anyway
      }
    }
    closed = true;
    try {
      socket.close();
    } catch (IOException ignored) {
      // gone
    }
  }
}
