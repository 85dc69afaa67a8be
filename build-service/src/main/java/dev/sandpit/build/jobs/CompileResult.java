package dev.sandpit.build.jobs;

import dev.sandpit.build.toolchain.BuildPlan;
import dev.sandpit.protocol.RunStatus;
import dev.sandpit.worker.process.RunResult;
import java.util.Map;

/**
 * What one compile produced: the run's verdict, its combined output, the artifact files, why
 * there is no program although the compiler succeeded ({@code problem}), and how it was built.
 */
public record CompileResult(RunResult run, String output, Map<String, byte[]> artifacts, String problem, BuildPlan plan) {
  public CompileResult(RunResult run, String output, Map<String, byte[]> artifacts, String problem) {
    this(run, output, artifacts, problem, null);
  }

  public boolean ok() {
    return run.status() == RunStatus.OK && problem == null;
  }

  public long artifactBytes() {
    return artifacts.values().stream().mapToLong(b -> b.length).sum();
  }
}
