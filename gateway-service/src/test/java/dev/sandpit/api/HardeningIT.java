package dev.sandpit.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandpit.e2e.Stack;
import dev.sandpit.protocol.ErrorCode;
import dev.sandpit.protocol.ServerEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 12's "also harden": the page's security headers, and a bounded fuzz of the WebSocket and
 * REST inputs (fixed seeds, a few thousand messages) against the real gateway, Redis, store and an
 * executor. Every bad input gets a coded error, the connection stays usable, nothing stored is
 * lost, and nothing is ever a 5xx.
 */
@Timeout(180)
class HardeningIT {
  static Stack stack;
  static Api anon;
  static Path frontend;
  static final Set<String> CODES = Arrays.stream(ErrorCode.values()).map(ErrorCode::wire).collect(Collectors.toSet());
  /** Server → client types a fuzzed connection may see. */
  /** Every event type the protocol defines, read off {@link ServerEvent}'s own type names. */
  static final Set<String> TYPES =
      Arrays.stream(ServerEvent.class.getAnnotation(com.fasterxml.jackson.annotation.JsonSubTypes.class).value())
          .map(com.fasterxml.jackson.annotation.JsonSubTypes.Type::name)
          .collect(Collectors.toUnmodifiableSet());

  @BeforeAll
  static void up() throws Exception {
    frontend = Files.createTempDirectory("sandpit-frontend-");
    Files.writeString(frontend.resolve("index.html"), "<!doctype html><title>Sandpit</title><script type=module src=/assets/app-1.js></script>");
    Files.createDirectories(frontend.resolve("assets"));
    Files.writeString(frontend.resolve("assets/app-1.js"), "console.log(1)");
    stack = new Stack(64900);
    stack.env.put("SANDPIT_FRONTEND_DIR", frontend.toString());
    stack.env.put("SANDPIT_JWT_SECRET", "hardening-secret-hardening-secret-0123456789");
    stack.env.put("SANDPIT_FILE_MAX_BYTES", "4096");
    stack.env.put("SANDPIT_USER_RUNS_PER_MINUTE", "1000");
    stack.env.put("SANDPIT_WS_MESSAGES_PER_S", "100"); // the flood tests below send 1000 at once
    stack.gateway();
    stack.executor(2);
    anon = new Api(stack.port());
  }

  @AfterAll
  static void down() throws Exception {
    if (stack != null) stack.close();
  }

  // ---- the page's own defences ----

  static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
      + "font-src 'self' data:; worker-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
      + "frame-ancestors 'none'; form-action 'self'";

