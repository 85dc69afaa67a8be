package dev.sandpit.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandpit.e2e.Stack;
import dev.sandpit.e2e.WsClient;
import dev.sandpit.gateway.GatewayVerticle;
import dev.sandpit.protocol.RunStatus;
import dev.sandpit.protocol.ServerEvent;
import dev.sandpit.testing.Await;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A run of a session followed by two people on two gateways: every input either gives is an
 * {@code input} event of the job, numbered with its output, naming who gave it, delivered to both.
 */
@Timeout(120)
class SharedRunInputIT {
  static Stack stack;
  static GatewayVerticle gw1, gw2;

  @BeforeAll
  static void up() throws Exception {
    stack = new Stack(63800);
    stack.env.put("SANDPIT_JWT_SECRET", "shared-input-secret-shared-input-secret-0123");
    stack.gateway();
    gw1 = stack.gateway;
    stack.gateway();
    gw2 = stack.gateway;
    stack.executor(2);
  }

  @AfterAll
  static void down() throws Exception {
    if (stack != null) stack.close();
  }

  static List<ServerEvent> numbered(WsClient c, String job) {
    return c.events(job);
  }

  static List<ServerEvent.Input> inputs(WsClient c, String job) {
    return c.events(job).stream().filter(e -> e instanceof ServerEvent.Input).map(e -> (ServerEvent.Input) e).toList();
  }

  /**
   * The seq of the output event that completes {@code text}: an unbuffered print writes its parts
   * separately ("Bye", " ", "Ann"), so under load one line can arrive as several events.
   */
  static long seqOfOutput(List<ServerEvent> events, String text) {
    StringBuilder out = new StringBuilder();
    for (ServerEvent e : events) {
      if (e instanceof ServerEvent.Output o) {
        out.append(o.data());
        if (out.indexOf(text) >= 0) return o.seq();
      }
    }
    throw new AssertionError("no output " + text + " in " + events);
  }

  @Test
  void bothFollowersSeeEveryInputWithWhoGaveItInOrderWithTheOutput() throws Exception {
    Api a = new Api(gw1.port()).guest();
    Api b = new Api(gw2.port()).guest();
    String aName = a.get("/api/auth/me").json().getString("username");
    String bName = b.get("/api/auth/me").json().getString("username");
    String id = a.post("/api/sessions", new JsonObject().put("name", "shared").put("language", "python")
        .put("files", new JsonArray().add(new JsonObject().put("path", "main.py")
            .put("content", "n = input('Name? ')\nprint('Hi', n)\nm = input('More? ')\nprint('Bye', m)\n")))).json().getString("id");
    String link = a.post("/api/sessions/" + id + "/shares", new JsonObject().put("role", "runner")).json().getString("token");
    assertEquals("runner", b.post("/api/shares/" + link + "/join", null).json().getString("role"));

    try (WsClient ca = WsClient.connect(gw1.port(), a.token); WsClient cb = WsClient.connect(gw2.port(), b.token)) {
      ca.send(new JsonObject().put("type", "execute").put("session_id", id).put("request_id", "r1").encode());
      String job = ca.accepted("r1").jobId();
      cb.send(new JsonObject().put("type", "attach").put("job_id", job).put("after_seq", 0).encode());
      cb.inputRequest(job, 1, 30_000);
      // B (on the other gateway) answers the first prompt, A the second
      cb.send(new JsonObject().put("type", "input_response").put("job_id", job).put("data", "Bob\n").encode());
      ca.inputRequest(job, 2, 30_000);
      ca.send(new JsonObject().put("type", "input_response").put("job_id", job).put("data", "Ann\n").encode());
      assertEquals(RunStatus.OK, ca.complete(job, 30_000).status());
      assertEquals(RunStatus.OK, cb.complete(job, 30_000).status());

      List<ServerEvent.Input> want = null;
      for (WsClient c : List.of(ca, cb)) {
        List<ServerEvent> ev = numbered(c, job);
        for (int i = 0; i < ev.size(); i++) assertEquals(i + 1, ev.get(i).seq(), "every event once, in order: " + ev);
        List<ServerEvent.Input> in = inputs(c, job);
        assertEquals(2, in.size(), "both inputs: " + ev);
        assertEquals("Bob\n", in.get(0).data());
        assertEquals(new ServerEvent.By(b.userId(), bName), in.get(0).by());
        assertEquals("Ann\n", in.get(1).data());
        assertEquals(new ServerEvent.By(a.userId(), aName), in.get(1).by());
        // each after the prompt it answered and before what the program printed with it
        assertTrue(seqOfOutput(ev, "Name? ") < in.get(0).seq() && in.get(0).seq() < seqOfOutput(ev, "Hi Bob"), ev.toString());
        assertTrue(seqOfOutput(ev, "More? ") < in.get(1).seq() && in.get(1).seq() < seqOfOutput(ev, "Bye Ann"), ev.toString());
        if (want == null) want = in;
        else assertEquals(want, in, "both followers got the same events");
      }
      // replayable: a late follower attaching from seq 0 gets them too
      try (WsClient late = WsClient.connect(gw2.port(), b.token)) {
        late.send(new JsonObject().put("type", "attach").put("job_id", job).put("after_seq", 0).encode());
        late.complete(job, 10_000);
        assertEquals(want, inputs(late, job));
      }
      // the run's transcript (recorded on the gateway that started it) has both inputs
      String finalJob = job;
      Await.until("the run is recorded as finished", 10_000, () -> {
        try {
          return !a.get("/api/runs/" + finalJob).json().getBoolean("live", false);
        } catch (Exception e) {
          return false;
        }
      });
      JsonObject run = a.get("/api/runs/" + job).json();
      List<String> stdin = run.getJsonArray("transcript").stream().map(o -> (JsonObject) o)
          .filter(o -> "stdin".equals(o.getString("stream"))).map(o -> o.getString("data")).toList();
      assertEquals(List.of("Bob\n", "Ann\n"), stdin, run.encode());
    }
  }
}
