package dev.sandpit.gateway.jobs;

import dev.sandpit.gateway.SessionConfig;
import dev.sandpit.gateway.feed.SessionEvents;
import dev.sandpit.gateway.store.Chunk;
import dev.sandpit.gateway.store.FileContent;
import dev.sandpit.gateway.store.FileMeta;
import dev.sandpit.gateway.store.RunEnd;
import dev.sandpit.gateway.store.RunRecord;
import dev.sandpit.gateway.store.SessionAccess;
import dev.sandpit.gateway.store.SessionSettings;
import dev.sandpit.gateway.store.Store;
import dev.sandpit.gateway.store.StoreException;
import dev.sandpit.protocol.ClientMessage;
import dev.sandpit.protocol.CompilerFlags;
import dev.sandpit.protocol.Codec;
import dev.sandpit.protocol.ErrorCode;
import dev.sandpit.protocol.JobSpec;
import dev.sandpit.protocol.Keys;
import dev.sandpit.protocol.Language;
import dev.sandpit.protocol.ProtocolException;
import dev.sandpit.protocol.ServerEvent;
import dev.sandpit.protocol.SourceFile;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs of a session: the job is built from the session's files, recorded in the history (files
 * snapshot, stdin as typed, the transcript written in batches as the run goes, the end), and the
 * files the program wrote come back into the session when it ends.
 */
public final class SessionRuns {
  private static final Logger log = LoggerFactory.getLogger(SessionRuns.class);

  private final Vertx vertx;
  private final Store store;
  private final Redis redis;
  private final SessionEvents events;
  private final SessionConfig config;
  private final UserLimits limits;

  public SessionRuns(Vertx vertx, Store store, Redis redis, SessionEvents events, SessionConfig config, UserLimits limits) {
    this.vertx = vertx;
    this.store = store;
    this.redis = redis;
    this.events = events;
    this.config = config;
    this.limits = limits;
  }

  public UserLimits limits() {
    return limits;
  }

  /** What a session run needs before it is queued. */
  public record Prepared(SessionAccess access, Language language, List<SourceFile> files, SessionSettings settings) {}

  /**
   * The run as the session's settings complete it: a compiler or flags the request does not name
   * are the session's, when they fit the run's language (a session whose language changed keeps
   * settings of the other one: those are left out, not refused).
   */
  public static ClientMessage.Execute withSettings(ClientMessage.Execute m, Language lang, SessionSettings s) {
    if (s == null || !CompilerFlags.cFamily(lang)) return m;
    String compiler = m.compiler();
    if (compiler == null && s.compiler() != null && lang.compiler(s.compiler()) != null) compiler = s.compiler();
    List<String> flags = m.compilerFlags();
    if (flags == null && !s.compilerFlags().isEmpty() && s.compilerFlags().stream().allMatch(f -> CompilerFlags.refusal(lang, f) == null)) {
      flags = s.compilerFlags();
    }
    if (compiler == m.compiler() && flags == m.compilerFlags()) return m;
    return new ClientMessage.Execute(m.language(), m.code(), m.files(), m.stdin(), m.args(), m.limits(), flags, m.requestId(),
        m.sessionId(), m.main(), compiler);
  }