  @Test
  void thePageItsAssetsAndTheApiCarryTheSecurityHeaders() throws Exception {
    for (String path : List.of("/", "/index.html", "/join/abc", "/assets/app-1.js", "/api/languages", "/api/nope", "/health")) {
      Api.Res r = anon.get(path);
      assertTrue(r.status() < 500, path + " " + r.status());
      assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(null), path);
      assertEquals(CSP, r.headers().firstValue("Content-Security-Policy").orElse(null), path);
      assertEquals("DENY", r.headers().firstValue("X-Frame-Options").orElse(null), path);
      assertEquals("no-referrer", r.headers().firstValue("Referrer-Policy").orElse(null), path);
    }
    // a refused request on a protected route too
    Api.Res r = anon.get("/api/sessions");
    assertEquals(401, r.status());
    assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(null));
  }

  // ---- WebSocket fuzz ----

  static final String[] LANGS = {"python", "cobol", "", "PYTHON", "python3", "c", "javascript"};

  /** A random value of a random JSON type, often a hostile one. */
  static Object randomValue(Random r) {
    return switch (r.nextInt(14)) {
      case 0 -> null;
      case 1 -> r.nextBoolean();
      case 2 -> r.nextInt();
      case 3 -> new java.math.BigInteger("1180591620717411303424"); // 2^70
      case 4 -> -1;
      case 5 -> 0;
      case 6 -> 1.5;
      case 7 -> new JsonArray().add(1).add("x");
      case 8 -> new JsonObject().put("a", 1);
      case 9 -> "x".repeat(r.nextInt(300));
      case 10 -> "\u0000\ud800\u202e<script>";
      case 11 -> "../../etc/passwd";
      case 12 -> Long.MAX_VALUE;
      default -> "";
    };
  }

  static JsonObject validish(Random r) {
    return switch (r.nextInt(8)) {
      case 0, 1 -> new JsonObject().put("type", "execute").put("language", LANGS[r.nextInt(LANGS.length)]).put("code", "print(1)")
          .put("limits", new JsonObject().put("wall_ms", 2000).put("memory_mb", 64)).put("request_id", "f" + r.nextInt(1000))
          .put("files", new JsonArray().add(new JsonObject().put("name", "a.py").put("content", "x=1")))
          .put("args", new JsonArray().add("a")).put("stdin", "");
      case 2 -> new JsonObject().put("type", "attach").put("job_id", r.nextBoolean() ? "0".repeat(32) : "j" + r.nextInt()).put("after_seq", r.nextInt(10));
      case 3 -> new JsonObject().put("type", "input_response").put("data", "x\n").put("job_id", "0".repeat(32));
      case 4 -> new JsonObject().put("type", r.nextBoolean() ? "eof" : "stop");
      case 5 -> new JsonObject().put("type", r.nextBoolean() ? "watch" : "unwatch").put("session_id", "s" + r.nextInt());
      case 6 -> new JsonObject().put("type", "execute").put("language", "python").put("session_id", "nope").put("code", "print(1)");
      default -> new JsonObject().put("type", "dance").put("x", 1);
    };
  }

  /** One fuzzed frame: [opcode, payload]. */
  static Object[] fuzzFrame(Random r) {
    JsonObject m = validish(r);
    int kind = r.nextInt(12);
    byte[] p;
    switch (kind) {
      case 0 -> { // a field dropped
        List<String> keys = new ArrayList<>(m.fieldNames());
        m.remove(keys.get(r.nextInt(keys.size())));
        p = bytes(m.encode());
      }
      case 1, 2, 3 -> { // a field (or a nested one) given a random value
        List<String> keys = new ArrayList<>(m.fieldNames());
        String k = keys.get(r.nextInt(keys.size()));
        if (m.getValue(k) instanceof JsonObject o && !o.isEmpty()) o.put(o.fieldNames().iterator().next(), randomValue(r));
        else m.put(k, randomValue(r));
        p = bytes(m.encode());
      }
      case 4 -> { // huge numbers written out as JSON
        String n = r.nextBoolean() ? "1e400" : r.nextBoolean() ? "1180591620717411303424" : "-1e-400";
        String[] fields = {"after_seq", "wall_ms", "memory_mb", "cpu_ms", "output_kb"};
        String f = fields[r.nextInt(fields.length)];
        String base = m.encode();
        p = bytes(f.equals("after_seq") ? "{\"type\":\"attach\",\"job_id\":\"" + "0".repeat(32) + "\",\"after_seq\":" + n + "}"
            : "{\"type\":\"execute\",\"language\":\"python\",\"code\":\"print(1)\",\"limits\":{\"" + f + "\":" + n + "}}");
        if (base.isEmpty()) throw new IllegalStateException();
      }
      case 5 -> { // deep nesting, in a field or as the whole frame
        int depth = r.nextBoolean() ? 100_000 : 1_001 + r.nextInt(5000);
        String open = "[".repeat(depth);
        p = bytes(r.nextBoolean() ? open : "{\"type\":\"execute\",\"language\":\"python\",\"code\":\"x\",\"args\":" + open);
      }
      case 6 -> { // cut short
        String s = m.encode();
        p = bytes(s.substring(0, r.nextInt(s.length())));
      }
      case 7 -> { // random characters
        StringBuilder sb = new StringBuilder();
        for (int i = r.nextInt(200); i > 0; i--) sb.append((char) (r.nextInt(0x7f - 0x20) + 0x20));
        p = bytes(sb.toString());
      }
      case 8 -> { // a binary frame
        p = new byte[r.nextInt(100)];
        r.nextBytes(p);
        return new Object[] {0x2, p};
      }
      case 9 -> { // the same key twice, the second of a wrong type
        p = bytes("{\"type\":\"execute\",\"language\":\"python\",\"code\":\"print(1)\",\"code\":" + new JsonArray().add(randomValue(r)).encode().replaceAll("^\\[|\\]$", "") + "}");
        if (p.length > 0 && new String(p, StandardCharsets.UTF_8).endsWith(":}")) p = bytes("{\"type\":\"execute\",\"code\":}");
      }
      case 10 -> p = bytes(r.nextBoolean() ? "null" : r.nextBoolean() ? "[]" : "\"execute\"");
      default -> p = bytes(m.encode());
    }
    return new Object[] {0x1, p};
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The connection still runs a program: execute print(1), see accepted, "1\n", complete ok. */
  static void assertUsable(RawWebSocket ws, String requestId) throws Exception {
    ws.text(new JsonObject().put("type", "execute").put("language", "python").put("code", "print(1)").put("request_id", requestId).encode());
    JsonObject acc = ws.await(m -> ("accepted".equals(m.getString("type")) || "error".equals(m.getString("type")))
        && requestId.equals(m.getString("request_id")), 20_000);
    assertNotNull(acc, "the connection ended");
    assertEquals("accepted", acc.getString("type"), acc.encode());
    String job = acc.getString("job_id");
    JsonObject done = ws.await(m -> "complete".equals(m.getString("type")) && job.equals(m.getString("job_id")), 30_000);
    assertEquals("ok", done.getString("status"), done.encode());
    String out = ws.messages().stream().filter(m -> "output".equals(m.getString("type")) && job.equals(m.getString("job_id")))
        .map(m -> m.getString("data")).collect(Collectors.joining());
    assertEquals("1\n", out);
  }

  @Test
  void twoThousandFuzzedFramesEachGetACodedErrorAndNeverBreakTheConnection() throws Exception {
    Random r = new Random(20261123L);
    Map<String, Integer> codes = new TreeMap<>();
    int sent = 0;
    long t0 = System.nanoTime();
    for (int conn = 0; conn < 20; conn++) {
      try (RawWebSocket ws = RawWebSocket.connect(stack.port(), "/ws/execute")) {
        for (int i = 0; i < 100; i++, sent++) {
          Object[] f = fuzzFrame(r);
          ws.frame((Integer) f[0], true, (byte[]) f[1]);
        }
        // the fuzz's own runs (a mutated execute may still be valid) end before the probe
        List<String> runs = ws.messages().stream().filter(m -> "accepted".equals(m.getString("type"))).map(m -> m.getString("job_id")).toList();
        for (String job : runs) ws.await(m -> "complete".equals(m.getString("type")) && job.equals(m.getString("job_id")), 60_000);
        // runs accepted after that look are still going: wait for each to end (too_many_runs meanwhile)
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
          int next = ws.messages().size();
          String id = "free-" + conn + "-" + next;
          ws.text(new JsonObject().put("type", "execute").put("language", "cobol").put("code", "x").put("request_id", id).encode());
          JsonObject e = ws.await(m -> id.equals(m.getString("request_id")), 10_000);
          if (!"too_many_runs".equals(e.getString("code"))) break;
          assertTrue(System.currentTimeMillis() < deadline, "the fuzz's runs end");
          ws.await(m -> "complete".equals(m.getString("type")) && ws.messages().indexOf(m) >= next, 30_000);
        }
        assertUsable(ws, "probe-" + conn);
        for (JsonObject m : ws.messages()) {
          assertTrue(TYPES.contains(m.getString("type")), "unexpected " + m.encode());
          if ("error".equals(m.getString("type"))) {
            String code = m.getString("code");
            assertTrue(CODES.contains(code), "unknown code in " + m.encode());
            assertFalse(code.equals("internal") || code.equals("unavailable"), "a server failure: " + m.encode());
            codes.merge(code, 1, Integer::sum);
          }
        }
      }
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    System.out.println("ws fuzz: " + sent + " frames in " + ms + " ms; errors by code " + codes);
    int errors = codes.values().stream().mapToInt(Integer::intValue).sum();
    assertTrue(errors >= sent * 7 / 10, "most fuzzed frames are refused with a coded error: " + codes);
    assertFalse(codes.containsKey("rate_limited"), "the fuzz stays within the message rate: " + codes);
  }

  @Test
  void invalidUtf8InATextFrameIsReadWithReplacementCharactersAndRefusedLikeAnyBadFrame() throws Exception {
    try (RawWebSocket ws = RawWebSocket.connect(stack.port(), "/ws/execute")) {
      // not UTF-8 at all: Vert.x decodes a text frame leniently (U+FFFD for each bad sequence)
      ws.frame(0x1, true, new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xFE});
      assertEquals("bad_json", ws.nth(0, 10_000).getString("code"));
      // inside a string of an otherwise valid message: the string holds U+FFFD
      ws.frame(0x1, true, concat(bytes("{\"type\":\"execute\",\"language\":\"python\",\"request_id\":\"u\",\"code\":\"print(len('"),
          new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80, (byte) 0xC0, (byte) 0xAF}, bytes("'))\"}")));
      JsonObject acc = ws.await(m -> "u".equals(m.getString("request_id")), 10_000);
      String job = acc.getString("job_id");
      ws.await(m -> "complete".equals(m.getString("type")) && job.equals(m.getString("job_id")), 30_000);
      String out = ws.messages().stream().filter(m -> "output".equals(m.getString("type")) && job.equals(m.getString("job_id")))
          .map(m -> m.getString("data")).collect(Collectors.joining());
      assertTrue(out.matches("[1-9]\\n"), "the program saw replacement characters: " + out);
      assertUsable(ws, "after-utf8");
    }
  }

  static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    for (byte[] p : parts) b.writeBytes(p);
    return b.toByteArray();
  }

  @Test
  void halfClosedSocketsAndFramesCutMidwayEndOnlyThatConnection() throws Exception {
    try (RawWebSocket cut = RawWebSocket.connect(stack.port(), "/ws/execute");
        RawWebSocket fin = RawWebSocket.connect(stack.port(), "/ws/execute");
        RawWebSocket fragment = RawWebSocket.connect(stack.port(), "/ws/execute");
        RawWebSocket other = RawWebSocket.connect(stack.port(), "/ws/execute")) {
      // a frame that promises 5000 bytes, 10 sent, then the TCP connection closed
      cut.partialFrame(5000, 10);
      cut.close();
      // half of a frame, then FIN (half-closed): the server ends the connection
      fin.partialFrame(300, 20);
      fin.shutdownOutput();
      fin.awaitEnd(10_000);
      // the first fragment of a message, then FIN
      fragment.frame(0x1, false, bytes("{\"type\":\"exe"));
      fragment.shutdownOutput();
      fragment.awaitEnd(10_000);
      assertUsable(other, "other");
    }
    try (RawWebSocket ws = RawWebSocket.connect(stack.port(), "/ws/execute")) {
      assertUsable(ws, "after-cuts");
    }
  }

  @Test
  void aFloodIsRateLimitedThenClosedWith4429AndAPacedClientIsServed() throws Exception {
    int n = 1000;
    try (RawWebSocket ws = RawWebSocket.connect(stack.port(), "/ws/execute")) {
      for (int i = 0; i < n; i++) ws.text("{\"type\":\"eof\"}");
      assertEquals(ErrorCode.RATE_LIMITED.closeCode(), ws.awaitEnd(20_000));
      Map<String, Long> byCode = ws.messages().stream().collect(Collectors.groupingBy(m -> m.getString("code"), TreeMap::new, Collectors.counting()));
      System.out.println("flood of " + n + " frames: " + byCode + ", then closed with 4429");
      // the burst (twice the rate of 100 a second) is served, then frames are refused, then the socket closed
      assertTrue(byCode.getOrDefault("unknown_job", 0L) >= 200, byCode.toString());
      assertTrue(byCode.getOrDefault("unknown_job", 0L) < 300, byCode.toString());
      assertTrue(byCode.getOrDefault("rate_limited", 0L) >= 1, byCode.toString());
      assertEquals(Set.of("unknown_job", "rate_limited"), byCode.keySet());
    }
    try (RawWebSocket ws = RawWebSocket.connect(stack.port(), "/ws/execute")) {
      // just over the rate: a few frames refused with rate_limited, the connection stays open
      int burst = 200 + 30;
      for (int i = 0; i < burst; i++) ws.text("{\"type\":\"eof\"}");
      JsonObject last = ws.nth(burst - 1, 10_000);
      assertEquals("rate_limited", last.getString("code"));
      long deadline = System.currentTimeMillis() + 10_000;
      for (int probe = 0;; probe++) {
        int next = ws.messages().size();
        String id = "slow-" + probe;
        ws.text(new JsonObject().put("type", "execute").put("language", "cobol").put("code", "x").put("request_id", id).encode());
        JsonObject e = ws.nth(next, 5000);
        if (id.equals(e.getString("request_id"))) {
          assertEquals("unknown_language", e.getString("code"));
          break;
        }
        assertEquals("rate_limited", e.getString("code"));
        assertTrue(System.currentTimeMillis() < deadline, "served again within 10 s");
        Thread.sleep(20); // a client pacing itself well under the limit, not a wait for a result
      }
      assertUsable(ws, "after-burst");
    }
  }

  @Test
  void aFrameOverTheSizeLimitClosesWith1009() throws Exception {
    try (RawWebSocket ws = RawWebSocket.connect(stack.port(), "/ws/execute")) {
      byte[] big = new byte[(4 << 20) + 1];
      Arrays.fill(big, (byte) ' ');
      try {
        ws.frame(0x1, true, big);
      } catch (java.net.SocketException e) {
        // the server may close before the whole frame is written
      }
      assertEquals(1009, ws.awaitEnd(20_000));
    }
  }

  // ---- REST fuzz ----

  static final String[] METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};

  static String randomSegment(Random r) {
    return switch (r.nextInt(10)) {
      case 0 -> "%00";
      case 1 -> "..%2F..%2Fetc%2Fpasswd";
      case 2 -> "x".repeat(1 + r.nextInt(3000));
      case 3 -> "%E2%80%AE%F0%9F%98%80";
      case 4 -> "%C3%28%FF";
      case 5 -> "-1";
      case 6 -> "1180591620717411303424";
      case 7 -> "a%2Fb";
      case 8 -> "%25";
      default -> Integer.toString(r.nextInt(1000));
    };
  }

  static String randomBody(Random r, JsonObject valid) {
    return switch (r.nextInt(9)) {
      case 0 -> null;
      case 1 -> "";
      case 2 -> "{\"a\":" + "[".repeat(100_000);
      case 3 -> "nope{";
      case 4 -> "[1,2]";
      case 5 -> "{\"version\":1e400,\"limit\":1180591620717411303424,\"content\":5}";
      default -> {
        JsonObject o = valid.copy();
        List<String> keys = new ArrayList<>(o.fieldNames());
        if (!keys.isEmpty()) o.put(keys.get(r.nextInt(keys.size())), randomValue(r));
        yield o.encode();
      }
    };
  }

  @Test
  void twoThousandFuzzedRequestsAreNever5xxAlwaysCodedAndLoseNothingStored() throws Exception {
    Api owner = anon.guest();
    Api other = anon.guest();
    Api forged = anon.as("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.AAAA");
    Api.Res created = owner.post("/api/sessions", new JsonObject().put("name", "keep").put("language", "python")
        .put("files", new JsonArray().add(new JsonObject().put("path", "main.py").put("content", "print('kept')\n"))));
    assertEquals(201, created.status(), created.body());
    String keep = created.json().getString("id");
    String scratch = owner.post("/api/sessions", new JsonObject().put("name", "scratch").put("language", "python")).json().getString("id");
    String keptList = owner.get("/api/sessions").body();
    String keptFile = owner.get("/api/sessions/" + keep + "/files/main.py").body();

    Random r = new Random(20261124L);
    JsonObject validFile = new JsonObject().put("content", "x").put("version", 1).put("encoding", "text");
    JsonObject validSession = new JsonObject().put("name", "n").put("language", "python").put("template", "python-hello");
    Map<Integer, Integer> statuses = new TreeMap<>();
    long t0 = System.nanoTime();
    int n = 2000;
    for (int i = 0; i < n; i++) {
      // the kept session is attacked by others; its owner fuzzes only a scratch session and made-up ids
      boolean asOwner = r.nextInt(3) == 0;
      Api who = asOwner ? owner : switch (r.nextInt(3)) { case 0 -> other; case 1 -> forged; default -> anon; };
      String id = asOwner ? (r.nextBoolean() ? scratch : randomSegment(r)) : (r.nextInt(3) > 0 ? keep : randomSegment(r));
      String path = switch (r.nextInt(11)) {
        case 0 -> "/api/sessions";
        case 1 -> "/api/sessions/" + id;
        case 2, 3 -> "/api/sessions/" + id + "/files/" + (r.nextBoolean() ? "main.py" : randomSegment(r));
        case 4 -> "/api/sessions/" + id + "/files";
        case 5 -> "/api/sessions/" + id + "/shares" + (r.nextBoolean() ? "" : "/" + randomSegment(r));
        case 6 -> "/api/shares/" + randomSegment(r) + "/join";
        case 7 -> "/api/runs/" + randomSegment(r);
        case 8 -> "/api/sessions/" + id + "/runs?offset=" + randomSegment(r) + "&limit=" + randomSegment(r);
        case 9 -> "/api/sessions?q=" + randomSegment(r) + "&language=" + randomSegment(r) + "&offset=" + randomSegment(r);
        default -> "/api/auth/" + (r.nextBoolean() ? "login" : "register");
      };
      String method = METHODS[r.nextInt(METHODS.length)];
      String body = randomBody(r, path.contains("/files/") ? validFile : path.startsWith("/api/auth") ? new JsonObject().put("username", "u" + i).put("password", "correct horse") : validSession);
      List<String> headers = new ArrayList<>();
      if (r.nextInt(4) == 0) headers.addAll(List.of("If-Match", r.nextBoolean() ? "\"" + randomSegment(r) + "\"" : randomSegment(r)));
      if (r.nextInt(4) == 0) headers.addAll(List.of("Content-Type", r.nextBoolean() ? "text/plain" : "application/json; charset=latin1"));
      Api.Res res;
      try {
        res = who.call(method, path, body, headers.toArray(String[]::new));
      } catch (IllegalArgumentException e) {
        continue; // a URI the client itself refuses to send
      }
      statuses.merge(res.status(), 1, Integer::sum);
      assertTrue(res.status() < 500, method + " " + path + " " + (body == null ? "" : body.substring(0, Math.min(200, body.length())))
          + " -> " + res.status() + " " + res.body());
      if (res.status() >= 400 && !"OPTIONS".equals(method)) {
        JsonObject err;
        try {
          err = res.json();
        } catch (RuntimeException e) {
          throw new AssertionError(method + " " + path + " -> " + res.status() + " without a JSON body: " + res.body());
        }
        assertTrue(CODES.contains(err.getString("code")), method + " " + path + " -> " + res.body());
      }
    }
    System.out.println("rest fuzz: " + n + " requests in " + (System.nanoTime() - t0) / 1_000_000 + " ms; statuses " + statuses);
    assertEquals(keptFile, owner.get("/api/sessions/" + keep + "/files/main.py").body(), "the kept file is unchanged");
    JsonObject after = owner.get("/api/sessions/" + keep).json();
    assertEquals("keep", after.getString("name"));
    assertTrue(owner.get("/api/sessions").body().contains(keep), "the kept session is still listed");
    assertTrue(keptList.contains(keep));
  }
}
