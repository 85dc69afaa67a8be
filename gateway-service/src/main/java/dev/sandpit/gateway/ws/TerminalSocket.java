package dev.sandpit.gateway.ws;

import dev.sandpit.bus.InputLog;
import dev.sandpit.gateway.feed.Feeds;
import dev.sandpit.gateway.feed.Tap;
import dev.sandpit.gateway.jobs.JobSubmitter;
import dev.sandpit.gateway.jobs.SessionRunner;
import dev.sandpit.gateway.store.SessionAccess;
import dev.sandpit.gateway.store.Store;
import dev.sandpit.protocol.ClientMessage;
import dev.sandpit.protocol.Codec;
import dev.sandpit.protocol.ProtocolException;
import dev.sandpit.protocol.ServerEvent;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seed 000's terminal, {@code /v1/sessions/:id/terminal?token=}: each {@code command} runs as a
 * Bash run of the session (in its workspace, recorded in its history, files it writes kept); a
 * {@code command} sent while one runs is typed into it; {@code interrupt} stops it; {@code resize}
 * is accepted and ignored (programs see pipes, not a terminal). Server messages: output, error,
 * prompt, exit.
 */
public final class TerminalSocket {
  private static final Logger log = LoggerFactory.getLogger(TerminalSocket.class);

  private final Vertx vertx;
  private final ServerWebSocket ws;
  private final Redis redis;
  private final Feeds feeds;
  private final SessionRunner runner;
  private final Store store;
  private final String userId;
  private final ServerEvent.By user;
  private final String sessionId;
  private final long eventTtlS;
  private final long timeoutMs;
  private Tap current;
  private List<String> starting;
  private boolean interruptPending;
  private boolean closed;

  public TerminalSocket(Vertx vertx, ServerWebSocket ws, Redis redis, Feeds feeds, SessionRunner runner, Store store, ServerEvent.By user,
      String sessionId, long eventTtlS, long timeoutMs) {
    this.vertx = vertx;
    this.ws = ws;
    this.redis = redis;
    this.feeds = feeds;
    this.runner = runner;
    this.store = store;
    this.user = user;
    this.userId = user.id();
    this.sessionId = sessionId;
    this.eventTtlS = eventTtlS;
    this.timeoutMs = timeoutMs;
  }

  public void start() {
    ws.closeHandler(v -> {
      closed = true;
      if (current != null) feeds.detach(current);
    });
    ws.textMessageHandler(this::onText);
    vertx.executeBlocking(() -> store.access(sessionId, userId), false).onSuccess(a -> {
      if (a.isEmpty()) {
        send(new JsonObject().put("type", "error").put("message", "no such session"));
        ws.close((short) 4404, "no such session");
      } else if (!SessionAccess.atLeast(a.get().role(), SessionAccess.RUNNER)) {
        send(new JsonObject().put("type", "error").put("message", "your role (" + a.get().role() + ") may not run commands"));
        ws.close((short) 4403, "forbidden");
      } else {
        send(new JsonObject().put("type", "prompt"));
      }
    }).onFailure(e -> ws.close((short) 4503, "store unavailable"));
  }

  private void onText(String text) {
    JsonObject m;
    try {
      m = new JsonObject(text);
    } catch (DecodeException e) {
      send(new JsonObject().put("type", "error").put("message", "malformed JSON"));
      return;
    }
    String type = m.getValue("type") instanceof String s ? s : "";
    switch (type) {
      case "command" -> {
        if (!(m.getValue("command") instanceof String cmd)) {
          send(new JsonObject().put("type", "error").put("message", "'command' must be a string"));
        } else if (starting != null) {
          starting.add(cmd + "\n"); // typed while the command starts: it is meant for the command
        } else if (current != null && !current.done()) {
          input(cmd + "\n");
        } else {
          run(cmd);
        }
      }
      case "interrupt" -> {
        if (starting != null) interruptPending = true;
        else if (current != null && !current.done()) interrupt(current.jobId());
      }
      case "resize" -> { }
      default -> send(new JsonObject().put("type", "error").put("message", "unknown message type '" + type + "'"));
    }
  }

  private void run(String command) {
    String jobId = JobSubmitter.newJobId();
    ClientMessage.Execute ex = new ClientMessage.Execute("bash", command, null, null, null, null, null, null, sessionId, null);
    starting = new ArrayList<>();
    runner.start(userId, jobId, ex).onSuccess(spec -> {
      Tap tap = new Tap(jobId, 0, redis, timeoutMs, this::onEvent, t -> feeds.detach(t));
      current = tap;
      List<String> typed = starting;
      starting = null;
      typed.forEach(this::input);
      if (interruptPending) interrupt(jobId);
      interruptPending = false;
      feeds.attach(tap).onSuccess(v -> tap.fill());
    }).onFailure(e -> {
      starting = null;
      interruptPending = false;
      send(new JsonObject().put("type", "error").put("message", e instanceof ProtocolException ? e.getMessage() : "the command could not be started"));
      send(new JsonObject().put("type", "prompt"));
    });
  }

  private void interrupt(String jobId) {
    redis.send(InputLog.append(jobId, new ClientMessage.Stop(null), eventTtlS))
        .onFailure(e -> log.debug("terminal interrupt lost: {}", e.toString()));
  }

  private void input(String data) {
    redis.send(InputLog.appendInput(current.jobId(), data, user, eventTtlS))
        .onFailure(e -> log.debug("terminal input lost: {}", e.toString()));
  }

  private void onEvent(String json) {
    ServerEvent e = Codec.decodeEvent(json);
    if (e instanceof ServerEvent.Output o) {
      send(new JsonObject().put("type", "output").put("content", o.data()).put("stream", o.stream()));
    } else if (e instanceof ServerEvent.Complete c) {
      if (c.message() != null && !"ok".equals(c.status().wire())) send(new JsonObject().put("type", "error").put("message", c.message()));
      send(new JsonObject().put("type", "exit").put("code", c.exitCode() == null ? -1 : c.exitCode()).put("status", c.status().wire()));
      send(new JsonObject().put("type", "prompt"));
    }
  }

  private void send(JsonObject o) {
    if (!closed) ws.writeTextMessage(o.encode());
  }
}
