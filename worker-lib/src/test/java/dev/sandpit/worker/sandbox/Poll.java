package dev.sandpit.worker.sandbox;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a condition outside a run's events (the host's /proc, a cgroup), with a deadline. */
final class Poll {
  private Poll() {}

  static void until(String what, BooleanSupplier condition, long timeoutMs) {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("not within " + timeoutMs + " ms: " + what);
      LockSupport.parkNanos(5_000_000);
    }
  }
}
