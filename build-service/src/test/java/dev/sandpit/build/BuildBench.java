package dev.sandpit.build;

import dev.sandpit.build.jobs.BuildOptions;
import dev.sandpit.build.jobs.BuildSandbox;
import dev.sandpit.build.jobs.BuildWorker;
import dev.sandpit.build.jobs.CompileResult;
import dev.sandpit.build.jobs.Compiler;
import dev.sandpit.protocol.JobSpec;
import dev.sandpit.protocol.Language;
import dev.sandpit.protocol.Languages;
import dev.sandpit.protocol.RunStatus;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The build benchmark (not a test; needs root for the sandbox, like the tests): a real build
 * worker with a private Redis and real sandbox slots, measured end to end as the gateway sees it
 * (job queued → job handed to the executors) and by the worker itself (the compile event's
 * {@code duration_ms}: cache lookup, or sandboxed compile).
 *
 * <ol>
 *   <li>cold compile vs cache hit of a C hello world and of a 5-file C++ project (every cold build
 *       changes a comment, so it misses the cache but compiles the same code);
 *   <li>parallel compilation: 6 C++ translation units compiled one at a time ({@code make -j1})
 *       and N at a time ({@code make -jN}, N = the cores, the slot's CPU quota N cores).
 * </ol>
 * Run: {@code java -cp <build-service test classpath> dev.sandpit.build.BuildBench [rounds]}.
 */
public final class BuildBench {
  private BuildBench() {}

  static final int UID_BASE = 64700;

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
    int cores = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    List<String> lines = new ArrayList<>();
    try (BuildWorker w = new BuildWorker(UID_BASE, 1, new BuildOptions(cores, 32L << 20), 120_000)) {
      // warm-up of the JVM that hosts the worker and this client (JIT), not counted
      JobSpec warm = BuildSandbox.job("c", "gcc", List.of(), BuildSandbox.files("main.c", "int main(void){ return 0; }\n"));
      for (int i = 0; i < 300; i++) {
        w.build(BuildSandbox.job("c", "gcc", List.of(), Map.of("main.c", warm.files().get(0).content())), 120_000);
      }
      lines.add(String.format("%-34s %14s %14s %9s   %s", "", "cold compile", "cache hit", "speed-up", "(median of " + rounds + "; compile event duration_ms in brackets)"));
      lines.add(row("hello world (C, gcc)", w, rounds, n -> BuildSandbox.job("c", "gcc", List.of("-O2"),
          BuildSandbox.files("main.c", "#include <stdio.h>\n// build " + n + "\nint main(void){ puts(\"hello\"); return 0; }\n"))));
      lines.add(row("hello world (C++, clang++)", w, rounds, n -> BuildSandbox.job("cpp", "clang++", List.of("-O2"),
          BuildSandbox.files("main.cpp", "#include <iostream>\n// build " + n + "\nint main(){ std::cout << \"hello\" << std::endl; }\n"))));
      lines.add(row("5-file project (C++, g++, -j" + cores + ")", w, rounds, n -> BuildSandbox.job("cpp", "g++", List.of("-O2", "-Wall"),
          fiveFiles(n))));
    }
    try (BuildSandbox box = new BuildSandbox(UID_BASE + 100, 1, 100 * cores, 256)) {
      Compiler compiler = box.compiler(300_000, 2048, cores);
      Language cpp = Languages.find("cpp");
      List<long[]> seq = new ArrayList<>();
      List<long[]> par = new ArrayList<>();
      int parRounds = Math.max(3, rounds / 2);
      timed(compiler, heavyUnits(-1), cpp, cores); // warm-up
      for (int i = 0; i < parRounds; i++) {
        seq.add(timed(compiler, heavyUnits(2 * i), cpp, 1));
        par.add(timed(compiler, heavyUnits(2 * i + 1), cpp, cores));
      }
      long[] s = medianBy(seq);
      long[] p = medianBy(par);
      lines.add("");
      lines.add(String.format("%-34s %14s %14s %9s   %s", "parallel compilation", "sequential", "parallel", "speed-up",
          "(6 C++ units, -O2; median of " + parRounds + "; CPU time of the build in brackets)"));
      lines.add(String.format("%-34s %8d ms [%d] %8d ms [%d] %8.2fx", "6 units, make -j1 vs -j" + cores, s[0], s[1], p[0], p[1],
          (double) s[0] / p[0]));
      lines.add(String.format("%-34s %14.2f %14.2f", "  cores busy (CPU time / wall time)", (double) s[1] / s[0], (double) p[1] / p[0]));
    }
    System.out.println();
    System.out.println("Sandpit build benchmark: " + Runtime.getRuntime().availableProcessors() + " cores, sandboxed builds (bwrap), "
        + "end to end = job queued -> handed to the executors");
    lines.forEach(System.out::println);
  }

  static String row(String name, BuildWorker w, int rounds, IntFunction<JobSpec> job) throws Exception {
    List<Long> cold = new ArrayList<>();
    List<Long> coldWorker = new ArrayList<>();
    List<Double> hit = new ArrayList<>();
    List<Long> hitWorker = new ArrayList<>();
    // warm-up, not counted: the compiler's files in the page cache, the worker's and this client's code JIT-compiled
    w.build(job.apply(-1), 120_000);
    for (int i = 0; i < 30; i++) w.build(job.apply(-1), 120_000);
    // cold builds first (each leaves its slot to be cleaned and its sandbox re-spawned), then the hits
    List<Integer> ns = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      int n = (int) (System.nanoTime() & 0x7fffffff);
      ns.add(n);
      BuildWorker.Outcome c = w.build(job.apply(n), 120_000);
      check(c, false);
      cold.add(c.millis());
      coldWorker.add(c.compile().durationMs());
    }
    for (int k = 0; k < 3; k++) {
      for (int n : ns) {
        long t0 = System.nanoTime();
        BuildWorker.Outcome h = w.build(job.apply(n), 120_000);
        double ms = (System.nanoTime() - t0) / 1e6;
        check(h, true);
        hit.add(ms);
        hitWorker.add(h.compile().durationMs());
      }
    }
    long coldMs = median(cold);
    Collections.sort(hit);
    double hitMs = hit.get(hit.size() / 2);
    return String.format("%-34s %8d ms [%d] %8.1f ms [%d] %8.0fx", name, coldMs, median(coldWorker), hitMs, median(hitWorker), coldMs / hitMs);
  }

  static void check(BuildWorker.Outcome o, boolean cached) {
    if (o.handedOver() == null || !"ok".equals(o.compile().status()) || o.compile().cached() != cached) {
      throw new IllegalStateException("unexpected build: " + o.events());
    }
  }

  /** {wall ms, CPU ms} of one sandboxed build with at most {@code jobs} compilers at once. */
  static long[] timed(Compiler compiler, JobSpec spec, Language lang, int jobs) throws Exception {
    long t0 = System.nanoTime();
    CompileResult r = compiler.compile(spec, lang, lang.compiler("g++"), jobs);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    if (r.run().status() != RunStatus.OK || r.artifacts().isEmpty()) throw new IllegalStateException(r.run() + "\n" + r.output());
    if (r.plan().units() != 6) throw new IllegalStateException("expected 6 units: " + r.plan());
    return new long[] {ms, r.run().cpuMs()};
  }

  static long[] medianBy(List<long[]> xs) {
    List<long[]> s = new ArrayList<>(xs);
    s.sort(java.util.Comparator.comparingLong(x -> x[0]));
    return s.get(s.size() / 2);
  }

  static Map<String, String> fiveFiles(int n) {
    return BuildSandbox.files(
        "main.cpp", "// build " + n + "\n#include <iostream>\n#include \"shapes.h\"\nint main(){\n"
            + "  std::cout << area(square(3)) + area(circle(1)) + perimeter(square(2)) << std::endl; }\n",
        "shapes.h", "#pragma once\n#include <string>\nstruct Shape { double w, h; bool round; std::string name; };\n"
            + "Shape square(double);\nShape circle(double);\ndouble area(const Shape&);\ndouble perimeter(const Shape&);\n",
        "square.cpp", "#include \"shapes.h\"\nShape square(double s){ return {s, s, false, \"square\"}; }\n",
        "circle.cpp", "#include \"shapes.h\"\nShape circle(double r){ return {2 * r, 2 * r, true, \"circle\"}; }\n",
        "measure.cpp", "#include \"shapes.h\"\n#include <cmath>\ndouble area(const Shape& s){ return s.round ? M_PI * s.w * s.h / 4 : s.w * s.h; }\n"
            + "double perimeter(const Shape& s){ return s.round ? M_PI * s.w : 2 * (s.w + s.h); }\n");
  }

  /** Six units of the weight of real C++ code (the standard library's heavier headers, some templates). */
  static JobSpec heavyUnits(int n) {
    Map<String, String> fs = new java.util.LinkedHashMap<>();
    StringBuilder main = new StringBuilder("// build " + n + "\n#include <iostream>\n");
    for (int i = 0; i < 5; i++) main.append("long unit").append(i).append("(int);\n");
    main.append("int main(int argc, char**){ long s = 0;\n");
    for (int i = 0; i < 5; i++) main.append("  s += unit").append(i).append("(argc);\n");
    main.append("  std::cout << s << std::endl; }\n");
    fs.put("main.cpp", main.toString());
    for (int i = 0; i < 5; i++) {
      fs.put("unit" + i + ".cpp", "// build " + n + "\n#include <map>\n#include <string>\n#include <vector>\n#include <algorithm>\n"
          + "#include <sstream>\n#include <unordered_map>\n"
          + "long unit" + i + "(int k){\n  std::map<std::string, std::vector<int>> m; std::unordered_map<int, std::string> u;\n"
          + "  std::string s = \"abc\" + std::to_string(k); m[s.substr(0, 3)].push_back(std::stoi(s.substr(3)));\n"
          + "  std::ostringstream os; for (auto& [key, v] : m) { os << key; std::sort(v.begin(), v.end()); u[(int) v.size()] = key; }\n"
          + "  return (long) os.str().size() + (long) u.size() + " + i + ";\n}\n");
    }
    return BuildSandbox.job("cpp", "g++", List.of("-O2"), fs);
  }

  static long median(List<Long> xs) {
    List<Long> s = new ArrayList<>(xs);
    Collections.sort(s);
    return s.get(s.size() / 2);
  }
}
