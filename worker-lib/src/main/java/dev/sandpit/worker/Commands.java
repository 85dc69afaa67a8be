package dev.sandpit.worker;

import dev.sandpit.protocol.JobSpec;
import dev.sandpit.protocol.Language;
import dev.sandpit.protocol.Limits;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Expands a language's command templates for one job. */
public final class Commands {
  private Commands() {}

  /** The memory {@code {memory_mb}} stands for when the limits name none. */
  static final long DEFAULT_MEMORY_MB = 256;
  /** {@code {heap_mb}}: this share of the memory limit, at least {@link #MIN_HEAP_MB}. */
  static final long HEAP_PERCENT_OF_MEMORY = 75;
  static final long MIN_HEAP_MB = 16;
  private static final long PERCENT = 100;

  public static List<String> runArgv(Language lang, JobSpec spec, Limits limits) {
    List<String> out = new ArrayList<>();
    for (String t : lang.run()) out.add(expand(t, spec, limits));
    if (spec.args() != null) out.addAll(spec.args());
    return out;
  }

  public static Map<String, String> env(Map<String, String> template, JobSpec spec, Limits limits) {
    Map<String, String> out = new LinkedHashMap<>();
    if (template != null) template.forEach((k, v) -> out.put(k, expand(v, spec, limits)));
    return out;
  }

  static String expand(String t, JobSpec spec, Limits limits) {
    if (t.indexOf('{') < 0) return t;
    long mem = limits.memoryMb() == null ? DEFAULT_MEMORY_MB : limits.memoryMb();
    String cls = spec.runArgs() != null && !spec.runArgs().isEmpty() ? spec.runArgs().get(0) : "Main";
    return t.replace("{main}", spec.files().get(0).name())
        .replace("{class}", cls)
        .replace("{memory_mb}", Long.toString(mem))
        .replace("{heap_mb}", Long.toString(Math.max(MIN_HEAP_MB, mem * HEAP_PERCENT_OF_MEMORY / PERCENT)));
  }
}
