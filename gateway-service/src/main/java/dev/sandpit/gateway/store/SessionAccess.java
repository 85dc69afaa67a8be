package dev.sandpit.gateway.store;

/** A session as one user may see it: {@code role} is owner, editor, runner or viewer. */
public record SessionAccess(Session session, String role) {
  public static final String OWNER = "owner", EDITOR = "editor", RUNNER = "runner", VIEWER = "viewer";

  /** Whether {@code role} includes everything {@code needed} allows (owner > editor > runner > viewer). */
  public static boolean atLeast(String role, String needed) {
    return rank(role) >= rank(needed);
  }

  public static int rank(String role) {
    return switch (role) {
      case OWNER -> 4;
      case EDITOR -> 3;
      case RUNNER -> 2;
      case VIEWER -> 1;
      default -> 0;
    };
  }
}
