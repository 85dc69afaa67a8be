package dev.sandpit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandpit.protocol.ErrorCode;
import dev.sandpit.protocol.RunStatus;
import dev.sandpit.protocol.ServerEvent;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class ExecuteProtocolIT {
  static Stack stack;

  @BeforeAll
  static void up() throws Exception {
    stack = new Stack(63000).gateway();
    stack.executor(3);
    stack.build(1);
  }

  @AfterAll
  static void down() throws Exception {
    stack.close();
  }

  static String exec(String lang, String code, String requestId) {
    return new JsonObject().put("type", "execute").put("language", lang).put("code", code).put("request_id", requestId).encode();
  }

  @Test
  void pythonHelloStreamsOutputAndCompletesWithNumberedEvents() throws Exception {
    try (WsClient c = WsClient.connect(stack.port())) {
      c.send(exec("python", "print('hello')", "r1"));
      String job = c.accepted("r1").jobId();
      ServerEvent.Complete done = c.complete(job, 20_000);
      assertEquals(RunStatus.OK, done.status());
      assertEquals(0, done.exitCode());
      assertEquals("hello\n", c.stdout(job));
      List<ServerEvent> evs = c.events(job);
      for (int i = 0; i < evs.size(); i++) assertEquals(i + 1, evs.get(i).seq(), "seq of event " + i);
      assertTrue(evs.get(0) instanceof ServerEvent.Accepted);
      assertNotNull(done.cpuMs());
      assertTrue(done.memoryKb() > 0);
    }
  }

  @Test
  void interactiveRunAsksAndUsesTheAnswer() throws Exception {
    try (WsClient c = WsClient.connect(stack.port())) {
      c.send(exec("python", "n = input('Name? ')\nprint('Hello, ' + n)\n", "r2"));
      String job = c.accepted("r2").jobId();
      ServerEvent.InputRequest req = c.inputRequest(job, 1, 20_000);
      assertEquals("Name? ", req.prompt());
      c.send(new JsonObject().put("type", "input_response").put("data", "Ada\n").encode());
      assertEquals(RunStatus.OK, c.complete(job, 20_000).status());
      assertEquals("Name? Hello, Ada\n", c.stdout(job));
    }
  }

  @Test
  void badFramesGetCodedErrorsAndTheConnectionStaysUsable() throws Exception {
    try (WsClient c = WsClient.connect(stack.port())) {
      c.send("{not json");
      assertEquals(ErrorCode.BAD_JSON, c.error(e -> true, 5000).code());
      c.send("{\"type\":\"dance\"}");
      c.error(e -> e.code() == ErrorCode.UNKNOWN_TYPE, 5000);
      c.send("{\"language\":\"python\"}");
      c.error(e -> e.code() == ErrorCode.MISSING_FIELD, 5000);
      c.send(exec("cobol", "x", "bad-lang"));
      assertEquals(ErrorCode.UNKNOWN_LANGUAGE, c.error(e -> "bad-lang".equals(e.requestId()), 5000).code());
      c.send(exec("python", "#".repeat(300_000), "big"));
      assertEquals(ErrorCode.CODE_TOO_LARGE, c.error(e -> "big".equals(e.requestId()), 5000).code());
      c.send(new JsonObject().put("type", "execute").put("language", "python").put("code", 5).put("request_id", "t").encode());
      c.error(e -> e.code() == ErrorCode.INVALID_FIELD, 5000);
      c.send(new JsonObject().put("type", "input_response").put("data", "x").encode());
      c.error(e -> e.code() == ErrorCode.UNKNOWN_JOB, 5000);
      c.send(new JsonObject().put("type", "execute").put("language", "python").put("code", "print(1)")
          .put("limits", new JsonObject().put("wall_ms", 999_999_999)).put("request_id", "lim").encode());
      assertEquals(ErrorCode.LIMIT_EXCEEDED, c.error(e -> "lim".equals(e.requestId()), 5000).code());
      // still usable
      c.send(exec("python", "print(6*7)", "after"));
      String job = c.accepted("after").jobId();
      assertEquals(RunStatus.OK, c.complete(job, 20_000).status());
      assertEquals("42\n", c.stdout(job));
    }
  }
}
