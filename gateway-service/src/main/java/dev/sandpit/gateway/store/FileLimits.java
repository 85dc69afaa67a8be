package dev.sandpit.gateway.store;

/** Size limits checked by {@link Store#writeFile}: one file, one session, all of a user's sessions. */
public record FileLimits(long fileBytes, long sessionBytes, long userBytes) {
  public static final FileLimits NONE = new FileLimits(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE);
}
