package dev.sandpit.build.jobs;

import dev.sandpit.build.toolchain.BuildPlan;
import dev.sandpit.build.toolchain.TargetFinder;
import dev.sandpit.worker.Commands;
import dev.sandpit.worker.RunSlots;
import dev.sandpit.worker.process.RunListener;
import dev.sandpit.worker.process.RunResult;
import dev.sandpit.worker.process.RunSpec;
import dev.sandpit.protocol.FileNames;
import dev.sandpit.protocol.JobSpec;
import dev.sandpit.protocol.Language;
import dev.sandpit.protocol.Limits;
import dev.sandpit.protocol.RunStatus;
import dev.sandpit.protocol.SourceFile;
import java.io.IOException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Runs one build in a sandbox slot, like any untrusted program: the compilers, make and CMake run
 * as the slot's uid, in its cgroup (memory, pids, CPU), with its size-capped workspace and /tmp,
 * under the compile's wall and CPU time and an output cap. Every compile-time bomb ends in one of
 * those limits (see docs/protocol.md, "Builds"). Blocking.
 */
public final class Compiler {
  /** The largest program collected from a build (the cache has its own, smaller cap). */
  public static final long MAX_ARTIFACT_BYTES = 64L << 20;
  /** Compiler output beyond this ends the build (a diagnostics flood is a bomb too). */
  public static final long MAX_OUTPUT_BYTES = 1L << 20;
  /** How much longer than the build's wall limit the run's result may take to arrive. */
  static final long RESULT_GRACE_MS = 15_000;

  private final RunSlots slots;
  private final long wallMs;
  private final long memoryMb;
  private final int jobs;

  /** @param jobs translation units compiled at once (the slot's CPU quota should allow as many cores) */
  public Compiler(RunSlots slots, long wallMs, long memoryMb, int jobs) {
    this.slots = slots;
    this.wallMs = wallMs;
    this.memoryMb = memoryMb;
    this.jobs = Math.max(1, jobs);
  }

  public int jobs() {
    return jobs;
  }

  /** Compile with the job's compiler (the language's default when it names none). */
  public CompileResult compile(JobSpec spec, Language lang) throws Exception {
    return compile(spec, lang, lang.compiler(spec.compiler()), jobs);
  }

  /** Compile with {@code compiler} and at most {@code parallel} compilers at once. */
  public CompileResult compile(JobSpec spec, Language lang, Language.CompilerVariant compiler, int parallel) throws Exception {
    List<String> flags = spec.compilerFlags() == null ? List.of() : spec.compilerFlags();
    BuildPlan plan = BuildPlan.of(lang, compiler, spec.files(), flags, Math.max(1, parallel));
    RunSlots.Lease lease = slots.take();
    if (lease == null) throw new IllegalStateException("no free build slot");
    try {
      Set<String> names = new HashSet<>();
      for (SourceFile f : spec.files()) {
        lease.slot().workspace().write(FileNames.validate(f.name()), f.bytes(), false);
        names.add(f.name());
      }
      Limits limits = spec.limits() == null ? Limits.NONE : spec.limits();
      Map<String, String> env = Commands.env(plan.env(), spec, limits);
      Collector c = new Collector();
      // CPU time: the wall time on every core the build may use
      RunSpec rs = new RunSpec(plan.argv(), env, plan.stdin(), wallMs, wallMs * plan.jobs(), memoryMb << 20, MAX_OUTPUT_BYTES, false);
      lease.run().begin(spec.jobId(), rs, c);
      RunResult r = c.result.get(wallMs + RESULT_GRACE_MS, TimeUnit.MILLISECONDS);
      Map<String, byte[]> artifacts = new LinkedHashMap<>();
      String problem = null;
      if (r.status() == RunStatus.OK) {
        if (plan.kind() == BuildPlan.Kind.PROJECT) {
          TargetFinder.Found found = TargetFinder.find(lease.slot().workspace(), plan.project().outputDir(), names);
          if (found == null) {
            problem = "the " + plan.project().kind() + " build made no program (an executable; see docs/protocol.md, \"Builds\")";
          } else {
            try {
              artifacts.put(lang.artifacts().get(0), lease.slot().workspace().readRegular(found.path(), MAX_ARTIFACT_BYTES));
            } catch (IOException e) {
              problem = "the compiled program could not be collected: " + e.getMessage();
            }
            c.output.append("[sandpit] running ").append(found.path());
            if (!found.others().isEmpty()) {
              c.output.append(" (the build made several programs: ").append(String.join(", ", found.others()))
                  .append("; the one named main, else the last built, is run)");
            }
            c.output.append('\n');
          }
        } else {
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
      }
      String output = plan.kind() == BuildPlan.Kind.UNITS ? withoutMakeTrailers(c.output.toString()) : c.output.toString();
      return new CompileResult(r, output, artifacts, problem, plan);
    } finally {
      slots.release(lease.slot());
    }
  }

  /**
   * make's own trailer lines of a generated makefile ({@code make: *** [/tmp/GmXXXX:6:
   * /tmp/sandpit-obj/0-a.o] Error 1}, {@code make: Target 'all' not remade because of errors.}):
   * they name make's copy of the makefile and the object directory, which the user never wrote and
   * cannot see, and repeat what the compiler's own diagnostics already said. Everything else stays.
   */
  static String withoutMakeTrailers(String output) {
    if (!output.contains("make")) return output;
    StringBuilder out = new StringBuilder(output.length());
    int i = 0;
    while (i < output.length()) {
      int nl = output.indexOf('\n', i);
      int end = nl < 0 ? output.length() : nl + 1;
      String line = output.substring(i, nl < 0 ? output.length() : nl);
      if (!MAKE_TRAILER.matcher(line).matches()) out.append(output, i, end);
      i = end;
    }
    return out.toString();
  }

  private static final Pattern MAKE_TRAILER = Pattern.compile(
      "^(?:\\S*/)?g?make(?:\\[\\d+\\])?: (?:\\*\\*\\* (?:\\[.*\\] (?:Error \\d+|Killed|Segmentation fault.*|Interrupt)|Waiting for unfinished jobs\\.*)"
          + "|Target '[^']*' not remade because of errors\\.)\\s*$");

  /** Output of a compile: stdout and stderr interleaved as they came. */
  private static final class Collector implements RunListener {
    final StringBuilder output = new StringBuilder();
    final CompletableFuture<RunResult> result = new CompletableFuture<>();

    @Override
    public synchronized void onOutput(String stream, String data) {
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
