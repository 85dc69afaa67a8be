package dev.sandpit.gateway.store;

/** One piece of a run's transcript: its event seq, the stream (stdout, stderr, stdin) and the text. */
public record Chunk(long seq, String stream, String data) {}
