package dev.sandpit.worker.process;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Utf8ChunkerTest {
  /** Decodes {@code all} in chunks cut at random places; the pieces joined are what one decode of the whole gives. */
  private static String chunked(byte[] all, Random rnd) {
    Utf8Chunker c = new Utf8Chunker();
    StringBuilder out = new StringBuilder();
    int at = 0;
    byte[] buf = new byte[64];
    while (at < all.length) {
      int n = Math.min(all.length - at, rnd.nextInt(9));
      int off = rnd.nextInt(8); // the reader's buffer is reused: the chunk need not start at 0
      System.arraycopy(all, at, buf, off, n);
      at += n;
      out.append(c.decode(buf, off, n, false));
    }
    out.append(c.decode(buf, 0, 0, true));
    return out.toString();
  }

  @Test
  void aCharacterCutBetweenTwoReadsComesOutWholeOnce() {
    String text = "aé日😀b";
    byte[] all = text.getBytes(UTF_8);
    for (int cut = 0; cut <= all.length; cut++) {
      Utf8Chunker c = new Utf8Chunker();
      String first = c.decode(all, 0, cut, false);
      String second = c.decode(all, cut, all.length - cut, true);
      assertEquals(text, first + second, "cut at " + cut);
      assertEquals(-1, first.indexOf('\uFFFD'), "no replacement for a character still arriving, cut at " + cut);
    }
  }

  @Test
  void anyBytesInAnyChunksDecodeAsTheWholeDoes() {
    Random rnd = new Random(3);
    byte[][] pieces = {"a".getBytes(UTF_8), "é".getBytes(UTF_8), "日".getBytes(UTF_8), "😀".getBytes(UTF_8),
        {(byte) 0xff}, {(byte) 0x80}, {(byte) 0xe0, (byte) 0x80}, {(byte) 0xc0, (byte) 0xaf}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
        {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xf0, (byte) 0x9f}, {(byte) 0xe6, (byte) 0x97}, {(byte) 0xc3}, {0}};
    for (int round = 0; round < 3_000; round++) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      for (int i = rnd.nextInt(30); i > 0; i--) b.writeBytes(pieces[rnd.nextInt(pieces.length)]);
      byte[] all = b.toByteArray();
      assertEquals(new String(all, UTF_8), chunked(all, rnd), "round " + round);
    }
  }

  @Test
  void theLastChunkFlushesAnIncompleteCharacterAsOneReplacement() {
    Utf8Chunker c = new Utf8Chunker();
    assertEquals("x", c.decode(new byte[] {'x', (byte) 0xe6, (byte) 0x97}, 0, 3, false));
    assertEquals("\uFFFD", c.decode(new byte[0], 0, 0, true));
    // and the chunker is usable again afterwards
    assertEquals("é", c.decode("é".getBytes(UTF_8), 0, 2, false));
  }
}
