package dev.sandpit.protocol;

import java.util.List;

/** What a worker announces in its heartbeat key ({@link Keys#workerHeartbeat}). */
public record WorkerInfo(
    String id,
    String kind,
    String host,
    long pid,
    int slots,
    int busy,
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
