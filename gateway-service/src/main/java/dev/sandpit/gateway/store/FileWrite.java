package dev.sandpit.gateway.store;

/** A file to create with a session. */
public record FileWrite(String path, byte[] content, boolean binary) {}