  /** Blocking: check the role (runner at least), load the files, choose the main file. */
  public Prepared load(String userId, ClientMessage.Execute m) {
    SessionAccess a = SessionAccess.require(store.access(m.sessionId(), userId), SessionAccess.RUNNER);
    Language lang = JobSubmitter.language(m.language() != null ? m.language() : a.session().language());
    List<SourceFile> files = new ArrayList<>();
    for (FileMeta meta : store.listFiles(a.session().id())) {
      FileContent f = store.readFile(a.session().id(), meta.path()).orElse(null);
      if (f == null) continue;
      files.add(meta.binary()
          ? new SourceFile(meta.path(), Base64.getEncoder().encodeToString(f.content()), "base64")
          : new SourceFile(meta.path(), new String(f.content(), StandardCharsets.UTF_8)));
    }
    if (m.code() != null) {
      // code sent with a session (the terminal's command): run it as the main file, next to the
      // session's files, without saving it
      String name = m.main() != null ? m.main() : ".sandpit-command" + lang.main().substring(lang.main().lastIndexOf('.'));
      files.removeIf(f -> f.name().equals(name));
      // a shell command file removes itself first (bash reads on from the open file), on its own
      // line 1 so that bash's messages keep the command's line numbers: `ls -a` shows the session's files only
      String code = m.main() == null && lang.id().equals("bash") ? "rm -f -- \"$0\"; " + m.code() : m.code();
      files.add(0, new SourceFile(name, code));
      return new Prepared(a, lang, files, settings(a));
    }
    String main = m.main() != null ? m.main() : mainOf(lang, files);
    SourceFile mainFile = files.stream().filter(f -> f.name().equals(main)).findFirst()
        .orElseThrow(() -> new ProtocolException(ErrorCode.INVALID_FIELD, "the session has no main file '" + main + "' for " + lang.id()));
    files.remove(mainFile);
    files.add(0, mainFile);
    return new Prepared(a, lang, files, settings(a));
  }

  private SessionSettings settings(SessionAccess a) {
    return store.sessionSettings(a.session().id()).orElse(SessionSettings.NONE);
  }

  /** Blocking: whether the user may see the session. */
  public boolean canSee(String userId, String sessionId) {
    return store.access(sessionId, userId).isPresent();
  }

  /**
   * Blocking: for a run of a session, the user's role in it ("" when the user may not see it);
   * null when the job is not a session run (then whoever knows its id may control it).
   */
  public String roleForRun(String userId, String jobId) {
    var run = store.run(jobId);
    if (run.isEmpty()) return null;
    if (userId == null) return "";
    return store.access(run.get().sessionId(), userId).map(SessionAccess::role).orElse("");
  }

  /**
   * The language's conventional main file if there, else the first file of the language that is an
   * entry point (languages.json {@code entryPattern}; Java: with a main method).
   */
  static String mainOf(Language lang, List<SourceFile> files) {
    for (SourceFile f : files) if (f.name().equals(lang.main())) return f.name();
    String ext = lang.main().substring(lang.main().lastIndexOf('.'));
    for (SourceFile f : files) {
      if (f.name().endsWith(ext) && lang.hasEntry(f.content())) return f.name();
    }
    return lang.main();
  }

  /** Blocking: snapshot the files (content-addressed) and open the run's history record. */
  public void open(JobSpec spec, String sessionId, String userId) {
    JsonObject manifest = new JsonObject();
    for (SourceFile f : spec.files()) manifest.put(f.name(), store.putBlob(f.bytes()));
    String snapshot = store.putBlob(manifest.encode().getBytes(StandardCharsets.UTF_8));
    store.startRun(new RunRecord(spec.jobId(), sessionId, userId, spec.language(), snapshot, spec.stdin(),
        System.currentTimeMillis(), null, null, null, null, null, null, 0, false, 0));
    String userName = store.userById(userId).map(dev.sandpit.gateway.store.User::username).orElse(null);
    events.publish(sessionId, "run_started", new JsonObject().put("job_id", spec.jobId()).put("user_id", userId).put("user_name", userName));
  }

  public Recorder recorder(String jobId, String sessionId, String ownerId, String userId) {
    return new Recorder(jobId, sessionId, ownerId, userId);
  }

  /** Writes one run's events into its history; fed by a tap on the gateway that started the run. */
  public final class Recorder {
    private static final long FLUSH_MS = 250;
    private static final int FLUSH_BYTES = 32 * 1024;
    private final String jobId, sessionId, ownerId, userId;
    private final List<Chunk> buffer = new ArrayList<>();
    private int buffered;
    private long lastSeq;
    private long timer = -1;
    private Future<Void> writes = Future.succeededFuture();
    private boolean ended;

