package dev.sandpit.gateway.feed;

import dev.sandpit.bus.Subscriber;
import dev.sandpit.protocol.Keys;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Session watchers on this gateway: one Redis subscription per session, fanned out. Event-loop confined. */
public final class Watches {
  private final Subscriber subscriber;
  private final Map<String, Set<Handler<String>>> watchers = new HashMap<>();

  public Watches(Subscriber subscriber) {
    this.subscriber = subscriber;
  }

  public Future<Void> watch(String sessionId, Handler<String> h) {
    Set<Handler<String>> set = watchers.get(sessionId);
    if (set != null) {
      set.add(h);
      return Future.succeededFuture();
    }
    Set<Handler<String>> fresh = new LinkedHashSet<>();
    fresh.add(h);
    watchers.put(sessionId, fresh);
    return subscriber.subscribe(List.of(Keys.sessionEvents(sessionId)), json -> {
      for (Handler<String> x : List.copyOf(fresh)) x.handle(json);
    });
  }

  public void unwatch(String sessionId, Handler<String> h) {
    Set<Handler<String>> set = watchers.get(sessionId);
    if (set == null) return;
    set.remove(h);
    if (set.isEmpty()) {
      watchers.remove(sessionId);
      subscriber.unsubscribe(List.of(Keys.sessionEvents(sessionId)));
    }
  }
}
