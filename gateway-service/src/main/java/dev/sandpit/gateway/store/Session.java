package dev.sandpit.gateway.store;

/** A named project: language, files, runs. {@code version} increases with every change to the session row. */
public record Session(String id, String ownerId, String name, String language, long createdAt, long updatedAt, long version) {}
