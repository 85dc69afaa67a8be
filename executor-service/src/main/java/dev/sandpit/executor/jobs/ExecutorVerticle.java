package dev.sandpit.executor.jobs;

import dev.sandpit.bus.RedisLink;
import dev.sandpit.bus.Subscriber;
import dev.sandpit.config.LimitsConfig;
import dev.sandpit.config.RedisConfig;
import dev.sandpit.config.WorkerConfig;
import dev.sandpit.protocol.JobSpec;
import dev.sandpit.protocol.Keys;
import dev.sandpit.protocol.WorkerInfo;
import dev.sandpit.worker.RunSlots;
import dev.sandpit.worker.WorkerVerticle;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An executor worker: announces itself and its toolchains, takes jobs from the exec queue while
 * it has free slots, runs each in a sandbox and streams its events to Redis. {@link #drain()}
 * stops taking jobs and completes once the running ones have finished.
 */
public final class ExecutorVerticle extends WorkerVerticle {
  private static final Logger log = LoggerFactory.getLogger(ExecutorVerticle.class);

  private final LimitsConfig limits;
  private final Map<String, JobExecution> jobs = new HashMap<>();
  private RedisLink events;
  private Subscriber subscriber;
  private JobServices services;
  private volatile int completed;

  public ExecutorVerticle(WorkerConfig worker, RedisConfig redis, LimitsConfig limits, RunSlots slots,
      List<WorkerInfo.Toolchain> toolchains) {
    super(WorkerInfo.EXECUTOR, worker, redis, slots, toolchains);
    this.limits = limits;
  }

  @Override
  public Future<?> start() {
    prepare(Keys.EXEC_QUEUE, Keys.EXEC_GROUP, this::onJob);
    events = new RedisLink(vertx, redis, redisConfig.timeoutMs(), "events");
    subscriber = new Subscriber(vertx, redis, redisConfig.timeoutMs())
        .onReconnect(v -> List.copyOf(jobs.values()).forEach(JobExecution::onReconnect));
    services = new JobServices(vertx, redis, events, subscriber, consumer, slots, limits, worker.workerId(), worker.eventTtlS(),
        this::finished);
    return subscriber.start().compose(v -> goLive());
  }

  private void onJob(String entryId, JobSpec spec) {
    active++;
    JobExecution j = new JobExecution(services, context, entryId, spec);
    jobs.put(spec.jobId(), j);
    j.start();
  }

  private void finished(JobExecution j) {
    jobs.remove(j.jobId());
    completed++;
    active--;
    consumer.poke();
  }

  @Override
  public Future<?> stop() {
    return stopWorker().compose(v -> subscriber.close().recover(e -> Future.succeededFuture()));
  }

  /** Jobs this executor took and finished (any verdict). */
  public int completed() {
    return completed;
  }

}
