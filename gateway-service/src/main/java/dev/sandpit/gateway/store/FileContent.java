package dev.sandpit.gateway.store;

/** A workspace file with its bytes. */
public record FileContent(FileMeta meta, byte[] content) {}
