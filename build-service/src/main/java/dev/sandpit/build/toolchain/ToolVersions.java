package dev.sandpit.build.toolchain;

import dev.sandpit.protocol.Language;
import dev.sandpit.protocol.Languages;
import dev.sandpit.worker.Toolchains;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The versions of every compiler variant and build tool languages.json names, read once when a
 * build worker starts (the sandbox binds the host's /usr, so the host's version is the sandbox's).
 * They go into the build cache key: a cached program is never reused across compiler upgrades.
 */
public final class ToolVersions {
  private static final Logger log = LoggerFactory.getLogger(ToolVersions.class);

  private final Map<String, String> versions;

  public ToolVersions(Map<String, String> versions) {
    this.versions = Map.copyOf(versions);
  }

  public static ToolVersions probe() {
    Map<String, String> out = new LinkedHashMap<>();
    for (Language l : Languages.all()) {
      if (l.compilers() != null) {
        for (Language.CompilerVariant c : l.compilers()) {
          String v = version(c.version());
          if (v != null) out.put(compilerKey(l, c), v);
          else log.info("compiler {} of {} not available here", c.id(), l.id());
        }
      }
      if (l.projects() != null) {
        for (Language.Project p : l.projects()) {
          if (out.containsKey(projectKey(p))) continue;
          String v = version(p.version());
          if (v != null) out.put(projectKey(p), v);
          else log.info("build tool {} not available here", p.kind());
        }
      }
    }
    return new ToolVersions(out);
  }

  static String compilerKey(Language l, Language.CompilerVariant c) {
    return l.id() + "/" + c.id();
  }

  static String projectKey(Language.Project p) {
    return "project/" + p.kind();
  }

  /** The compiler's version, or null when this worker does not have it. */
  public String compiler(Language l, Language.CompilerVariant c) {
    return versions.get(compilerKey(l, c));
  }

  /** The build tool's version, or null when this worker does not have it. */
  public String project(Language.Project p) {
    return versions.get(projectKey(p));
  }

  public Map<String, String> all() {
    return versions;
  }

  /** The first line a version command prints, or null when it fails. */
  static String version(List<String> cmd) {
    return Toolchains.version(cmd);
  }
}
