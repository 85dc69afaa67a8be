package dev.sandpit.worker.sandbox;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A kernel status file (cgroup or /proc) read again and again through one open descriptor: each
 * read is a single {@code pread} at offset 0, which makes the kernel's seq_file generate the
 * content afresh — no open, stat and close per look, and no allocation but the parsed values.
 * The monitor of every run reads its slot's CPU counter every few milliseconds, so this was a
 * visible part of what a run costs the worker. Not for cgroup v1 pid lists ({@code tasks},
 * {@code cgroup.procs}): the kernel keeps the list it built for a descriptor for up to a second
 * and serves it again on the next read — those are opened afresh on every read
 * ({@code reopen}). Thread-safe (one reader at a time).
 */
public final class KernFile implements AutoCloseable {
  /** The read buffer's first size; it doubles while a file does not fit. */
  private static final int INITIAL_BUFFER_BYTES = 4096;
  private static final int INITIAL_IDS = 16;
  /** A read that finds the file gone (reopen) tries once more. */
  private static final int READ_ATTEMPTS = 2;
  private final Path path;
  private final boolean reopen;
  private FileChannel channel;
  private ByteBuffer buf = ByteBuffer.allocateDirect(INITIAL_BUFFER_BYTES);
  private long[] ids = new long[INITIAL_IDS];

  public KernFile(Path path) {
    this(path, false);
  }

  /** With {@code reopen}, every read opens the file anew (its content is cached per descriptor). */
  public KernFile(Path path, boolean reopen) {
    this.path = path;
    this.reopen = reopen;
  }

  /** The file's whole content as a decimal number, or -1 when it cannot be read. */
  public synchronized long readLong() {
    return parse(fill(), 1) > 0 ? ids[0] : -1;
  }

  /** The file's content as ASCII text, or null when it cannot be read. */
  public synchronized String readAscii() {
    int n = fill();
    if (n < 0) return null;
    byte[] b = new byte[n];
    buf.get(0, b);
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  /** One decimal number per line (a pid or tid list); empty when the file is gone. */
  public synchronized long[] readIds() {
    int count = parse(fill(), Integer.MAX_VALUE); // before reading ids: parsing may replace the array
    return Arrays.copyOf(ids, count);
  }

  /** Parses up to {@code max} decimal numbers from the first {@code n} bytes read into {@link #ids}; how many. */
  private int parse(int n, int max) {
    int count = 0;
    long v = 0;
    boolean any = false;
    for (int i = 0; i < n && count < max; i++) {
      byte b = buf.get(i);
      if (b >= '0' && b <= '9') {
        v = v * 10 + (b - '0');
        any = true;
      } else if (any) {
        count = add(count, v);
        v = 0;
        any = false;
      }
    }
    return any && count < max ? add(count, v) : count;
  }

  private int add(int count, long v) {
    if (count == ids.length) ids = Arrays.copyOf(ids, count * 2);
    ids[count] = v;
    return count + 1;
  }

  /** Reads the whole file into {@link #buf} (grown as needed); its length, or -1 when unreadable. */
  private int fill() {
    try {
      return fillOnce();
    } finally {
      if (reopen) close();
    }
  }

  private int fillOnce() {
    for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      try {
        if (channel == null) channel = FileChannel.open(path, StandardOpenOption.READ);
        buf.clear();
        int total = 0;
        while (true) {
          int n = channel.read(buf, total);
          if (n <= 0) return total;
          total += n;
          if (!buf.hasRemaining()) {
            ByteBuffer bigger = ByteBuffer.allocateDirect(buf.capacity() * 2);
            buf.flip();
            bigger.put(buf);
            buf = bigger;
          }
        }
      } catch (NoSuchFileException e) {
        return -1;
      } catch (IOException e) {
        // a descriptor gone stale (the cgroup was removed and made again): reopen once
        close();
      }
    }
    return -1;
  }

  @Override
  public synchronized void close() {
    if (channel == null) return;
    try {
      channel.close();
    } catch (IOException ignored) {
      // nothing to release
    }
    channel = null;
  }
}
