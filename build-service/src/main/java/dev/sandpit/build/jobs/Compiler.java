package dev.sandpit.build.jobs;

import dev.sandpit.build.toolchain.CompileCommand;
import dev.sandpit.executor.jobs.Commands;
import dev.sandpit.executor.jobs.RunSlots;
import dev.sandpit.executor.process.RunListener;
import dev.sandpit.executor.process.RunResult;
import dev.sandpit.executor.process.RunSpec;
import dev.sandpit.protocol.FileNames;
import dev.sandpit.protocol.JobSpec;
import dev.sandpit.protocol.Language;
import dev.sandpit.protocol.RunStatus;
import dev.sandpit.protocol.SourceFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs one compile in a sandbox slot, like any untrusted program. Blocking. */
final class Compiler {
  static final long MAX_ARTIFACT_BYTES = 64L << 20;
  static final long MAX_OUTPUT_BYTES = 1L << 20;

  private final RunSlots slots;
  private final long wallMs;
  private final long memoryMb;

  Compiler(RunSlots slots, long wallMs, long memoryMb) {
    this.slots = slots;
    this.wallMs = wallMs;
    this.memoryMb = memoryMb;
  }

  CompileResult compile(JobSpec spec, Language lang) throws Exception {
    RunSlots.Lease lease = slots.take();
    if (lease == null) throw new IllegalStateException("no free build slot");
    try {
      for (SourceFile f : spec.files()) {
        lease.slot().workspace().write(FileNames.validate(f.name()), f.bytes(), false);
      }
      List<String> argv = CompileCommand.argv(lang, spec.files(), spec.compilerFlags() == null ? List.of() : spec.compilerFlags());
      Map<String, String> env = Commands.env(lang.compileEnv(), spec, spec.limits());
      Collector c = new Collector();
      lease.run().begin(spec.jobId(), new RunSpec(argv, env, "", wallMs, wallMs, memoryMb << 20, MAX_OUTPUT_BYTES, false), c);
      RunResult r = c.result.get(wallMs + 15_000, TimeUnit.MILLISECONDS);
      Map<String, byte[]> artifacts = new LinkedHashMap<>();
      String problem = null;
      if (r.status() == RunStatus.OK) {
        for (String glob : lang.artifacts()) {
          for (String name : lease.slot().workspace().list(glob)) {
            try {
              artifacts.put(name, lease.slot().workspace().readRegular(name, MAX_ARTIFACT_BYTES));
            } catch (IOException e) {
              problem = "the compiled program could not be collected: " + e.getMessage();
            }
          }
        }
        if (artifacts.isEmpty() && problem == null) problem = "the compiler produced no program";
      }
      return new CompileResult(r, c.output.toString(), artifacts, problem);
    } finally {
      slots.release(lease.slot());
    }
  }

  /** Output of a compile: stdout and stderr interleaved as they came. */
  private static final class Collector implements RunListener {
    final StringBuilder output = new StringBuilder();
    final CompletableFuture<RunResult> result = new CompletableFuture<>();

    @Override
    public void onOutput(String stream, String data) {
      output.append(data);
    }

    @Override
    public void onInputRequest(String prompt) {}

    @Override
    public void onComplete(RunResult r) {
      result.complete(r);
    }
  }
}
