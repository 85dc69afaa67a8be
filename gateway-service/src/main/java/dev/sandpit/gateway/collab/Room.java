package dev.sandpit.gateway.collab;

import dev.sandpit.gateway.store.CollabDocs;
import dev.sandpit.protocol.ErrorCode;
import dev.sandpit.protocol.Keys;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One document on one gateway, while it has clients here: the document's state (stored state plus
 * the stream read so far), the local sockets and the awareness of every client, local or remote.
 * Updates from a local editor are appended to the document's Redis stream and, once appended,
 * applied and sent to the other local sockets; entries other gateways appended are read from the
 * stream (on their notice, and every poll) and sent to every local socket. Runs on the gateway's
 * event loop only.
 */
final class Room {
  private static final Logger log = LoggerFactory.getLogger(Room.class);
  /** What a client that has nothing to add sends as sync step 2: a Yjs update with no structs and no deletes. */
  static final byte[] EMPTY_UPDATE = {0, 0};
  /** Channel message: the stream has new entries. */
  static final String NOTICE_UPDATE = "u";
  /** Channel message {@code a <gateway> <base64 awareness update>}. */
  static final String NOTICE_AWARENESS = "a";
  /** Channel message {@code q <gateway>}: a gateway opened the room and asks the others for their clients' awareness. */
  static final String NOTICE_QUERY = "q";

  final String sessionId;
  final String path;
  final String streamKey;
  final String channel;
  private final Collab collab;
  /** This room's mark on the entries it appends: the gateway and which room of it (a reopened room must not skip the old one's). */
  private final String origin;
  private final Set<CollabSocket> sockets = new LinkedHashSet<>();
  private final Map<Long, Presence> awareness = new HashMap<>();
  private DocState state;
  private String lastId = StreamIds.ZERO;
  private boolean fetching;
  private boolean fetchAgain;
  private int uncompacted;

  /** One client's awareness: {@code owner} is the local socket that announced it (null: another gateway's client). */
  private record Presence(long clock, String state, CollabSocket owner, long seenAtMs) {}

  Room(Collab collab, String sessionId, String path, long instance) {
    this.collab = collab;
    this.origin = collab.gatewayId() + "." + instance;
    this.sessionId = sessionId;
    this.path = path;
    this.streamKey = Keys.collabStream(sessionId, path);
    this.channel = Keys.collabChannel(sessionId, path);
  }

  /**
   * Subscribe, then read the stream, then the stored state (in that order: the compactor saves
   * before it trims, so the stored state covers whatever was trimmed since the read).
   */
  Future<Room> open() {
    return collab.subscriber().subscribe(List.of(channel), this::onNotice)
        .compose(v -> collab.readStream(streamKey, StreamIds.ZERO))
        .compose(entries -> collab.vertx().executeBlocking(() -> collab.docs().load(sessionId, path), false)
            .map(doc -> {
              load(doc, entries);
              return this;
            }))
        .andThen(ar -> {
          if (ar.failed()) return;
          fetch(); // notices that came while loading were not acted on
          publish(NOTICE_QUERY + " " + collab.gatewayId());
        });
  }

  private void load(Optional<CollabDocs.Doc> doc, List<StreamEntry> entries) {
    String storedId = doc.map(CollabDocs.Doc::streamId).orElse(null);
    state = DocState.open(doc.map(CollabDocs.Doc::format).orElse(null), doc.map(CollabDocs.Doc::state).orElse(null));
    lastId = storedId == null ? StreamIds.ZERO : storedId;
    for (StreamEntry e : entries) {
      if (StreamIds.compare(e.id(), lastId) <= 0) continue;
      state.apply(e.update());
      lastId = e.id();
      uncompacted++;
    }
  }

  /** Close: nobody here follows the document any more. */
  void close() {
    collab.subscriber().unsubscribe(List.of(channel))
        .onFailure(e -> log.debug("collab unsubscribe {}: {}", channel, e.toString()));
  }

  boolean empty() {
    return sockets.isEmpty();
  }

  /** How many stream entries were read since the last compaction was asked for; resets it. */
  int takeUncompacted() {
    int n = uncompacted;
    uncompacted = 0;
    return n;
  }

  void join(CollabSocket s) {
    sockets.add(s);
    s.send(YMessages.syncStep1(state.stateVector()));
    if (!awareness.isEmpty()) s.send(YMessages.awareness(allAwareness()));
  }

  void leave(CollabSocket s) {
    if (!sockets.remove(s)) return;
    List<YMessages.AwarenessEntry> gone = new ArrayList<>();
    for (Long id : s.awarenessIds) {
      Presence p = awareness.get(id);
      if (p != null && p.owner() == s) {
        awareness.remove(id);
        gone.add(new YMessages.AwarenessEntry(id, p.clock() + 1, YMessages.NULL_STATE));
      }
    }
    if (!gone.isEmpty()) {
      byte[] update = YMessages.encodeAwareness(gone);
      broadcast(YMessages.awareness(update), null);
      publishAwareness(update);
    }
    if (sockets.isEmpty()) collab.closeRoom(this);
  }

  /** Answer a client's sync step 1: what it lacks as updates, the last one as sync step 2. */
  void sendDiff(CollabSocket s, byte[] stateVector) {
    List<byte[]> diff = state.diff(stateVector);
    if (diff.isEmpty()) {
      s.send(YMessages.syncStep2(EMPTY_UPDATE));
      return;
    }
    for (int i = 0; i < diff.size() - 1; i++) s.send(YMessages.update(diff.get(i)));
    s.send(YMessages.syncStep2(diff.get(diff.size() - 1)));
  }