    Recorder(String jobId, String sessionId, String ownerId, String userId) {
      this.jobId = jobId;
      this.sessionId = sessionId;
      this.ownerId = ownerId;
      this.userId = userId;
    }

    /** An event of the run, as logged (event loop). */
    public void onEvent(String json) {
      if (ended) return;
      ServerEvent e = Codec.decodeEvent(json);
      lastSeq = e.seq() == null ? lastSeq : e.seq();
      if (e instanceof ServerEvent.Output o) {
        add(new Chunk(lastSeq * 1000, o.stream(), o.data()));
      } else if (e instanceof ServerEvent.Input in) {
        // logged by whichever gateway took it, so typing from any of them is in the transcript
        add(new Chunk(lastSeq * 1000, "stdin", in.data()));
      } else if (e instanceof ServerEvent.Compile c && "error".equals(c.status())) {
        add(new Chunk(lastSeq * 1000, "compile", c.output() == null ? "" : c.output()));
      } else if (e instanceof ServerEvent.Complete c) {
        end(c);
      }
    }

    private void add(Chunk c) {
      buffer.add(c);
      buffered += c.data().length();
      if (buffered >= FLUSH_BYTES) flush();
      else if (timer < 0) timer = vertx.setTimer(FLUSH_MS, t -> {
        timer = -1;
        flush();
      });
    }

    private Future<Void> flush() {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
      if (buffer.isEmpty()) return writes;
      List<Chunk> batch = List.copyOf(buffer);
      buffer.clear();
      buffered = 0;
      writes = writes.compose(v -> vertx.<Void>executeBlocking(() -> {
        store.appendChunks(jobId, batch);
        return null;
      }, false)).recover(e -> {
        log.warn("run {}: transcript batch lost: {}", jobId, e.toString());
        return Future.succeededFuture();
      });
      return writes;
    }

    private void end(ServerEvent.Complete c) {
      ended = true;
      flush()
          .compose(v -> vertx.<Void>executeBlocking(() -> {
            store.finishRun(jobId, new RunEnd(c.status().wire(), c.exitCode(), c.executionTime(), c.cpuMs(), c.memoryKb(),
                System.currentTimeMillis()));
            return null;
          }, false))
          .compose(v -> syncFiles())
          .onComplete(ar -> {
            if (ar.failed()) log.warn("run {}: recording its end failed: {}", jobId, ar.cause().toString());
            limits.release(userId, jobId);
            events.publish(sessionId, "run_finished", new JsonObject().put("job_id", jobId).put("status", c.status().wire()));
          });
    }

    /** Files the program wrote, handed back by the executor, saved into the session. */
    private Future<Void> syncFiles() {
      return redis.send(Request.cmd(Command.HGETALL).arg(Keys.runFiles(jobId))).compose(r -> {
        Map<String, byte[]> files = dev.sandpit.bus.RedisHashes.bytes(r);
        if (files.isEmpty()) return Future.succeededFuture();
        return vertx.<List<String>>executeBlocking(() -> {
          List<String> saved = new ArrayList<>();
          for (var f : files.entrySet()) {
            try {
              store.writeFile(sessionId, f.getKey(), f.getValue(), !utf8(f.getValue()), null, config.fileLimits());
              saved.add(f.getKey());
            } catch (StoreException e) {
              log.info("run {}: file {} not saved: {}", jobId, f.getKey(), e.getMessage());
            }
          }
          return saved;
        }, false).map(saved -> {
          if (!saved.isEmpty()) events.publish(sessionId, "files_changed", new JsonObject().put("paths", new io.vertx.core.json.JsonArray(saved)).put("job_id", jobId));
          return null;
        });
      });
    }
  }

  static boolean utf8(byte[] b) {
    try {
      StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(b));
      return true;
    } catch (java.nio.charset.CharacterCodingException e) {
      return false;
    }
  }

}
