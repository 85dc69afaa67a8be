package dev.sandpit.worker;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Whether a compiled program carries a sanitizer runtime that checks for leaks at exit
 * (AddressSanitizer, LeakSanitizer), read from the program itself: its symbol tables name the
 * runtime's init ({@code __asan_init}, {@code __lsan_init}; gcc's programs call libasan/liblsan,
 * clang's carry the runtime). UBSan alone has no leak checker and names neither. Whatever
 * built it (compiler flags, a Makefile, CMake), such a program needs a sandbox that allows ptrace,
 * or LeakSanitizer dies with "fatal error" instead of reporting.
 */
public final class SanitizerRuntime {
  private SanitizerRuntime() {}

  private static final byte[][] MARKERS = {
    "__asan_init".getBytes(StandardCharsets.US_ASCII),
    "__lsan_init".getBytes(StandardCharsets.US_ASCII),
  };

  public static boolean checksLeaks(Map<String, byte[]> artifacts) {
    for (byte[] b : artifacts.values()) {
      if (isElf(b) && containsAny(b)) return true;
    }
    return false;
  }

  static boolean isElf(byte[] b) {
    return b.length > 4 && b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F';
  }

  /** One pass over the bytes, looking for any marker (they all start with '_'). */
  static boolean containsAny(byte[] b) {
    for (int i = 0; i < b.length; i++) {
      byte c = b[i];
      if (c != '_') continue;
      for (byte[] m : MARKERS) {
        if (m[0] == c && i + m.length <= b.length && regionEquals(b, i, m)) return true;
      }
    }
    return false;
  }

  private static boolean regionEquals(byte[] b, int at, byte[] m) {
    for (int j = 1; j < m.length; j++) {
      if (b[at + j] != m[j]) return false;
    }
    return true;
  }
}
