package dev.sandpit.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * One file of a multi-file program; {@code name} is a relative path inside the workspace.
 * {@code encoding} is null (UTF-8 text) or {@code base64} (binary content).
 */
public record SourceFile(String name, String content, String encoding) {
  public SourceFile(String name, String content) {
    this(name, content, null);
  }

  /** The bytes to write. */
  public byte[] bytes() {
    return "base64".equals(encoding)
        ? Base64.getDecoder().decode(content)
        : content.getBytes(StandardCharsets.UTF_8);
  }
}