  /** An editor's update: appended to the stream (with the notice), then applied and sent to the other local sockets. */
  void clientUpdate(CollabSocket from, byte[] update) {
    if (update.length == 0 || UpdateLogState.isEmptyUpdate(update)) return;
    Request xadd = Request.cmd(Command.XADD).arg(streamKey).arg("*")
        .arg(StreamEntry.FIELD_ORIGIN).arg(origin)
        .arg(StreamEntry.FIELD_UPDATE).arg(update);
    Request notice = Request.cmd(Command.PUBLISH).arg(channel).arg(NOTICE_UPDATE);
    collab.redis().batch(List.of(xadd, notice)).onSuccess(r -> {
      state.apply(update);
      broadcast(YMessages.update(update), from);
    }).onFailure(e -> {
      // not stored: the client keeps the edit and sends it again when it has reconnected and synced
      log.warn("collab {}: update not appended: {}", streamKey, e.toString());
      from.close(ErrorCode.UNAVAILABLE, "the document could not be stored; reconnect");
    });
  }

  /** Read the stream after what this room has seen; entries of other gateways go to every local socket. */
  void fetch() {
    if (state == null) return;
    if (fetching) {
      fetchAgain = true;
      return;
    }
    fetching = true;
    collab.readStream(streamKey, "(" + lastId).onComplete(ar -> {
      fetching = false;
      if (ar.succeeded()) {
        for (StreamEntry e : ar.result()) {
          if (StreamIds.compare(e.id(), lastId) <= 0) continue;
          lastId = e.id();
          uncompacted++;
          if (origin.equals(e.origin())) continue; // applied when it was appended
          state.apply(e.update());
          broadcast(YMessages.update(e.update()), null);
        }
      } else {
        log.debug("collab {}: stream read failed: {}", streamKey, ar.cause().toString());
      }
      if (fetchAgain) {
        fetchAgain = false;
        fetch();
      }
    });
  }

  /** A local client's awareness: remembered, sent to every local socket (the sender too, as y-websocket's server does) and to the other gateways. */
  void clientAwareness(CollabSocket from, byte[] update) {
    long now = System.currentTimeMillis();
    for (YMessages.AwarenessEntry a : YMessages.parseAwareness(update)) {
      if (a.removed()) {
        awareness.remove(a.clientId());
        from.awarenessIds.remove(a.clientId());
      } else {
        awareness.put(a.clientId(), new Presence(a.clock(), a.state(), from, now));
        from.awarenessIds.add(a.clientId());
      }
    }
    broadcast(YMessages.awareness(update), null);
    publishAwareness(update);
  }

  void sendAwareness(CollabSocket to) {
    if (!awareness.isEmpty()) to.send(YMessages.awareness(allAwareness()));
  }

  private byte[] allAwareness() {
    List<YMessages.AwarenessEntry> all = new ArrayList<>();
    awareness.forEach((id, p) -> all.add(new YMessages.AwarenessEntry(id, p.clock(), p.state())));
    return YMessages.encodeAwareness(all);
  }

  /** Forget clients not heard of in {@code timeoutMs} (a gateway that died cannot say its clients left). */
  void pruneAwareness(long nowMs, long timeoutMs) {
    List<YMessages.AwarenessEntry> gone = new ArrayList<>();
    awareness.entrySet().removeIf(en -> {
      Presence p = en.getValue();
      if (nowMs - p.seenAtMs() < timeoutMs) return false;
      gone.add(new YMessages.AwarenessEntry(en.getKey(), p.clock() + 1, YMessages.NULL_STATE));
      return true;
    });
    if (!gone.isEmpty()) broadcast(YMessages.awareness(YMessages.encodeAwareness(gone)), null);
  }

  private void onNotice(String message) {
    if (message.equals(NOTICE_UPDATE)) {
      fetch();
      return;
    }
    String[] parts = message.split(" ", 3);
    if (parts.length < 2 || parts[1].equals(collab.gatewayId()) || state == null) return;
    if (parts[0].equals(NOTICE_QUERY)) {
      List<YMessages.AwarenessEntry> mine = new ArrayList<>();
      awareness.forEach((id, p) -> {
        if (p.owner() != null) mine.add(new YMessages.AwarenessEntry(id, p.clock(), p.state()));
      });
      if (!mine.isEmpty()) publishAwareness(YMessages.encodeAwareness(mine));
    } else if (parts[0].equals(NOTICE_AWARENESS) && parts.length == 3) {
      byte[] update;
      List<YMessages.AwarenessEntry> entries;
      try {
        update = Base64.getDecoder().decode(parts[2]);
        entries = YMessages.parseAwareness(update);
      } catch (IllegalArgumentException | Lib0.MalformedException e) {
        log.debug("collab {}: bad awareness notice: {}", channel, e.toString());
        return;
      }
      long now = System.currentTimeMillis();
      for (YMessages.AwarenessEntry a : entries) {
        Presence p = awareness.get(a.clientId());
        if (p != null && p.owner() != null) continue; // ours: this gateway knows best
        if (a.removed()) awareness.remove(a.clientId());
        else awareness.put(a.clientId(), new Presence(a.clock(), a.state(), null, now));
      }
      broadcast(YMessages.awareness(update), null);
    }
  }

  private void publishAwareness(byte[] update) {
    publish(NOTICE_AWARENESS + " " + collab.gatewayId() + " " + Base64.getEncoder().encodeToString(update));
  }

  private void publish(String message) {
    collab.redis().send(Request.cmd(Command.PUBLISH).arg(channel).arg(message))
        .onFailure(e -> log.debug("collab {}: publish failed: {}", channel, e.toString()));
  }

  private void broadcast(byte[] message, CollabSocket except) {
    for (CollabSocket s : sockets) {
      if (s != except) s.send(message);
    }
  }
}
