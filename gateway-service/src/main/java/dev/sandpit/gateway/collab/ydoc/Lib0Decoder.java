package dev.sandpit.gateway.collab.ydoc;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * lib0's binary decoder (lib0/decoding.js), the counterpart of {@link Lib0Encoder}. Every read past the end, or of
 * malformed data, throws {@link IllegalArgumentException}.
 */
public final class Lib0Decoder {
    /** JavaScript's {@code undefined} as a lib0 "any" value. */
    public static final Object UNDEFINED = new Object() {
        @Override
        public String toString() {
            return "undefined";
        }
    };
    /** Largest integer JavaScript holds exactly (Number.MAX_SAFE_INTEGER); lib0 refuses varUints above it. */
    static final long MAX_SAFE_INTEGER = (1L << 53) - 1;
    private static final int BIT8 = 0x80;
    private static final int BIT7 = 0x40;
    private static final int BITS7 = 0x7F;
    private static final int BITS6 = 0x3F;
    private static final int BIGINT_BYTES = 8;

    private final byte[] buf;
    private int pos;

    public Lib0Decoder(byte[] buf) {
        this.buf = buf;
    }

    public boolean hasContent() {
        return pos < buf.length;
    }

    public int position() {
        return pos;
    }

    public int readUint8() {
        if (pos >= buf.length) {
            throw new IllegalArgumentException("unexpected end of lib0 data at " + pos);
        }
        return buf[pos++] & 0xFF;
    }

    public byte[] readUint8Array(int len) {
        if (len < 0 || len > buf.length - pos) {
            throw new IllegalArgumentException("unexpected end of lib0 data: " + len + " bytes wanted at " + pos);
        }
        byte[] r = new byte[len];
        System.arraycopy(buf, pos, r, 0, len);
        pos += len;
        return r;
    }

    public long readVarUint() {
        long num = 0;
        int shift = 0;
        while (true) {
            int r = readUint8();
            num |= (long) (r & BITS7) << shift;
            shift += 7;
            if (r < BIT8) {
                return num;
            }
            if (shift > 53) {
                throw new IllegalArgumentException("varUint out of range at " + pos);
            }
        }
    }

    public long readVarInt() {
        int r = readUint8();
        long num = r & BITS6;
        int shift = 6;
        boolean negative = (r & BIT7) != 0;
        while ((r & BIT8) != 0) {
            r = readUint8();
            num |= (long) (r & BITS7) << shift;
            shift += 7;
            if (shift > 60) {
                throw new IllegalArgumentException("varInt out of range at " + pos);
            }
        }
        return negative ? -num : num;
    }

    public byte[] readVarUint8Array() {
        long len = readVarUint();
        if (len > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("byte array too long: " + len);
        }
        return readUint8Array((int) len);
    }

    /** Strict UTF-8, as lib0's TextDecoder ({fatal: true, ignoreBOM: true}): a BOM is kept, bad bytes throw. */
    public String readVarString() {
        byte[] bytes = readVarUint8Array();
        try {
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return cb.toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("string is not valid UTF-8 at " + pos, e);
        }
    }

    public float readFloat32() {
        return ByteBuffer.wrap(readUint8Array(Float.BYTES)).getFloat();
    }

    public double readFloat64() {
        return ByteBuffer.wrap(readUint8Array(Double.BYTES)).getDouble();
    }

    public BigInteger readBigInt64() {
        return BigInteger.valueOf(ByteBuffer.wrap(readUint8Array(BIGINT_BYTES)).getLong());
    }

    /** lib0 readAny; see {@link Lib0Encoder#writeAny} for the Java types. Integers come back as Long. */
    public Object readAny() {
        int tag = readUint8();
        switch (tag) {
            case Lib0Encoder.ANY_UNDEFINED:
                return UNDEFINED;
            case Lib0Encoder.ANY_NULL:
                return null;
            case Lib0Encoder.ANY_INTEGER:
                return readVarInt();
            case Lib0Encoder.ANY_FLOAT32:
                return readFloat32();
            case Lib0Encoder.ANY_FLOAT64:
                return readFloat64();
            case Lib0Encoder.ANY_BIGINT:
                return readBigInt64();
            case Lib0Encoder.ANY_FALSE:
                return Boolean.FALSE;
            case Lib0Encoder.ANY_TRUE:
                return Boolean.TRUE;
            case Lib0Encoder.ANY_STRING:
                return readVarString();
            case Lib0Encoder.ANY_OBJECT: {
                long n = readVarUint();
                Map<String, Object> m = new LinkedHashMap<>();
                for (long i = 0; i < n; i++) {
                    String k = readVarString();
                    m.put(k, readAny());
                }
                return m;
            }
            case Lib0Encoder.ANY_ARRAY: {
                long n = readVarUint();
                List<Object> l = new ArrayList<>();
                for (long i = 0; i < n; i++) {
                    l.add(readAny());
                }
                return l;
            }
            case Lib0Encoder.ANY_BYTES:
                return readVarUint8Array();
            default:
                throw new IllegalArgumentException("unknown lib0 any tag " + tag + " at " + (pos - 1));
        }
    }
}
