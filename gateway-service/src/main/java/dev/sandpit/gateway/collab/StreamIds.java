package dev.sandpit.gateway.collab;

/** Redis stream entry ids ({@code <ms>-<seq>}), compared as numbers. */
final class StreamIds {
  private StreamIds() {}

  /** Before every real entry. */
  static final String ZERO = "0-0";

  static int compare(String a, String b) {
    long[] x = parse(a);
    long[] y = parse(b);
    int c = Long.compare(x[0], y[0]);
    return c != 0 ? c : Long.compare(x[1], y[1]);
  }

  static String max(String a, String b) {
    return compare(a, b) >= 0 ? a : b;
  }

  /** The smallest id after {@code id}. */
  static String next(String id) {
    long[] x = parse(id);
    return x[1] == Long.MAX_VALUE ? (x[0] + 1) + "-0" : x[0] + "-" + (x[1] + 1);
  }

  private static long[] parse(String id) {
    if (id == null) return new long[] {0, 0};
    int dash = id.indexOf('-');
    if (dash < 0) return new long[] {Long.parseLong(id), 0};
    return new long[] {Long.parseLong(id.substring(0, dash)), Long.parseLong(id.substring(dash + 1))};
  }
}
