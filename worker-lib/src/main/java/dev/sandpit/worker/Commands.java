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
    long mem = limits.memoryMb() == null ? 256 : limits.memoryMb();
    String cls = spec.runArgs() != null && !spec.runArgs().isEmpty() ? spec.runArgs().get(0) : "Main";
    return t.replace("{main}", spec.files().get(0).name())
        .replace("{class}", cls)
        .replace("{memory_mb}", Long.toString(mem))
        .replace("{heap_mb}", Long.toString(Math.max(16, mem * 3 / 4)));
  }
}
