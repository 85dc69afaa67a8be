package dev.sandpit.worker.sandbox;

import dev.sandpit.worker.process.RunListener;
import dev.sandpit.worker.process.RunResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Collects a run's events for assertions; waits by polling with a deadline, never by sleeping. */
public final class RunRecorder implements RunListener {
  public record Event(String kind, String stream, String text) {}

  private final List<Event> events = new ArrayList<>();
  public final CompletableFuture<RunResult> result = new CompletableFuture<>();

  @Override
  public synchronized void onOutput(String stream, String data) {
    events.add(new Event("output", stream, data));
    notifyAll();
  }

  @Override
  public synchronized void onInputRequest(String prompt) {
    events.add(new Event("input_request", null, prompt));
    notifyAll();
  }

  @Override
  public void onComplete(RunResult r) {
    synchronized (this) {
      events.add(new Event("complete", null, r.status().wire()));
      notifyAll();
    }
    result.complete(r);
  }

  public synchronized List<Event> events() {
    return List.copyOf(events);
  }

  public synchronized String stdout() {
    StringBuilder sb = new StringBuilder();
    for (Event e : events) if (e.kind.equals("output") && "stdout".equals(e.stream)) sb.append(e.text);
    return sb.toString();
  }

  public synchronized String stderr() {
    StringBuilder sb = new StringBuilder();
    for (Event e : events) if (e.kind.equals("output") && "stderr".equals(e.stream)) sb.append(e.text);
    return sb.toString();
  }

  public synchronized long inputRequests() {
    return events.stream().filter(e -> e.kind.equals("input_request")).count();
  }

  /** The prompts of the input requests so far, in order. */
  public synchronized List<String> prompts() {
    return events.stream().filter(e -> e.kind.equals("input_request")).map(Event::text).toList();
  }

  /** stdout and stderr as the listener received them, interleaved. */
  public synchronized String output() {
    StringBuilder sb = new StringBuilder();
    for (Event e : events) if (e.kind.equals("output")) sb.append(e.text);
    return sb.toString();
  }

  /** Wait for the {@code n}th input request. */
  public void awaitInputRequests(long n, long timeoutMs) throws InterruptedException {
    await(ev -> ev.stream().filter(e -> e.kind.equals("input_request")).count() >= n, timeoutMs);
  }

  /** Wait until the output (both streams) contains {@code text}. */
  public void awaitOutput(String text, long timeoutMs) throws InterruptedException {
    await(ev -> {
      StringBuilder sb = new StringBuilder();
      for (Event e : ev) if (e.kind.equals("output")) sb.append(e.text);
      return sb.indexOf(text) >= 0;
    }, timeoutMs);
  }

  /** Wait until the condition holds over the events, or fail after the timeout. */
  public synchronized void await(Predicate<List<Event>> cond, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (!cond.test(events)) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) throw new AssertionError("condition not met in " + timeoutMs + " ms; events: " + events);
      wait(left);
    }
  }

  public RunResult awaitResult(long timeoutMs) throws Exception {
    return result.get(timeoutMs, TimeUnit.MILLISECONDS);
  }
}
