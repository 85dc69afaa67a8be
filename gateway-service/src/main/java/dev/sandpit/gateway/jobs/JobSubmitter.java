package dev.sandpit.gateway.jobs;

import dev.sandpit.bus.EventLog;
import dev.sandpit.gateway.GatewayConfig;
import dev.sandpit.protocol.ClientMessage;
import dev.sandpit.protocol.Codec;
import dev.sandpit.protocol.CompilerFlags;
import dev.sandpit.protocol.ErrorCode;
import dev.sandpit.protocol.FileNames;
import dev.sandpit.protocol.JobSpec;
import dev.sandpit.protocol.Keys;
import dev.sandpit.protocol.Language;
import dev.sandpit.protocol.Languages;
import dev.sandpit.protocol.Limits;
import dev.sandpit.protocol.ProtocolException;
import dev.sandpit.protocol.RunStatus;
import dev.sandpit.protocol.ServerEvent;
import dev.sandpit.protocol.SourceFile;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Validates an {@code execute} request and puts the job on the right queue. Never runs code. */
public final class JobSubmitter {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Redis redis;
  private final GatewayConfig config;
  private final Fleet fleet;

  public JobSubmitter(Redis redis, GatewayConfig config, Fleet fleet) {
    this.redis = redis;
    this.config = config;
    this.fleet = fleet;
  }

  public static String newJobId() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** Check everything a client sent; returns the job to queue or throws a coded error. */
  public JobSpec validate(String jobId, ClientMessage.Execute m) {
    if (m.language() == null) throw new ProtocolException(ErrorCode.MISSING_FIELD, "missing field 'language'");
    Language lang = language(m.language());
    if (m.code() == null && (m.files() == null || m.files().isEmpty())) {
      throw new ProtocolException(ErrorCode.MISSING_FIELD, "missing field 'code'");
    }
    List<SourceFile> files = new ArrayList<>();
    if (m.code() != null) files.add(new SourceFile(mainName(lang, m.code()), m.code()));
    if (m.files() != null) {
      if (m.files().size() > config.maxFiles()) {
        throw new ProtocolException(ErrorCode.CODE_TOO_LARGE, "more than " + config.maxFiles() + " files");
      }
      for (SourceFile f : m.files()) {
        if (f == null || f.name() == null || f.content() == null) {
          throw new ProtocolException(ErrorCode.MISSING_FIELD, "every file needs 'name' and 'content'");
        }
        FileNames.validate(f.name());
        if (m.code() != null && f.name().equals(files.get(0).name())) {
          throw new ProtocolException(ErrorCode.INVALID_FIELD, "file '" + f.name() + "' clashes with the main file of 'code'");
        }
        files.add(f);
      }
    }
    return build(jobId, m, lang, files, false);
  }

  public static Language language(String name) {
    Language lang = Languages.find(name);
    if (lang == null) throw new ProtocolException(ErrorCode.UNKNOWN_LANGUAGE, "unknown language '" + name + "'");
    return lang;
  }

  /** The checks every run shares, whether its files came in the message or from a session. */
  public JobSpec build(String jobId, ClientMessage.Execute m, Language lang, List<SourceFile> files, boolean returnFiles) {
    long bytes = 0;
    Set<String> names = new HashSet<>();
    for (SourceFile f : files) {
      if (!names.add(f.name())) throw new ProtocolException(ErrorCode.INVALID_FIELD, "file '" + f.name() + "' appears twice");
      if ("base64".equals(f.encoding())) {
        try {
          bytes += f.bytes().length;
        } catch (IllegalArgumentException e) {
          throw new ProtocolException(ErrorCode.INVALID_FIELD, "file '" + f.name() + "' is not valid base64");
        }
      } else if (f.encoding() != null) {
        throw new ProtocolException(ErrorCode.INVALID_FIELD, "file '" + f.name() + "': encoding must be absent or base64");
      } else {
        bytes += f.content().getBytes(StandardCharsets.UTF_8).length;
      }
    }
    if (bytes > config.maxCodeBytes()) {
      throw new ProtocolException(ErrorCode.CODE_TOO_LARGE, "code is " + bytes + " bytes; the limit is " + config.maxCodeBytes());
    }
    if (m.stdin() != null && m.stdin().length() > config.maxCodeBytes()) {
      throw new ProtocolException(ErrorCode.CODE_TOO_LARGE, "stdin is over " + config.maxCodeBytes() + " bytes");
    }
    if (m.args() != null) {
      if (m.args().size() > 256) throw new ProtocolException(ErrorCode.INVALID_FIELD, "more than 256 args");
      for (String a : m.args()) {
        if (a == null || a.indexOf('\n') >= 0 || a.indexOf('\r') >= 0 || a.indexOf('\0') >= 0 || a.length() > 4096) {
          throw new ProtocolException(ErrorCode.INVALID_FIELD, "args must be strings without line breaks or NUL, at most 4096 characters");
        }
      }
    }
    // compiler flags and the compiler: one allowlist, shared with the build workers (which check again)
    List<String> flags = CompilerFlags.validate(lang, m.compilerFlags());
    Language.CompilerVariant compiler = CompilerFlags.compiler(lang, m.compiler());
    Limits limits = config.limits().resolve(m.limits());
    if (!fleet.serves(lang)) {
      throw new ProtocolException(ErrorCode.LANGUAGE_UNAVAILABLE, "no live worker serves " + lang.id() + " right now");
    }
    long now = System.currentTimeMillis();
    return new JobSpec(jobId, lang.id(), files, m.stdin(), m.args(), limits, flags, now,
        now + config.queueTimeoutMs(), null, null, returnFiles, compiler == null ? null : compiler.id());
  }

  /** The main file's name: the language's convention (languages.json {@code mainFromCode}; Java: the public class's name). */
  static String mainName(Language lang, String code) {
    return lang.mainName(code);
  }

  /** Log {@code accepted} (seq 1) and queue the job, in one atomic Redis step. */
  public Future<Void> enqueue(JobSpec spec, String requestId) {
    Language lang = Languages.find(spec.language());
    // a compiled language builds first, unless the job brings its built program
    String queue = lang.compiled() && spec.artifact() == null ? Keys.BUILD_QUEUE : Keys.EXEC_QUEUE;
    return redis.send(EventLog.acceptAndEnqueue(new ServerEvent.Accepted(null, spec.jobId(), requestId, lang.id()),
            config.eventTtlS(), queue, Codec.toJson(spec)))
        .timeout(config.redis().timeoutMs(), TimeUnit.MILLISECONDS)
        .mapEmpty();
  }

  /** A job no worker took before its queue deadline ends instead of waiting for ever (workers skip it too). */
  public void watchQueue(io.vertx.core.Vertx vertx, java.util.function.BooleanSupplier done, JobSpec spec) {
    long delay = Math.max(1, spec.queueDeadlineMs() - System.currentTimeMillis() + 1000);
    vertx.setTimer(delay, t -> {
      if (done.getAsBoolean()) return;
      redis.send(Request.cmd(Command.EXISTS).arg(Keys.owner(spec.jobId())))
          .compose(r -> r.toInteger() == 1 ? Future.succeededFuture()
              : redis.send(EventLog.append(ServerEvent.Complete.failed(spec.jobId(), RunStatus.INTERNAL_ERROR,
                  "no worker took the job within " + config.queueTimeoutMs() + " ms"), config.eventTtlS())))
          .onFailure(e -> org.slf4j.LoggerFactory.getLogger(JobSubmitter.class)
              .warn("job {}: queue check failed: {}", spec.jobId(), e.toString()));
    });
  }
}
