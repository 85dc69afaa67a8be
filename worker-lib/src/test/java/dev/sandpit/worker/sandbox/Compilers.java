package dev.sandpit.worker.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Host-side compilers for test programs: source in, bytes of the artifact out. */
final class Compilers {
  private Compilers() {}

  static byte[] gcc(String source) throws Exception {
    return build("main.c", source, "main", List.of("/usr/bin/gcc", "-O1", "-o", "main", "main.c"), Map.of());
  }

  static byte[] gxx(String source) throws Exception {
    return build("main.cpp", source, "main", List.of("/usr/bin/g++", "-O1", "-o", "main", "main.cpp"), Map.of());
  }

  static byte[] rustc(String source) throws Exception {
    return build("main.rs", source, "main", List.of("/usr/bin/rustc", "-O", "-o", "main", "main.rs"), Map.of());
  }

  static byte[] go(String source) throws Exception {
    return build("main.go", source, "main", List.of("/usr/bin/go", "build", "-o", "main", "main.go"),
        Map.of("GO111MODULE", "off", "CGO_ENABLED", "0"));
  }

  /** javac; returns the class file {@code className}.class. */
  static byte[] javac(String className, String source) throws Exception {
    return build(className + ".java", source, className + ".class",
        List.of("/usr/bin/javac", "-d", ".", className + ".java"), Map.of());
  }

  private static byte[] build(String file, String source, String artifact, List<String> argv, Map<String, String> env)
      throws Exception {
    Path dir = Files.createTempDirectory("sandpit-compile-");
    try {
      Files.writeString(dir.resolve(file), source, StandardCharsets.UTF_8);
      ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(argv)).directory(dir.toFile()).redirectErrorStream(true);
      // a private HOME and Go cache: nothing of the build leaks into (or depends on) the host's
      Path home = Files.createDirectories(dir.resolve(".home"));
      pb.environment().put("HOME", home.toString());
      pb.environment().put("GOCACHE", home.resolve("gocache").toString());
      pb.environment().put("PATH", "/usr/bin:/bin");
      pb.environment().putAll(env);
      Process p = pb.start();
      byte[] log = p.getInputStream().readAllBytes();
      if (!p.waitFor(180, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(argv + " did not finish");
      }
      if (p.exitValue() != 0) {
        throw new AssertionError(argv + " failed: " + new String(log, StandardCharsets.UTF_8));
      }
      return Files.readAllBytes(dir.resolve(artifact));
    } finally {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(q -> q.toFile().delete());
      } catch (IOException ignored) {
        // leftover temp files are harmless
      }
    }
  }
}
