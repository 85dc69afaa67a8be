package dev.sandpit.gateway.collab.ydoc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** lib0 encodings, byte for byte as lib0 writes them. */
class Lib0CodecTest {

    private static byte[] bytes(int... b) {
        byte[] r = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            r[i] = (byte) b[i];
        }
        return r;
    }

    @Test
    void varUintUsesSevenBitsPerByteLowFirst() {
        Lib0Encoder e = new Lib0Encoder();
        e.writeVarUint(0);
        e.writeVarUint(127);
        e.writeVarUint(128);
        e.writeVarUint(300);
        e.writeVarUint(4294967295L);
        e.writeVarUint(Lib0Decoder.MAX_SAFE_INTEGER);
        byte[] out = e.toByteArray();
        assertArrayEquals(bytes(0, 127, 0x80, 1, 0xAC, 2, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F),
                Arrays.copyOf(out, 11));
        Lib0Decoder d = new Lib0Decoder(out);
        for (long v : new long[] {0, 127, 128, 300, 4294967295L, Lib0Decoder.MAX_SAFE_INTEGER}) {
            assertEquals(v, d.readVarUint());
        }
        assertEquals(false, d.hasContent());
    }

    @Test
    void varIntKeepsTheSignInTheFirstByte() {
        Lib0Encoder e = new Lib0Encoder();
        e.writeVarInt(-1);
        e.writeVarInt(63);
        e.writeVarInt(64);
        e.writeVarInt(-1000);
        assertArrayEquals(bytes(0x41, 0x3F, 0x80, 0x01, 0xE8, 0x0F), e.toByteArray());
        Lib0Decoder d = new Lib0Decoder(e.toByteArray());
        assertEquals(-1, d.readVarInt());
        assertEquals(63, d.readVarInt());
        assertEquals(64, d.readVarInt());
        assertEquals(-1000, d.readVarInt());
    }

    @Test
    void stringsAreUtf8WithLoneSurrogatesAsReplacementCharacters() {
        Lib0Encoder e = new Lib0Encoder();
        e.writeVarString("é😀");
        e.writeVarString("\uD83D");
        assertArrayEquals(bytes(6, 0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x80, 3, 0xEF, 0xBF, 0xBD), e.toByteArray());
        Lib0Decoder d = new Lib0Decoder(e.toByteArray());
        assertEquals("é😀", d.readVarString());
        assertEquals("\uFFFD", d.readVarString());
    }

    @Test
    void invalidUtf8AndTruncatedDataFailClearly() {
        assertThrows(IllegalArgumentException.class, () -> new Lib0Decoder(bytes(2, 0xC3, 0x28)).readVarString());
        assertThrows(IllegalArgumentException.class, () -> new Lib0Decoder(bytes(5, 'a')).readVarString());
        assertThrows(IllegalArgumentException.class, () -> new Lib0Decoder(bytes(0x80)).readVarUint());
        assertThrows(IllegalArgumentException.class, () -> new Lib0Decoder(bytes(1)).readAny());
    }

    @Test
    void anyValuesRoundTripWithLib0TypeTags() {
        Map<String, Object> obj = new LinkedHashMap<>();
        obj.put("a", List.of(1L, "x", true));
        obj.put("b", null);
        List<Object> values = Arrays.asList(null, Lib0Decoder.UNDEFINED, 42L, -7L, 1.5f, 0.1, 3300000000000.5,
                new BigInteger("-5"), false, true, "s", obj, List.of());
        Lib0Encoder e = new Lib0Encoder();
        values.forEach(e::writeAny);
        Lib0Decoder d = new Lib0Decoder(e.toByteArray());
        for (Object v : values) {
            assertEquals(v, d.readAny());
        }
        Lib0Encoder tags = new Lib0Encoder();
        tags.writeAny(42);
        tags.writeAny(1.5);
        tags.writeAny(0.1);
        tags.writeAny(new byte[] {9});
        tags.writeAny(-0.0);
        tags.writeAny(Double.NaN);
        tags.writeAny(Double.POSITIVE_INFINITY);
        tags.writeAny(1L << 40);
        // as lib0 in node: -0 is an integer with the sign bit, NaN is not float32-exact, Infinity is, 2^40 too
        assertArrayEquals(bytes(125, 42, 124, 0x3F, 0xC0, 0, 0, 123, 0x3F, 0xB9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9A,
                116, 1, 9, 125, 0x40, 123, 0x7F, 0xF8, 0, 0, 0, 0, 0, 0, 124, 0x7F, 0x80, 0, 0, 124, 0x53, 0x80, 0, 0),
                tags.toByteArray());
    }
}
