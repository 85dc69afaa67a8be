package dev.sandpit.gateway.store;

import static dev.sandpit.gateway.store.StoreException.Code.CONFLICT;
import static dev.sandpit.gateway.store.StoreException.Code.INVALID;
import static dev.sandpit.gateway.store.StoreException.Code.NOT_FOUND;
import static java.nio.charset.StandardCharsets.UTF_8;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/** The history section of {@link Store} over JDBC: content-addressed blobs, runs and their transcripts. */
final class JdbcRuns extends JdbcSection {
  private final long transcriptCap;

  JdbcRuns(Database db, LongSupplier clock, long transcriptCap) {
    super(db, clock);
    this.transcriptCap = transcriptCap;
  }

  public String putBlob(byte[] content) {
    if (content == null) throw new StoreException(INVALID, "no content");
    String hash = sha256(content);
    long now = now();
    // most puts are of bytes already stored and put lately (unchanged files): a read, which does not wait for the writer
    Long putAt = db.read(c -> one(c, "SELECT put_at FROM blobs WHERE hash = ?", rs -> rs.getLong(1), hash));
    if (putAt != null && putAt >= now - Store.BLOB_GRACE_MS / 2) return hash;
    // new bytes, or bytes put long ago that the sweep may be about to take: vouched for again (or stored again if it just did)
    db.write(c -> {
      if (putAt != null && update(c, "UPDATE blobs SET put_at = ? WHERE hash = ? AND put_at < ?", now, hash, now) > 0) return null;
      return update(c, "INSERT INTO blobs (hash, data, size, created_at, put_at) VALUES (?, ?, ?, ?, ?) "
          + "ON CONFLICT (hash) DO UPDATE SET put_at = excluded.put_at", hash, content, (long) content.length, now, now);
    });
    return hash;
  }

  /**
   * Deletes blobs no run references that were last put more than {@link #Store.BLOB_GRACE_MS} ago, in
   * batches of {@value #SWEEP_BATCH}. Why this is safe next to runs being started (without locks):
   * a run puts its file blobs and its manifest, then starts, referencing the manifest; putBlob keeps
   * {@code put_at} at most half the grace behind any put. So a blob deleted here was last put more
   * than half the grace ago, and a run that put it has long started (its reference is seen by the
   * DELETE, and its manifest was indexed into {@code blob_refs} before it; on PostgreSQL the foreign
   * key of runs.snapshot would refuse the delete anyway). The two steps below must take less than
   * half the grace (they take seconds).
   */
  public int deleteUnreferencedBlobs(int max) {
    if (max <= 0) return 0;
    indexSnapshots();
    long before = now() - Store.BLOB_GRACE_MS;
    int deleted = 0;
    while (deleted < max) {
      int batch = Math.min(SWEEP_BATCH, max - deleted);
      int n = db.write(c -> update(c, "DELETE FROM blobs WHERE hash IN (SELECT b.hash FROM blobs b WHERE b.put_at < ? "
          + "AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.snapshot = b.hash) "
          + "AND NOT EXISTS (SELECT 1 FROM blob_refs x JOIN runs r ON r.snapshot = x.blob WHERE x.ref = b.hash) LIMIT ?)", before, batch));
      deleted += n;
      if (n < batch) break;
    }
    return deleted;
  }

  static final int SWEEP_BATCH = 500;

