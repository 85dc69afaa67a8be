package dev.sandpit.executor.jobs;

import dev.sandpit.bus.QueueConsumer;
import dev.sandpit.bus.RedisLink;
import dev.sandpit.bus.Subscriber;
import dev.sandpit.config.LimitsConfig;
import dev.sandpit.worker.RunSlots;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import java.util.function.Consumer;

/**
 * What a {@link JobExecution} may use of its executor, handed over once instead of reached for
 * through the verticle: Redis (commands, the ordered event link, the subscriber), the queue
 * consumer (to acknowledge), the slots, the limits, and where to say that the job is done.
 *
 * @param eventTtlS how long the job's event log and files are kept
 */
record JobServices(
    Vertx vertx,
    Redis redis,
    RedisLink events,
    Subscriber subscriber,
    QueueConsumer consumer,
    RunSlots slots,
    LimitsConfig limits,
    String workerId,
    long eventTtlS,
    Consumer<JobExecution> finished) {}
