package dev.sandpit.worker.process;

import dev.sandpit.protocol.RunStatus;

/** How a run ended (Compiler Explorer's small result record, with the resource figures). */
public record RunResult(
    RunStatus status,
    Integer exitCode,
    String signal,
    long wallMs,
    long cpuMs,
    long memoryKb,
    boolean truncated,
    String message) {}
