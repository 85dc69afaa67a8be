package dev.sandpit.gateway.collab.ydoc;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * lib0's binary encoder (lib0/encoding.js): variable-length unsigned and signed integers, length-prefixed UTF-8
 * strings and byte arrays, and the self-describing "any" value. Used for the Yjs update format and may be used for
 * the y-websocket framing.
 */
public final class Lib0Encoder {
    /** Largest integer lib0's writeAny writes as a varInt (binary.BITS31); larger numbers become floats. */
    static final long ANY_MAX_VARINT = 0x7FFFFFFFL;
    static final int ANY_UNDEFINED = 127;
    static final int ANY_NULL = 126;
    static final int ANY_INTEGER = 125;
    static final int ANY_FLOAT32 = 124;
    static final int ANY_FLOAT64 = 123;
    static final int ANY_BIGINT = 122;
    static final int ANY_FALSE = 121;
    static final int ANY_TRUE = 120;
    static final int ANY_STRING = 119;
    static final int ANY_OBJECT = 118;
    static final int ANY_ARRAY = 117;
    static final int ANY_BYTES = 116;
    private static final int BIT8 = 0x80;
    private static final int BIT7 = 0x40;
    private static final int BITS7 = 0x7F;
    private static final int BITS6 = 0x3F;
    private static final int REPLACEMENT_CHAR = 0xFFFD;
    private static final int BIGINT_BYTES = 8;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public void writeUint8(int b) {
        out.write(b & 0xFF);
    }

    public void writeUint8Array(byte[] bytes) {
        out.write(bytes, 0, bytes.length);
    }

    /** lib0 writeVarUint: 7 bits a byte, low bits first, high bit = more follows. */
    public void writeVarUint(long num) {
        if (num < 0) {
            throw new IllegalArgumentException("varUint must not be negative: " + num);
        }
        while (num > BITS7) {
            out.write((int) (BIT8 | (num & BITS7)));
            num >>>= 7;
        }
        out.write((int) num);
    }

    /** lib0 writeVarInt: first byte holds a sign bit (0x40) and 6 value bits, then 7 bits a byte. */
    public void writeVarInt(long num) {
        boolean negative = num < 0;
        long abs = negative ? -num : num;
        out.write((int) ((abs > BITS6 ? BIT8 : 0) | (negative ? BIT7 : 0) | (abs & BITS6)));
        abs >>>= 6;
        while (abs > 0) {
            out.write((int) ((abs > BITS7 ? BIT8 : 0) | (abs & BITS7)));
            abs >>>= 7;
        }
    }

    public void writeVarUint8Array(byte[] bytes) {
        writeVarUint(bytes.length);
        writeUint8Array(bytes);
    }

    /** lib0 writeVarString: UTF-8 as TextEncoder makes it (a lone surrogate becomes U+FFFD), length-prefixed. */
    public void writeVarString(String s) {
        writeVarUint8Array(utf8(s));
    }

    public void writeFloat32(float f) {
        writeUint8Array(ByteBuffer.allocate(Float.BYTES).putFloat(f).array());
    }

    public void writeFloat64(double d) {
        writeUint8Array(ByteBuffer.allocate(Double.BYTES).putDouble(d).array());
    }

    public void writeBigInt64(BigInteger v) {
        writeUint8Array(ByteBuffer.allocate(BIGINT_BYTES).putLong(v.longValue()).array());
    }

    /**
     * lib0 writeAny. Java values: {@code null}, {@link Lib0Decoder#UNDEFINED}, Boolean, String, Number (written as
     * JavaScript writes a number: integer up to 2^31-1 as varInt, else float32 when exact, else float64),
     * BigInteger (bigint), byte[], List (array), Map with String keys (object, in the map's order).
     */
    public void writeAny(Object v) {
        if (v == null) {
            writeUint8(ANY_NULL);
        } else if (v == Lib0Decoder.UNDEFINED) {
            writeUint8(ANY_UNDEFINED);
        } else if (v instanceof String s) {
            writeUint8(ANY_STRING);
            writeVarString(s);
        } else if (v instanceof Boolean b) {
            writeUint8(b ? ANY_TRUE : ANY_FALSE);
        } else if (v instanceof BigInteger big) {
            writeUint8(ANY_BIGINT);
            writeBigInt64(big);
        } else if (v instanceof Number n) {
            double d = n.doubleValue();
            if (isNegativeZero(d)) {
                // JavaScript's Number.isInteger(-0) holds, and lib0's varInt keeps the sign of zero
                writeUint8(ANY_INTEGER);
                writeUint8(BIT7);
            } else if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) <= ANY_MAX_VARINT) {
                writeUint8(ANY_INTEGER);
                writeVarInt((long) d);
            } else if ((double) (float) d == d) {
                writeUint8(ANY_FLOAT32);
                writeFloat32((float) d);
            } else {
                writeUint8(ANY_FLOAT64);
                writeFloat64(d);
            }
        } else if (v instanceof byte[] bytes) {
            writeUint8(ANY_BYTES);
            writeVarUint8Array(bytes);
        } else if (v instanceof List<?> list) {
            writeUint8(ANY_ARRAY);
            writeVarUint(list.size());
            for (Object o : list) {
                writeAny(o);
            }
        } else if (v instanceof Map<?, ?> map) {
            writeUint8(ANY_OBJECT);
            writeVarUint(map.size());
            for (Map.Entry<?, ?> e : map.entrySet()) {
                writeVarString((String) e.getKey());
                writeAny(e.getValue());
            }
        } else {
            throw new IllegalArgumentException("lib0 any cannot hold a " + v.getClass().getSimpleName());
        }
    }

    private static boolean isNegativeZero(double d) {
        return d == 0 && Double.doubleToRawLongBits(d) != 0;
    }

    public int length() {
        return out.size();
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }

    /** UTF-8 like the WHATWG TextEncoder: unpaired surrogates are written as U+FFFD. */
    static byte[] utf8(String s) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(s.length() + 8);
        int n = s.length();
        for (int i = 0; i < n; i++) {
            int c = s.charAt(i);
            if (Character.isHighSurrogate((char) c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                c = Character.toCodePoint((char) c, s.charAt(++i));
            } else if (Character.isSurrogate((char) c)) {
                c = REPLACEMENT_CHAR;
            }
            if (c < 0x80) {
                b.write(c);
            } else if (c < 0x800) {
                b.write(0xC0 | (c >> 6));
                b.write(0x80 | (c & 0x3F));
            } else if (c < 0x10000) {
                b.write(0xE0 | (c >> 12));
                b.write(0x80 | ((c >> 6) & 0x3F));
                b.write(0x80 | (c & 0x3F));
            } else {
                b.write(0xF0 | (c >> 18));
                b.write(0x80 | ((c >> 12) & 0x3F));
                b.write(0x80 | ((c >> 6) & 0x3F));
                b.write(0x80 | (c & 0x3F));
            }
        }
        return b.toByteArray();
    }
}
