package dev.sandpit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandpit.executor.jobs.ExecutorVerticle;
import dev.sandpit.protocol.RunStatus;
import dev.sandpit.protocol.ServerEvent;
import dev.sandpit.testing.Await;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Several workers, crashes and restarts: nothing hangs, nothing runs twice. */
@Timeout(180)
class FleetIT {

  static String exec(String code, String requestId) {
    return new JsonObject().put("type", "execute").put("language", "python").put("code", code).put("request_id", requestId).encode();
  }

  @Test
  void twoExecutorsShareTenConcurrentRuns() throws Exception {
    try (Stack stack = new Stack(63200).gateway()) {
      ExecutorVerticle a = stack.executor(3);
      ExecutorVerticle b = stack.executor(3);
      List<WsClient> clients = new ArrayList<>();
      try {
        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          WsClient c = WsClient.connect(stack.port());
          clients.add(c);
          c.send(exec("import time\ntime.sleep(0.3)\nprint('run', " + i + ")", "r" + i));
        }
        for (int i = 0; i < 10; i++) jobs.add(clients.get(i).accepted("r" + i).jobId());
        for (int i = 0; i < 10; i++) {
          ServerEvent.Complete done = clients.get(i).complete(jobs.get(i), 60_000);
          assertEquals(RunStatus.OK, done.status());
          assertEquals("run " + i + "\n", clients.get(i).stdout(jobs.get(i)));
        }
        Await.until("both executors have finished their jobs", 10_000, () -> a.completed() + b.completed() == 10);
        assertTrue(a.completed() > 0 && b.completed() > 0, "both executors ran jobs: " + a.completed() + "/" + b.completed());
      } finally {
        clients.forEach(WsClient::close);
      }
    }
  }

  @Test
  void killingAnExecutorMidRunEndsItsJobWithExecutorLostAndDoesNotRunItAgain() throws Exception {
    try (Stack stack = new Stack(63264).gateway(); WsClient c = WsClient.connect(stack.port())) {
      Process p = stack.executorProcess(1, "victim");
      c.send(exec("import time\nprint('started', flush=True)\ntime.sleep(120)\n", "long"));
      String job = c.accepted("long").jobId();
      c.await(ServerEvent.Output.class, o -> o.jobId().equals(job) && o.data().contains("started"), 60_000);
      long killedAt = System.currentTimeMillis();
      p.destroyForcibly(); // SIGKILL
      ServerEvent.Complete done = c.complete(job, 15_000);
      long tookMs = System.currentTimeMillis() - killedAt;
      assertEquals(RunStatus.EXECUTOR_LOST, done.status());
      assertTrue(tookMs < 10_000, "executor_lost after " + tookMs + " ms");
      // a new executor takes new work but never the lost job
      stack.executor(1);
      c.send(exec("print('next')", "next"));
      String next = c.accepted("next").jobId();
      assertEquals(RunStatus.OK, c.complete(next, 30_000).status());
      long starts = c.events(job).stream().filter(e -> e instanceof ServerEvent.Output o && o.data().contains("started")).count();
      assertEquals(1, starts);
      assertEquals(done, c.events(job).get(c.events(job).size() - 1), "nothing after complete");
    }
  }

  @Test
  void sigtermDrainsAnExecutorAndQueuedJobsWaitForTheNextOne() throws Exception {
    try (Stack stack = new Stack(63328).gateway(); WsClient c = WsClient.connect(stack.port())) {
      Process p = stack.executorProcess(1, "drainee");
      c.send(exec("import time\nprint('begin', flush=True)\ntime.sleep(1.5)\nprint('end')\n", "first"));
      String first = c.accepted("first").jobId();
      c.await(ServerEvent.Output.class, o -> o.jobId().equals(first) && o.data().contains("begin"), 60_000);
      p.destroy(); // SIGTERM
      Await.until("the executor announces it is draining", 10_000, () -> stack.gatewayFleetDraining("drainee"));
      c.send(exec("print('second')", "second"));
      String second = c.accepted("second").jobId();
      ServerEvent.Complete done = c.complete(first, 30_000);
      assertEquals(RunStatus.OK, done.status(), "the running job finishes");
      assertEquals("begin\nend\n", c.stdout(first));
      Await.until("the drained executor exits", 20_000, () -> !p.isAlive());
      assertFalse(c.events(second).stream().anyMatch(e -> e instanceof ServerEvent.Complete), "no worker: the job waits");
      stack.executor(1);
      assertEquals(RunStatus.OK, c.complete(second, 30_000).status());
      assertEquals("second\n", c.stdout(second));
    }
  }

  @Test
  void aRedisRestartEndsRunningJobsAndNewRunsWork() throws Exception {
    try (Stack stack = new Stack(63392).gateway(); WsClient c = WsClient.connect(stack.port())) {
      stack.executor(2);
      stack.build(1);
      c.send(exec("print('before')", "before"));
      assertEquals(RunStatus.OK, c.complete(c.accepted("before").jobId(), 30_000).status());
      c.send(exec("import time\nprint('up', flush=True)\ntime.sleep(60)\n", "inflight"));
      String inflight = c.accepted("inflight").jobId();
      c.await(ServerEvent.Output.class, o -> o.jobId().equals(inflight), 30_000);
      stack.redis.restart();
      ServerEvent.Complete lost = c.complete(inflight, 20_000);
      assertTrue(Set.of(RunStatus.EXECUTOR_LOST, RunStatus.STOPPED).contains(lost.status()), lost.toString());
      Set<String> done = new HashSet<>();
      Await.until("a new run completes after the restart", 60_000, () -> {
        String rid = "after" + done.size();
        done.add(rid);
        c.send(exec("print('after')", rid));
        try {
          String job = c.accepted(rid).jobId();
          return c.complete(job, 20_000).status() == RunStatus.OK;
        } catch (AssertionError | InterruptedException e) {
          return false;
        }
      });
      c.send(exec("#include <stdio.h>\nint main(){puts(\"compiled after restart\");}\n", "c-after").replace("\"python\"", "\"c\""));
      String cj = c.accepted("c-after").jobId();
      assertEquals(RunStatus.OK, c.complete(cj, 60_000).status());
      assertEquals("compiled after restart\n", c.stdout(cj));
    }
  }
}
