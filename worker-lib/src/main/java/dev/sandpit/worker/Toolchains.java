package dev.sandpit.worker;

import dev.sandpit.protocol.Language;
import dev.sandpit.protocol.Languages;
import dev.sandpit.protocol.WorkerInfo.Toolchain;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Finds which toolchains this host really has, by running each language's version command. */
public final class Toolchains {
  private static final Logger log = LoggerFactory.getLogger(Toolchains.class);
  /** How much of a version command's output is read (its first line is what counts). */
  static final int MAX_VERSION_OUTPUT_BYTES = 4096;
  static final long VERSION_TIMEOUT_S = 20;

  private Toolchains() {}

  /**
   * @param forBuild true: compiled languages whose compiler works; false: what an executor can
   *     run (interpreters, and compiled languages whose runtime check passes)
   */
  public static List<Toolchain> probe(boolean forBuild) {
    List<Toolchain> out = new ArrayList<>();
    for (Language l : Languages.all()) {
      if (forBuild && !l.compiled()) continue;
      List<String> cmd = forBuild || !l.compiled() ? l.version() : l.runtimeCheck();
      String version = cmd == null ? "native" : version(cmd);
      if (version != null) out.add(new Toolchain(l.id(), version));
      else log.info("{} not available here ({} failed)", l.id(), cmd);
    }
    return out;
  }

  /** The first line a version command prints, or null when it fails or is not there. */
  public static String version(List<String> cmd) {
    if (cmd == null || cmd.isEmpty()) return null;
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getOutputStream().close();
      byte[] b = p.getInputStream().readNBytes(MAX_VERSION_OUTPUT_BYTES);
      if (!p.waitFor(VERSION_TIMEOUT_S, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return null;
      }
      if (p.exitValue() != 0) return null;
      String s = new String(b, StandardCharsets.UTF_8).strip();
      int nl = s.indexOf('\n');
      return nl < 0 ? s : s.substring(0, nl).strip();
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
