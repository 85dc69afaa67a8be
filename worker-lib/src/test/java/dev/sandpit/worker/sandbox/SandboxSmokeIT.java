package dev.sandpit.worker.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sandpit.worker.process.RunResult;
import dev.sandpit.protocol.RunStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SandboxSmokeIT {
  @Test
  void pythonPrintsAndAnswersPrompt() throws Exception {
    try (SandboxHarness h = new SandboxHarness("bwrap", 1, 62000)) {
      var r = h.start(Map.of("main.py", "import os\nprint('uid', os.getuid())\nn=input('Name? ')\nprint('Hi', n)\n"),
          SandboxHarness.spec(List.of("/usr/bin/python3", "-u", "main.py"), null, 10_000, true));
      r.rec().await(ev -> ev.stream().anyMatch(e -> e.kind().equals("input_request")), 5000);
      r.run().write("Ada\n");
      RunResult res = r.rec().awaitResult(5000);
      System.out.println(r.rec().events() + " " + res);
      assertEquals(RunStatus.OK, res.status());
    }
  }
}
