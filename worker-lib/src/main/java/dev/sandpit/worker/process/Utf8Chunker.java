package dev.sandpit.worker.process;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.Arrays;

/**
 * Decodes a byte stream to text chunk by chunk without splitting a multi-byte character: a
 * character cut at the end of a chunk waits for the next one. Malformed bytes become U+FFFD as one
 * decode of the whole stream would make them.
 *
 * <p>Each chunk goes through {@code new String(bytes, UTF_8)}, the JDK's fastest decoder (an ASCII
 * run is copied, not decoded char by char); a CharsetDecoder into a CharBuffer and back to a String
 * was 40% of the executor's CPU while a program printed 10 MB (JFR).
 */
final class Utf8Chunker {
  private static final byte[] NONE = new byte[0];
  private byte[] pending = NONE;

  String decode(byte[] buf, int off, int len, boolean last) {
    byte[] b = buf;
    int o = off, n = len;
    if (pending.length > 0) {
      b = new byte[pending.length + len];
      System.arraycopy(pending, 0, b, 0, pending.length);
      System.arraycopy(buf, off, b, pending.length, len);
      o = 0;
      n = b.length;
    }
    int keep = last ? n : n - incompleteTail(b, o, n);
    pending = keep == n ? NONE : Arrays.copyOfRange(b, o + keep, o + n);
    return keep == 0 ? "" : new String(b, o, keep, UTF_8);
  }

  /**
   * How many bytes at the end of {@code b[off, off + len)} start a character that is not complete
   * yet: the last lead byte among the last three, when its sequence needs more bytes than follow it.
   */
  static int incompleteTail(byte[] b, int off, int len) {
    for (int i = 1; i <= Math.min(3, len); i++) {
      int c = b[off + len - i] & 0xFF;
      if ((c & 0xC0) == 0x80) continue; // a continuation byte: look further back
      int need = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 && c < 0xF0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 1;
      return need > i ? i : 0;
    }
    return 0; // three continuation bytes: complete or malformed either way
  }
}
