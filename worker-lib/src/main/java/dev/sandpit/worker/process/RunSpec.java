package dev.sandpit.worker.process;

import java.util.List;
import java.util.Map;

/**
 * What to run in a prepared slot.
 *
 * @param stdin text written first; when non-null stdin is closed after it
 * @param interactive detect blocked reads of stdin and report them
 */
public record RunSpec(
    List<String> argv,
    Map<String, String> env,
    String stdin,
    long wallMs,
    long cpuMs,
    long memoryBytes,
    long outputBytes,
    boolean interactive) {}
