package dev.sandpit.config;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * What every worker (executor or build) shares.
 *
 * @param workerId {@code SANDPIT_WORKER_ID}: unique per process (default kind-host-pid-random)
 * @param slots {@code SANDPIT_EXECUTOR_SLOTS} / {@code SANDPIT_BUILD_SLOTS}: concurrent jobs
 * @param heartbeatIntervalMs {@code SANDPIT_HEARTBEAT_INTERVAL_MS}
 * @param heartbeatTtlMs {@code SANDPIT_HEARTBEAT_TTL_MS}: a worker silent this long is dead
 * @param eventTtlS {@code SANDPIT_EVENT_TTL_S}: how long a job's event log is kept
 * @param drainTimeoutMs {@code SANDPIT_DRAIN_TIMEOUT_MS}: how long SIGTERM waits for running jobs
 * @param healthPort {@code SANDPIT_HEALTH_PORT}: port of the worker's /health (0 = none)
 */
public record WorkerConfig(
    String workerId, int slots, long heartbeatIntervalMs, long heartbeatTtlMs, long eventTtlS,
    long drainTimeoutMs, int healthPort) {

  public static final String WORKER_ID = "SANDPIT_WORKER_ID";
  public static final String HEARTBEAT_INTERVAL_MS = "SANDPIT_HEARTBEAT_INTERVAL_MS";
  public static final String HEARTBEAT_TTL_MS = "SANDPIT_HEARTBEAT_TTL_MS";
  public static final String EVENT_TTL_S = "SANDPIT_EVENT_TTL_S";
  public static final String DRAIN_TIMEOUT_MS = "SANDPIT_DRAIN_TIMEOUT_MS";
  public static final String HEALTH_PORT = "SANDPIT_HEALTH_PORT";

  static final long DEFAULT_HEARTBEAT_INTERVAL_MS = 1000;
  static final long MIN_HEARTBEAT_INTERVAL_MS = 50;
  static final long MAX_HEARTBEAT_INTERVAL_MS = 60_000;
  static final long DEFAULT_HEARTBEAT_TTL_MS = 3000;
  static final long MIN_HEARTBEAT_TTL_MS = 100;
  static final long MAX_HEARTBEAT_TTL_MS = 600_000;
  /** A worker's heartbeat TTL spans at least this many intervals: one late beat is no death. */
  static final int MIN_HEARTBEATS_PER_TTL = 2;
  static final int MAX_SLOTS = 1024;
  static final long DEFAULT_EVENT_TTL_S = 3600;
  static final long MIN_EVENT_TTL_S = 10;
  static final long MAX_EVENT_TTL_S = 30L * 86400; // 30 days
  static final long MAX_DRAIN_TIMEOUT_MS = 86_400_000; // a day
  static final int MAX_PORT = 65535;
  /** Random bytes at the end of a default worker id (6 hex digits). */
  static final int ID_RANDOM_BYTES = 3;

  public static WorkerConfig from(Settings s, String kind, String slotsKey, int defaultSlots) {
    long interval = s.longValue(HEARTBEAT_INTERVAL_MS, DEFAULT_HEARTBEAT_INTERVAL_MS, MIN_HEARTBEAT_INTERVAL_MS, MAX_HEARTBEAT_INTERVAL_MS);
    long ttl = s.longValue(HEARTBEAT_TTL_MS, DEFAULT_HEARTBEAT_TTL_MS, MIN_HEARTBEAT_TTL_MS, MAX_HEARTBEAT_TTL_MS);
    if (ttl < MIN_HEARTBEATS_PER_TTL * interval) {
      throw new Settings.ConfigException(HEARTBEAT_TTL_MS, ttl + " must be at least twice " + HEARTBEAT_INTERVAL_MS);
    }
    return new WorkerConfig(
        s.string(WORKER_ID, defaultId(kind)),
        s.intValue(slotsKey, defaultSlots, 1, MAX_SLOTS),
        interval, ttl,
        s.longValue(EVENT_TTL_S, DEFAULT_EVENT_TTL_S, MIN_EVENT_TTL_S, MAX_EVENT_TTL_S),
        // the default stays a literal next to its key: ComposeConsistencyTest reads it to check compose's stop_grace_period
        s.longValue(DRAIN_TIMEOUT_MS, 330_000, 0, MAX_DRAIN_TIMEOUT_MS),
        s.intValue(HEALTH_PORT, 0, 0, MAX_PORT));
  }

  static String defaultId(String kind) {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = "host";
    }
    byte[] r = new byte[ID_RANDOM_BYTES];
    new SecureRandom().nextBytes(r);
    return kind + "-" + host + "-" + ManagementFactory.getRuntimeMXBean().getPid() + "-" + HexFormat.of().formatHex(r);
  }
}
