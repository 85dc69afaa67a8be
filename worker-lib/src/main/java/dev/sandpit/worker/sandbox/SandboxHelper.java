package dev.sandpit.worker.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bwrap backend's compiled launcher and init ({@code resources/sandbox/sandpit-helper.c}): one
 * static binary that does what {@link Sandbox#launcher} + setpriv do as root and what
 * {@link Sandbox#INIT} does inside, without three dynamically linked execs per sandbox start
 * (measured: 2.0 ms of CPU less per {@code print(1)} run, of ~16 ms). Built once per source version
 * into {@code <workRoot>/helper/<hash>/} with the host's C compiler when the worker starts (the hash
 * is the first 16 hex digits of the source's SHA-256), or taken from {@link #PREBUILT}; where
 * neither is there, or the binary does not pass its check, the backend keeps the shell chain, which
 * does the same.
 */
final class SandboxHelper {
  private static final Logger log = LoggerFactory.getLogger(SandboxHelper.class);
  static final String SOURCE = "/sandbox/sandpit-helper.c";
  /**
   * Where an image carries the helper built ahead (the worker Dockerfiles' helper stage), as
   * {@code <PREBUILT>/<hash>/sandpit-helper}: used when the source hash matches, so a worker image
   * needs no C compiler.
   */
  static final String PREBUILT = "/usr/local/lib/sandpit/helper";
  /** Where the binary appears inside a sandbox (read-only). */
  static final String INSIDE = "/sandpit-init";
  private static final List<String> COMPILERS = List.of("/usr/bin/cc", "/usr/bin/gcc", "/usr/bin/clang");
  private static final long COMPILE_TIMEOUT_S = 60;
  /** The exit status of the command the check has the helper's init run. */
  private static final int PROBE_EXIT_STATUS = 42;
  /** The exit status of the helper's launcher refusing to start without its cgroups. */
  private static final int LAUNCH_REFUSED_STATUS = 126;
  private static final long PROBE_TIMEOUT_S = 10;

  private SandboxHelper() {}

  /** The helper for {@code workRoot}, built if needed; null when it cannot be had (the reason is logged). */
  static Path build(Path workRoot) {
    try {
      byte[] source = source();
      String hash = hash(source);
      // root runs it: only a binary that no one but root could have put there, along a path only root controls
      Path prebuilt = Path.of(PREBUILT, hash, "sandpit-helper");
      if (HostPaths.rootOnly(prebuilt) && works(prebuilt)) return prebuilt;
      if (!HostPaths.rootOnly(workRoot)) {
        log.warn("{} may be changed by others than root: bwrap sandboxes start through the shell and setpriv", workRoot);
        return null;
      }
      Path dir = workRoot.resolve("helper").resolve(hash);
      Path bin = dir.resolve("sandpit-helper");
      if (HostPaths.rootOnly(bin) && works(bin)) return bin;
      Path cc = COMPILERS.stream().map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
      if (cc == null) {
        log.info("no C compiler: bwrap sandboxes start through the shell and setpriv");
        return null;
      }
      mkdirs(workRoot.resolve("helper"));
      mkdirs(dir);
      if (!HostPaths.rootOnly(dir)) {
        log.warn("{} is not root's alone: bwrap sandboxes start through the shell and setpriv", dir);
        return null;
      }
      // created new (O_EXCL, random names) in a directory only root writes
      Path src = Files.createTempFile(dir, "src", ".c");
      Path tmp = Files.createTempFile(dir, "sandpit-helper", ".tmp");
      try {
        Files.write(src, source);
        // static: no dynamic loader or libc relocations at each of its two execs per sandbox
        if (!compile(cc, src, tmp, true) && !compile(cc, src, tmp, false)) return null;
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        if (!works(tmp)) {
          log.warn("the compiled sandbox helper failed its check: bwrap sandboxes start through the shell and setpriv");
          return null;
        }
        Files.move(tmp, bin, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(src);
        Files.deleteIfExists(tmp);
      }
      return bin;
    } catch (IOException | NoSuchAlgorithmException e) {
      log.warn("cannot build the sandbox helper ({}): bwrap sandboxes start through the shell and setpriv", e.toString());
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The directory name of a helper built from {@code source}: the first 16 hex digits of its SHA-256 (the Dockerfiles' too). */
  static String hash(byte[] source) throws NoSuchAlgorithmException {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(source)).substring(0, 16); // the Dockerfiles' cut -c1-16; ComposeConsistencyTest reads this literal
  }

  static byte[] source() throws IOException {
    try (InputStream in = SandboxHelper.class.getResourceAsStream(SOURCE)) {
      if (in == null) throw new IOException("resource " + SOURCE + " missing");
      return in.readAllBytes();
    }
  }

  private static void mkdirs(Path dir) throws IOException {
    Files.createDirectories(dir);
    // the slot uids read and execute it (bwrap binds it as the slot uid); only root writes
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static boolean compile(Path cc, Path src, Path out, boolean linkStatic) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(cc.toString(), "-O2", "-Wall", "-o", out.toString(), src.toString()));
    if (linkStatic) cmd.add(1, "-static");
    Path output = Files.createTempFile("sandpit-helper-cc", ".log");
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
      p.getOutputStream().close();
      if (!p.waitFor(COMPILE_TIMEOUT_S, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        log.warn("compiling the sandbox helper took over {} s", COMPILE_TIMEOUT_S);
        return false;
      }
      if (p.exitValue() == 0) return true;
      log.info("compiling the sandbox helper{} failed: {}", linkStatic ? " statically" : "", Files.readString(output).strip());
      return false;
    } finally {
      Files.deleteIfExists(output);
    }
  }

  /**
   * The binary runs, its init execs what a command line names, and its launcher refuses to start
   * anything without its cgroups (the check must not drop this process's privileges, so it stops
   * there); false, not an exception, for anything else.
   */
  private static boolean works(Path bin) throws InterruptedException {
    try {
      Process init = new ProcessBuilder(bin.toString(), "init").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      try (var stdin = init.getOutputStream()) {
        stdin.write(CommandLine.of(List.of("/bin/sh", "-c", "exit " + PROBE_EXIT_STATUS), Map.of()).getBytes(StandardCharsets.UTF_8));
      }
      ProcessBuilder pb = new ProcessBuilder(bin.toString(), "launch", "65534", "--", "/bin/true").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD);
      pb.environment().clear();
      Process launch = pb.start();
      return exit(init) == PROBE_EXIT_STATUS && exit(launch) == LAUNCH_REFUSED_STATUS;
    } catch (IOException e) {
      log.info("the sandbox helper {} does not run: {}", bin, e.toString());
      return false;
    }
  }

  private static int exit(Process p) throws InterruptedException {
    if (p.waitFor(PROBE_TIMEOUT_S, TimeUnit.SECONDS)) return p.exitValue();
    p.destroyForcibly();
    return -1;
  }
}
