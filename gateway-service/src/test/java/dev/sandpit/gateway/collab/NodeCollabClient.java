package dev.sandpit.gateway.collab;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The real npm client (y-websocket's WebsocketProvider, yjs) in a Node process:
 * src/test/node/collab-client/driver.mjs, one JSON command a line in, one JSON answer a line out.
 * Skips the test (Assumptions) when node or the driver's node_modules is missing: install them with
 * {@code npm ci --prefix gateway-service/src/test/node/collab-client}.
 */
final class NodeCollabClient implements AutoCloseable {
  static final Path DIR = Path.of("src/test/node/collab-client");
  private static final long ANSWER_TIMEOUT_MS = 60_000;

  private final Process process;
  private final Writer in;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final StringBuilder stderr = new StringBuilder();

  NodeCollabClient() throws Exception {
    Assumptions.assumeTrue(Files.isDirectory(DIR.resolve("node_modules/y-websocket")),
        "no " + DIR + "/node_modules: run npm ci --prefix gateway-service/" + DIR);
    ProcessBuilder pb = new ProcessBuilder("node", "driver.mjs").directory(DIR.toFile());
    try {
      process = pb.start();
    } catch (java.io.IOException e) {
      Assumptions.abort("node is not installed: " + e.getMessage());
      throw e;
    }
    in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread out = new Thread(() -> pump(new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)), true));
    Thread err = new Thread(() -> pump(new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)), false));
    out.setDaemon(true);
    err.setDaemon(true);
    out.start();
    err.start();
  }

  private void pump(BufferedReader r, boolean answers) {
    try {
      for (String line; (line = r.readLine()) != null; ) {
        if (answers) lines.add(line);
        else synchronized (stderr) {
          stderr.append(line).append('\n');
        }
      }
    } catch (java.io.IOException ignored) {
      // the process ended
    }
  }

  /** Send one command and return its answer; fails the test when the answer is not ok. */
  JsonObject call(JsonObject command) throws Exception {
    JsonObject answer = tryCall(command);
    if (!answer.getBoolean("ok", false)) throw new AssertionError(command.getString("op") + " failed: " + answer.encode() + "\nnode stderr:\n" + stderr());
    return answer;
  }

  /** Send one command and return its answer, ok or not. */
  JsonObject tryCall(JsonObject command) throws Exception {
    in.write(command.encode() + "\n");
    in.flush();
    String line = lines.poll(ANSWER_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    if (line == null) throw new AssertionError("no answer to " + command.encode() + "\nnode stderr:\n" + stderr());
    return new JsonObject(line);
  }

  String stderr() {
    synchronized (stderr) {
      return stderr.toString();
    }
  }

  JsonObject open(String id, int port, String room, String token) throws Exception {
    return call(new JsonObject().put("op", "open").put("id", id).put("url", "ws://127.0.0.1:" + port + "/ws/collab")
        .put("room", room).put("token", token));
  }

  void synced(String id) throws Exception {
    call(new JsonObject().put("op", "waitSynced").put("id", id).put("timeoutMs", 10_000));
  }

  String insert(String id, String text) throws Exception {
    return call(new JsonObject().put("op", "insert").put("id", id).put("index", -1).put("text", text)).getString("text");
  }

  String type(String id, String text) throws Exception {
    return call(new JsonObject().put("op", "type").put("id", id).put("text", text)).getString("text");
  }

  String text(String id) throws Exception {
    return call(new JsonObject().put("op", "text").put("id", id)).getString("text");
  }

  void waitText(String id, String text) throws Exception {
    call(new JsonObject().put("op", "waitText").put("id", id).put("text", text).put("timeoutMs", 10_000));
  }

  JsonObject waitClosed(String id) throws Exception {
    return call(new JsonObject().put("op", "waitClosed").put("id", id).put("timeoutMs", 10_000));
  }

  JsonObject waitDenied(String id) throws Exception {
    return call(new JsonObject().put("op", "waitDenied").put("id", id).put("timeoutMs", 10_000));
  }

  void setAwareness(String id, JsonObject state) throws Exception {
    call(new JsonObject().put("op", "setAwareness").put("id", id).put("state", state));
  }

  JsonObject waitPeers(String id, int count, long timeoutMs) throws Exception {
    return call(new JsonObject().put("op", "waitPeers").put("id", id).put("count", count).put("timeoutMs", timeoutMs));
  }

  void disconnect(String id) throws Exception {
    call(new JsonObject().put("op", "disconnect").put("id", id));
  }

  @Override
  public void close() throws Exception {
    try {
      tryCall(new JsonObject().put("op", "exit"));
    } catch (Exception | AssertionError ignored) {
      // it is being killed anyway
    }
    if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
  }
}
