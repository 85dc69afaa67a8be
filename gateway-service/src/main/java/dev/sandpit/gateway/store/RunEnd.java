package dev.sandpit.gateway.store;

/** How a run ended (from its {@code complete} event). */
public record RunEnd(String status, Integer exitCode, Long wallMs, Long cpuMs, Long memoryKb, long endedAt) {}
