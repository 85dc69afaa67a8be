package dev.sandpit.gateway.store;

/** An account. Guests have a generated username and no password. */
public record User(String id, String username, String passwordHash, boolean guest, long createdAt) {}
