package dev.sandpit.executor.process;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Decodes a byte stream to text chunk by chunk without splitting a multi-byte character. */
final class Utf8Chunker {
  private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPLACE)
      .onUnmappableCharacter(CodingErrorAction.REPLACE);
  private ByteBuffer pending = ByteBuffer.allocate(0);

  String decode(byte[] buf, int off, int len, boolean last) {
    ByteBuffer in;
    if (pending.hasRemaining()) {
      in = ByteBuffer.allocate(pending.remaining() + len);
      in.put(pending).put(buf, off, len).flip();
    } else {
      in = ByteBuffer.wrap(buf, off, len);
    }
    CharBuffer out = CharBuffer.allocate((int) (in.remaining() * 1.1) + 8);
    decoder.decode(in, out, last);
    if (last) {
      decoder.flush(out);
      decoder.reset(); // a flushed decoder refuses further input (IllegalStateException)
    }
    byte[] rest = new byte[in.remaining()];
    in.get(rest);
    pending = ByteBuffer.wrap(rest);
    out.flip();
    return out.toString();
  }
}