  /** Writes the blob_refs of every run snapshot that has none yet (a row for the manifest itself marks it done). */
  private void indexSnapshots() {
    String after = "";
    while (true) {
      String from = after;
      List<String> manifests = db.read(c -> list(c, "SELECT DISTINCT r.snapshot FROM runs r WHERE r.snapshot > ? "
          + "AND NOT EXISTS (SELECT 1 FROM blob_refs x WHERE x.blob = r.snapshot AND x.ref = r.snapshot) ORDER BY r.snapshot LIMIT ?",
          rs -> rs.getString(1), from, SWEEP_BATCH));
      for (String m : manifests) {
        Set<String> refs = new TreeSet<>(manifestRefs(blob(m).orElse(new byte[0])));
        refs.add(m);
        try {
          db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO blob_refs (blob, ref) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
              for (String r : refs) {
                bind(ps, m, r);
                ps.addBatch();
              }
              ps.executeBatch();
            }
            return null;
          });
        } catch (StoreException e) {
          if (e.code() != NOT_FOUND) throw e; // the manifest went meanwhile (its runs were deleted): nothing to keep
        }
      }
      if (manifests.size() < SWEEP_BATCH) return;
      after = manifests.get(manifests.size() - 1);
    }
  }

  /** The blob hashes a snapshot manifest (JSON object path → hash) names; none if it is not one. */
  static Set<String> manifestRefs(byte[] manifest) {
    Set<String> out = new HashSet<>();
    try {
      for (var e : new JsonObject(new String(manifest, UTF_8))) {
        if (e.getValue() instanceof String h && h.matches("[0-9a-f]{64}")) out.add(h);
      }
    } catch (DecodeException notAManifest) {
      // not a JSON object: a snapshot that names nothing
    }
    return out;
  }

  public Optional<byte[]> blob(String hash) {
    if (hash == null) return Optional.empty();
    return Optional.ofNullable(db.read(c -> one(c, "SELECT data FROM blobs WHERE hash = ?", rs -> {
      byte[] b = rs.getBytes(1);
      return b == null ? new byte[0] : b;
    }, hash)));
  }

  public void startRun(RunRecord run) {
    if (run == null) throw new StoreException(INVALID, "no run");
    id("id", run.id());
    id("sessionId", run.sessionId());
    id("userId", run.userId());
    name("language", run.language(), MAX_LANGUAGE_CHARS);
    if (run.snapshot() != null) id("snapshot", run.snapshot());
    String status = run.status() == null ? "running" : run.status();
    name("status", status, MAX_LANGUAGE_CHARS);
    long cap = run.transcriptCap() > 0 ? Math.min(run.transcriptCap(), transcriptCap) : transcriptCap;
    byte[] stdin = run.stdin() == null ? null : run.stdin().getBytes(UTF_8);
    db.write(c -> {
      if (!exists(c, "SELECT 1 FROM sessions WHERE id = ?", run.sessionId())) throw new StoreException(NOT_FOUND, "session not found");
      if (!exists(c, "SELECT 1 FROM users WHERE id = ?", run.userId())) throw new StoreException(NOT_FOUND, "user not found");
      if (run.snapshot() != null && !exists(c, "SELECT 1 FROM blobs WHERE hash = ?", run.snapshot())) {
        throw new StoreException(NOT_FOUND, "snapshot blob not found");
      }
      int n = update(c, "INSERT INTO runs (" + RUN_COLS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?) ON CONFLICT DO NOTHING",
          run.id(), run.sessionId(), run.userId(), run.language(), run.snapshot(), stdin, run.startedAt(), status,
          run.exitCode(), run.wallMs(), run.cpuMs(), run.memoryKb(), run.endedAt(), false, cap);
      if (n == 0) throw new StoreException(CONFLICT, "run already exists");
      return null;
    });
  }

  public void appendChunks(String runId, List<Chunk> chunks) {
    id("runId", runId);
    if (chunks == null || chunks.isEmpty()) return;
    List<Chunk> sorted = new ArrayList<>(chunks.size());
    for (Chunk ch : chunks) {
      if (ch == null || ch.data() == null) throw new StoreException(INVALID, "chunk without data");
      name("stream", ch.stream(), 32);
      sorted.add(ch);
    }
    sorted.sort(Comparator.comparingLong(Chunk::seq));
    db.write(c -> {
      long[] state = one(c, "SELECT transcript_bytes, transcript_cap, transcript_capped FROM runs WHERE id = ?" + db.lockClause(),
          rs -> new long[] {rs.getLong(1), rs.getLong(2), rs.getBoolean(3) ? 1 : 0}, runId);
      if (state == null) throw new StoreException(NOT_FOUND, "run not found");
      long used = state[0], cap = state[1];
      boolean capped = state[2] != 0;
      if (capped) return null;
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO run_chunks (run_id, seq, stream, data) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
        for (Chunk ch : sorted) {
          byte[] data = ch.data().getBytes(UTF_8);
          long room = cap - used;
          if (data.length > room) {
            data = cutUtf8(data, (int) Math.max(0, room));
            capped = true;
          }
          if (data.length > 0 || !capped) {
            bind(ps, runId, ch.seq(), ch.stream(), data);
            if (ps.executeUpdate() > 0) used += data.length;
          }
          if (capped) break;
        }
      }
      update(c, "UPDATE runs SET transcript_bytes = ?, transcript_capped = ? WHERE id = ?", used, capped, runId);
      return null;
    });
  }

  public void finishRun(String runId, RunEnd end) {
    id("runId", runId);
    if (end == null) throw new StoreException(INVALID, "no end");
    name("status", end.status(), MAX_LANGUAGE_CHARS);
    db.write(c -> {
      int n = update(c, "UPDATE runs SET status = ?, exit_code = ?, wall_ms = ?, cpu_ms = ?, memory_kb = ?, ended_at = ? WHERE id = ? AND ended_at IS NULL",
          end.status(), end.exitCode(), end.wallMs(), end.cpuMs(), end.memoryKb(), end.endedAt(), runId);
      if (n == 0 && !exists(c, "SELECT 1 FROM runs WHERE id = ?", runId)) throw new StoreException(NOT_FOUND, "run not found");
      return null;
    });
  }

  public Page<RunRecord> listRuns(String sessionId, int offset, int limit) {
    int lim = pageLimit(offset, limit);
    if (sessionId == null) return new Page<>(List.of(), 0, offset, lim);
    return db.snapshot(c -> {
      List<RunRecord> items = list(c, "SELECT " + RUN_COLS + " FROM runs WHERE session_id = ? ORDER BY started_at DESC, id DESC LIMIT ? OFFSET ?",
          JdbcSection::run, sessionId, lim, offset);
      long total = total(c, items.size(), offset, lim, "SELECT COUNT(*) FROM runs WHERE session_id = ?", sessionId);
      return new Page<>(items, total, offset, lim);
    });
  }

  public List<RunRecord> unfinishedRuns(long startedBefore, int limit) {
    int lim = Math.max(1, Math.min(limit, 1000));
    return db.read(c -> list(c, "SELECT " + RUN_COLS + " FROM runs WHERE ended_at IS NULL AND started_at < ? ORDER BY started_at LIMIT ?",
        JdbcSection::run, startedBefore, lim));
  }

  public Optional<RunRecord> run(String runId) {
    if (runId == null) return Optional.empty();
    return Optional.ofNullable(db.read(c -> one(c, "SELECT " + RUN_COLS + " FROM runs WHERE id = ?", JdbcSection::run, runId)));
  }

  public List<Chunk> chunks(String runId) {
    if (runId == null) return List.of();
    return db.read(c -> list(c, "SELECT seq, stream, data FROM run_chunks WHERE run_id = ? ORDER BY seq",
        rs -> new Chunk(rs.getLong(1), rs.getString(2), utf8(rs.getBytes(3))), runId));
  }
}
