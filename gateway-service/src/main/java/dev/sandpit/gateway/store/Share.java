package dev.sandpit.gateway.store;

/** A share link: whoever holds {@code token} may join the session with {@code role}. */
public record Share(String token, String sessionId, String role, String createdBy, long createdAt, Long revokedAt) {}
