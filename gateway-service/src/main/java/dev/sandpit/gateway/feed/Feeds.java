package dev.sandpit.gateway.feed;

import dev.sandpit.bus.Subscriber;
import dev.sandpit.protocol.Keys;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's subscriptions to jobs: one set of channel subscriptions per job, however many
 * listeners (taps) follow it here. Confined to the gateway's event loop.
 */
public final class Feeds {
  private static final Logger log = LoggerFactory.getLogger(Feeds.class);

  private final Subscriber subscriber;
  private final Map<String, Feed> feeds = new HashMap<>();

  private static final class Feed {
    final Set<Tap> taps = new LinkedHashSet<>();
    Future<Void> subscribed;
  }

  public Feeds(Subscriber subscriber) {
    this.subscriber = subscriber;
    subscriber.onReconnect(v -> {
      for (Feed f : List.copyOf(feeds.values())) {
        for (Tap t : List.copyOf(f.taps)) t.recover().onFailure(e -> log.warn("job {}: recover: {}", t.jobId(), e.toString()));
      }
    });
  }

  /** Follow a job; completes when the subscription is confirmed (so nothing published later is missed). */
  public Future<Void> attach(Tap tap) {
    Feed f = feeds.get(tap.jobId());
    if (f == null) {
      Feed nf = new Feed();
      feeds.put(tap.jobId(), nf);
      nf.subscribed = subscriber.subscribe(List.of(Keys.listenerChannels(tap.jobId())), json -> {
        for (Tap t : List.copyOf(nf.taps)) t.onEvent(json);
      });
      nf.subscribed.onFailure(e -> {
        if (feeds.get(tap.jobId()) == nf) feeds.remove(tap.jobId());
      });
      f = nf;
    }
    f.taps.add(tap);
    return f.subscribed;
  }

  public void detach(Tap tap) {
    Feed f = feeds.get(tap.jobId());
    if (f == null) return;
    f.taps.remove(tap);
    if (f.taps.isEmpty()) {
      feeds.remove(tap.jobId());
      subscriber.unsubscribe(List.of(Keys.listenerChannels(tap.jobId())))
          .onFailure(e -> log.debug("job {}: unsubscribe: {}", tap.jobId(), e.toString()));
    }
  }

  public int size() {
    return feeds.size();
  }
}
