package dev.sandpit.gateway.store;

/** A session as one user may see it: {@code role} is owner, editor, runner or viewer. */
public record SessionAccess(Session session, String role) {
  public static final String OWNER = "owner", EDITOR = "editor", RUNNER = "runner", VIEWER = "viewer";

  /** Whether {@code role} includes everything {@code needed} allows (owner > editor > runner > viewer). */
  public static boolean atLeast(String role, String needed) {
    return rank(role) >= rank(needed);
  }

  /**
   * The access a caller must have: absent (not theirs, or no such session) is {@code not_found},
   * so ids do not leak; a role below {@code needed} is {@code forbidden}.
   */
  public static SessionAccess require(java.util.Optional<SessionAccess> access, String needed) {
    SessionAccess a = access.orElseThrow(() -> new dev.sandpit.protocol.ProtocolException(
        dev.sandpit.protocol.ErrorCode.NOT_FOUND, "no such session"));
    if (!atLeast(a.role(), needed)) {
      throw new dev.sandpit.protocol.ProtocolException(dev.sandpit.protocol.ErrorCode.FORBIDDEN,
          "your role (" + a.role() + ") may not do this; it needs " + needed);
    }
    return a;
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
