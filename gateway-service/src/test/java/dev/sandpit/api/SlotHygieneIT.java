package dev.sandpit.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandpit.config.WorkerConfig;
import dev.sandpit.e2e.Stack;
import dev.sandpit.e2e.WsClient;
import dev.sandpit.protocol.RunStatus;
import dev.sandpit.protocol.WorkerInfo;
import dev.sandpit.testing.Await;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 12 through the whole stack: one executor with one slot, so an attacker's run and a victim's
 * session run always share it. Whatever the attacker leaves, the victim's run sees only its own
 * files and its stored session receives only what it wrote; a slot that cannot be made clean
 * again leaves the pool, and the worker's heartbeat and /health say so.
 */
@Timeout(240)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SlotHygieneIT {
  static final String SECRET = "test-secret-test-secret-test-secret-0123456789";
  static Stack stack;
  static Api anon;
  static int healthPort;
  static String hostile;

  @BeforeAll
  static void up() throws Exception {
    hostile = Files.readString(Path.of("../worker-lib/src/test/resources/hostile/leftovers.py"));
    stack = new Stack(63800);
    stack.env.put("SANDPIT_JWT_SECRET", SECRET);
    stack.env.put("SANDPIT_QUEUE_TIMEOUT_MS", "4000"); // a job no slot can take ends instead of waiting
    try (ServerSocket s = new ServerSocket(0)) {
      healthPort = s.getLocalPort();
    }
    stack.gateway();
    stack.env.put(WorkerConfig.HEALTH_PORT, Integer.toString(healthPort));
    stack.executor(1);
    anon = new Api(stack.port());
  }

  @AfterAll
  static void down() throws Exception {
    if (stack != null) stack.close();
  }

  /** Run {@code code} (Python) outside any session; its stdout. */
  static String run(WsClient c, String code, String requestId) throws Exception {
    c.send(new JsonObject().put("type", "execute").put("language", "python").put("code", code).put("request_id", requestId).encode());
    String job = c.accepted(requestId).jobId();
    c.complete(job, 60_000);
    return c.stdout(job);
  }

  @Order(1)
  @Test
  void aVictimsSessionRunOnTheAttackersSlotSeesAndStoresOnlyItsOwnFiles() throws Exception {
    Api attacker = anon.guest();
    Api victim = anon.guest();
    Api.Res made = victim.post("/api/sessions", new JsonObject().put("name", "victim").put("language", "python")
        .put("files", new JsonArray().add(new JsonObject().put("path", "main.py").put("content",
            "import os\nseen = sorted(os.path.relpath(os.path.join(r, n), '.') for r, ds, fs in os.walk('.') for n in ds + fs)\n"
                + "open('out.txt', 'w').write('mine')\nprint(seen)\n"))));
    assertEquals(201, made.status(), made.body());
    String session = made.json().getString("id");
    try (WsClient a = WsClient.connect(stack.port(), attacker.token); WsClient v = WsClient.connect(stack.port(), victim.token)) {
      int n = 0;
      for (String attack : List.of("deep", "chmod_root", "odd_names", "fifo_socket", "fd_daemon")) {
        // the attack also plants a main.py, the victim's main file, which used to end its run internal_error
        String code = "import sys\nsys.argv[1:] = ['" + attack + "']\nopen('main.py', 'w').write('print(\"planted\")')\n" + hostile;
        assertEquals("left " + attack + "\n", run(a, code, "attack-" + n));

        v.send(new JsonObject().put("type", "execute").put("session_id", session).put("request_id", "victim-" + n).encode());
        String job = v.accepted("victim-" + n).jobId();
        assertEquals(RunStatus.OK, v.complete(job, 60_000).status(), v.stdout(job) + v.stderr(job));
        // (out.txt is its own, from its run before, once that was stored back)
        assertTrue(java.util.Set.of("['main.py']\n", "['main.py', 'out.txt']\n").contains(v.stdout(job)),
            "what the victim's run saw after " + attack + ": " + v.stdout(job));
        n++;
      }
      Await.until("the victim's files synced back", 10_000, () -> {
        try {
          return victim.get("/api/sessions/" + session + "/files/out.txt").status() == 200;
        } catch (Exception e) {
          return false;
        }
      });
      JsonObject listing = victim.get("/api/sessions/" + session + "/files").json();
      assertEquals(List.of("main.py", "out.txt"),
          listing.getJsonArray("files").stream().map(o -> ((JsonObject) o).getString("path")).sorted().toList());
      assertEquals("mine", victim.get("/api/sessions/" + session + "/files/out.txt").json().getString("content"));
      assertTrue(victim.get("/api/sessions/" + session + "/files/main.py").json().getString("content").startsWith("import os"));
    }
    assertEquals(0, worker().retiredSlots());
  }

  static WorkerInfo worker() {
    return stack.gateway.fleet().workers().stream().filter(w -> w.kind().equals(WorkerInfo.EXECUTOR)).findFirst().orElseThrow();
  }

  static HttpResponse<String> health() throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + healthPort + "/health")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * A process of the slot's uid outside its cgroup (as an escape would leave) survives the reset
   * and the rebuild: the slot is retired, serves nothing more, and the worker says so.
   */
  @Order(2)
  @Test
  void aSlotThatFailsItsRebuildLeavesThePoolAndTheWorkerSaysSo() throws Exception {
    assertEquals(200, health().statusCode());
    assertEquals("ok", new JsonObject(health().body()).getString("status"));
    int uid;
    try (WsClient c = WsClient.connect(stack.port(), anon.guest().token)) {
      uid = Integer.parseInt(run(c, "import os\nprint(os.getuid())", "uid").trim());
      Process escaped = new ProcessBuilder("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "sleep", "300").start();
      try {
        Await.until("the escaped process runs as " + uid, 5000, () -> {
          try {
            return escaped.isAlive() && Files.readString(Path.of("/proc/" + escaped.pid() + "/status")).contains("\nUid:\t" + uid + "\t");
          } catch (java.io.IOException e) {
            return false;
          }
        });
        // the next reset of the slot (after the run above, or after this one) finds it, rebuilds, finds it again
        c.send(new JsonObject().put("type", "execute").put("language", "python").put("code", "print(1)").put("request_id", "next").encode());
        Await.until("the heartbeat counts the retired slot", 15_000, () -> worker().retiredSlots() == 1 && worker().slots() == 0);
        c.complete(c.accepted("next").jobId(), 30_000);
        // nothing serves now: a new job is not left waiting, it ends when no worker took it in time
        c.send(new JsonObject().put("type", "execute").put("language", "python").put("code", "print(2)").put("request_id", "after").encode());
        String after = c.accepted("after").jobId();
        var end = c.complete(after, 30_000);
        assertEquals(RunStatus.INTERNAL_ERROR, end.status());
        assertTrue(end.message().contains("no worker took the job"), end.message());
        HttpResponse<String> h = health();
        assertEquals(503, h.statusCode(), h.body());
        JsonObject body = new JsonObject(h.body());
        assertEquals("no_slots", body.getString("status"));
        assertEquals(0, body.getInteger("slots"));
        assertTrue(body.getJsonArray("retired").getJsonObject(0).getString("reason").contains("uid " + uid), h.body());
      } finally {
        escaped.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
  }
}
