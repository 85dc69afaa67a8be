package dev.sandpit.testing;

import java.util.function.BooleanSupplier;

/** Polls a condition until it holds or a deadline passes; tests never sleep for async work. */
public final class Await {
  private Await() {}

  public static void until(String what, long timeoutMs, BooleanSupplier cond) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    long pause = 1;
    while (!cond.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
      Thread.sleep(pause); // poll interval, bounded by the deadline above
      pause = Math.min(pause * 2, 50);
    }
  }
}
