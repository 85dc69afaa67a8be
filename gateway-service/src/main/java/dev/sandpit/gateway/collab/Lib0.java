package dev.sandpit.gateway.collab;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * lib0's binary encoding as y-protocols uses it: unsigned LEB128 integers ({@code writeVarUint}),
 * length-prefixed byte arrays ({@code writeVarUint8Array}) and UTF-8 strings ({@code writeVarString}).
 */
final class Lib0 {
  private Lib0() {}

  /** The largest integer a varuint here may carry: 2^53 - 1, JavaScript's safe integers (client ids, clocks). */
  static final long MAX_SAFE_INTEGER = (1L << 53) - 1;
  private static final int SEVEN_BITS = 0x7f;
  private static final int CONTINUE_BIT = 0x80;
  private static final int MAX_VARUINT_SHIFT = 63;

  /** A malformed or truncated message. */
  static final class MalformedException extends RuntimeException {
    MalformedException(String message) {
      super(message);
    }
  }

  static final class Encoder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Encoder varUint(long n) {
      if (n < 0) throw new IllegalArgumentException("negative varuint " + n);
      while (n > SEVEN_BITS) {
        out.write((int) (CONTINUE_BIT | (n & SEVEN_BITS)));
        n >>>= 7;
      }
      out.write((int) n);
      return this;
    }

    Encoder varBytes(byte[] b) {
      varUint(b.length);
      out.write(b, 0, b.length);
      return this;
    }

    Encoder varString(String s) {
      return varBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    byte[] toBytes() {
      return out.toByteArray();
    }
  }

  static final class Decoder {
    private final byte[] buf;
    private int pos;

    Decoder(byte[] buf) {
      this.buf = buf;
    }

    boolean hasMore() {
      return pos < buf.length;
    }

    long varUint() {
      long n = 0;
      int shift = 0;
      while (true) {
        if (pos >= buf.length) throw new MalformedException("truncated varuint");
        int b = buf[pos++] & 0xff;
        n |= (long) (b & SEVEN_BITS) << shift;
        if ((b & CONTINUE_BIT) == 0) return n;
        shift += 7;
        if (shift >= MAX_VARUINT_SHIFT) throw new MalformedException("varuint too long");
      }
    }

    byte[] varBytes() {
      long len = varUint();
      if (len > buf.length - pos) throw new MalformedException("truncated byte array");
      byte[] out = new byte[(int) len];
      System.arraycopy(buf, pos, out, 0, (int) len);
      pos += (int) len;
      return out;
    }

    String varString() {
      return new String(varBytes(), StandardCharsets.UTF_8);
    }
  }
}
