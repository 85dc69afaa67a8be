package dev.sandpit.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The closed vocabulary of how a run ended; the {@code status} of a {@code complete} event. */
public enum RunStatus {
  /** The program exited with code 0. */
  OK("ok"),
  /** The program exited non-zero or was killed by a signal it caused. */
  RUNTIME_ERROR("runtime_error"),
  /** Compilation failed; the program never ran. */
  COMPILE_ERROR("compile_error"),
  /** Wall-clock or CPU-time limit exceeded (also a compile that ran too long). */
  TIMEOUT("timeout"),
  /** The memory limit was hit (the kernel's OOM killer fired in the run's cgroup). */
  MEMORY_LIMIT("memory_limit"),
  /** The program wrote more than the output cap. */
  OUTPUT_LIMIT("output_limit"),
  /** A client asked to stop the run. */
  STOPPED("stopped"),
  /** The worker running the job died or vanished; the job is not run again. */
  EXECUTOR_LOST("executor_lost"),
  /** Sandpit itself failed (also: no worker took the job in time). */
  INTERNAL_ERROR("internal_error");

  private final String wire;

  RunStatus(String wire) {
    this.wire = wire;
  }

  @JsonValue
  public String wire() {
    return wire;
  }

  @JsonCreator
  public static RunStatus fromWire(String s) {
    for (RunStatus st : values()) {
      if (st.wire.equals(s)) return st;
    }
    throw new IllegalArgumentException("unknown status " + s);
  }
}
