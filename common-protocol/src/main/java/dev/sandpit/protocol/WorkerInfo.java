package dev.sandpit.protocol;

import java.util.List;

/**
 * What a worker announces in its heartbeat key ({@link Keys#workerHeartbeat}). {@code slots} are
 * those that serve; {@code retiredSlots} failed their check after a rebuild and left the pool
 * (a worker with slots retired is degraded; one with none left serves nothing).
 */
public record WorkerInfo(
    String id,
    String kind,
    String host,
    long pid,
    int slots,
    int busy,
    int retiredSlots,
    boolean draining,
    String sandbox,
    List<Toolchain> languages,
    long startedAtMs,
    long heartbeatAtMs) {

  public static final String EXECUTOR = "executor";
  public static final String BUILD = "build";

  /** A language this worker really has, with the version its toolchain printed. */
  public record Toolchain(String id, String version) {}
}
