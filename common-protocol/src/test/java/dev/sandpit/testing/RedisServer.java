package dev.sandpit.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} for tests, on a free loopback port, with nothing persisted. Can be
 * killed and started again on the same port (Redis restart tests).
 */
public final class RedisServer implements AutoCloseable {
  private final int port;
  private final Path dir;
  private Process process;

  private RedisServer(int port) throws IOException {
    this.port = port;
    this.dir = Files.createTempDirectory("sandpit-redis-");
  }

  public static RedisServer start() throws Exception {
    RedisServer r = new RedisServer(freePort());
    r.startProcess();
    return r;
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private void startProcess() throws Exception {
    String bin = Files.isExecutable(Path.of("/usr/bin/redis-server")) ? "/usr/bin/redis-server" : "redis-server";
    process = new ProcessBuilder(List.of(bin, "--port", Integer.toString(port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no"))
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("redis.log").toFile())
        .start();
    long deadline = System.currentTimeMillis() + 10_000;
    while (!ping()) {
      if (!process.isAlive()) throw new IllegalStateException("redis-server exited: " + Files.readString(dir.resolve("redis.log")));
      if (System.currentTimeMillis() > deadline) throw new IllegalStateException("redis-server did not answer in 10 s");
      Thread.onSpinWait();
    }
  }

  public boolean ping() {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(500);
      OutputStream o = s.getOutputStream();
      o.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      o.flush();
      InputStream in = s.getInputStream();
      byte[] b = new byte[7];
      int n = in.readNBytes(b, 0, 7);
      return n == 7 && new String(b, StandardCharsets.US_ASCII).startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  public int port() {
    return port;
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** Kill -9 (no goodbye to clients), then start again on the same port with empty state. */
  public void restart() throws Exception {
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    startProcess();
  }

  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    if (process != null) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }
}
