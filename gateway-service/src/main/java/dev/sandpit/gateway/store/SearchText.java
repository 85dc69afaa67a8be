package dev.sandpit.gateway.store;

import java.util.List;

/**
 * What the q search of listSessions keeps of a small session besides its files (migration V4):
 * {@code sessions.search_text}, the folded texts of its text files joined by {@link #SEPARATOR},
 * and {@code sessions.search_grams}, a bitmap with a bit set for every character and every pair of
 * adjacent characters of those texts. Both are NULL for a session of more than {@link #MAX_BYTES}
 * bytes of files, which the search reads file by file, and are rewritten with every change to the
 * session's files (the texts are read back: at most {@code MAX_BYTES}).
 *
 * <p>Why: a scanned q probed the files of every session one by one; for a user with 2,000 sessions
 * on PostgreSQL the probes, not the matching, were most of the time (13 of ~20 ms). One value per
 * session removes them. The bitmap answers what no index narrows, a q of 1 or 2 characters that
 * matches little: a session whose bitmap lacks q's bit cannot contain q, and its text is not read
 * (with ~600 distinct pairs in a 3 kB text, ~15% of the bits are set, so ~15% of the texts are
 * still read for a q that matches nothing; a heavy user's 2-character miss 10–17 → 2–4 ms).
 */
final class SearchText {
  /** Sessions with more bytes of files are searched file by file; this bounds what one write rewrites. */
  static final long MAX_BYTES = 32 * 1024;
  /** A noncharacter: a q without it cannot match across two files; a q with it is searched file by file. */
  static final char SEPARATOR = '\uFFFF';
  /** Bits in {@code search_grams} (512 bytes). */
  static final int GRAM_BITS = 4096;
  private SearchText() {}

  /** {@code search_text} of a session whose text files' folded texts are {@code folded}. */
  static String text(List<String> folded) {
    return String.join(String.valueOf(SEPARATOR), folded);
  }

  /** {@code search_grams} of a session whose text files' folded texts are {@code folded}. */
  static byte[] grams(List<String> folded) {
    byte[] bits = new byte[GRAM_BITS / 8];
    for (String t : folded) {
      int prev = -1;
      for (int i = 0; i < t.length(); ) {
        int cp = t.codePointAt(i);
        i += Character.charCount(cp);
        set(bits, bit(cp, -1));
        if (prev >= 0) set(bits, bit(prev, cp));
        prev = cp;
      }
    }
    return bits;
  }

  /**
   * The bit a session must have set to contain {@code folded}, for a q of 1 or 2 characters (its
   * character, or its pair); none for a longer q. The test is a get_bit a session (~0.15 µs on
   * PostgreSQL); a longer q is what the trigram index answers when it is rare, and is scanned when
   * most texts hold its pieces, where bits rule nothing out: 4 bits made such a q ~1 ms slower
   * over 2,000 sessions (psql, "k que" and "quick", medians of 15, interleaved).
   */
  static int[] queryBits(String folded) {
    int[] cps = folded.codePoints().toArray();
    if (cps.length == 1) return new int[] {bit(cps[0], -1)};
    if (cps.length == 2) return new int[] {bit(cps[0], cps[1])};
    return new int[0];
  }

  /** Bit {@code n} is bit {@code n % 8} of byte {@code n / 8}, as PostgreSQL's get_bit(bytea, n) numbers them. */
  static boolean isSet(byte[] bits, int n) {
    return (bits[n >>> 3] & (1 << (n & 7))) != 0;
  }

  private static void set(byte[] bits, int n) {
    bits[n >>> 3] |= (byte) (1 << (n & 7));
  }

  /** The bit of a character ({@code b} = -1) or of the pair {@code a b}: a 64-bit mix (MurmurHash3's finaliser) of both. */
  static int bit(int a, int b) {
    long h = ((long) a << 32) ^ (b & 0xffffffffL);
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb3fe1a85ec53L;
    h ^= h >>> 33;
    return (int) (h & (GRAM_BITS - 1));
  }
}
