package dev.sandpit.gateway.store;

/**
 * One run of a session. {@code snapshot} is the blob hash of the files manifest (JSON object
 * path → blob hash) as they were when the run started. Fields of the end are null until it ends.
 */
public record RunRecord(
    String id, String sessionId, String userId, String language, String snapshot, String stdin,
    long startedAt, String status, Integer exitCode, Long wallMs, Long cpuMs, Long memoryKb, Long endedAt,
    long transcriptBytes, boolean transcriptCapped, long transcriptCap) {}
