package dev.sandpit.worker.process;

/**
 * Receives a run's events, in order, from one thread at a time. {@code onOutput} may block to
 * apply backpressure.
 */
public interface RunListener {
  void onOutput(String stream, String data);

  void onInputRequest(String prompt);

  void onComplete(RunResult result);
}
