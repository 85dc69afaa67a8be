package dev.sandpit.gateway.store;

/** A workspace file without its content. */
public record FileMeta(String path, long size, boolean binary, long version, long updatedAt) {}
