package dev.sandpit.build.cache;

import dev.sandpit.protocol.SourceFile;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/** Content address of a build: compiler and its version, flags, every input file. */
public final class ArtifactKey {
  private ArtifactKey() {}

  public static String of(String language, String toolchainVersion, List<String> compileCommand, List<String> flags,
      List<SourceFile> files) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      field(d, "sandpit-build-v1");
      field(d, language);
      field(d, toolchainVersion);
      for (String c : compileCommand) field(d, c);
      field(d, "--flags--");
      for (String f : flags) field(d, f);
      List<SourceFile> sorted = new ArrayList<>(files);
      sorted.sort(Comparator.comparing(SourceFile::name));
      field(d, sorted.isEmpty() ? "" : files.get(0).name()); // which one is main matters
      for (SourceFile f : sorted) {
        field(d, f.name());
        field(d, String.valueOf(f.encoding()));
        field(d, f.content());
      }
      return HexFormat.of().formatHex(d.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void field(MessageDigest d, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    d.update(Integer.toString(b.length).getBytes(StandardCharsets.US_ASCII));
    d.update((byte) ':');
    d.update(b);
  }
}
