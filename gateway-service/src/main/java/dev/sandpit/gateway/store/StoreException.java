package dev.sandpit.gateway.store;

/**
 * A store failure with a code the HTTP layer maps to a status ({@code http/Http}). A
 * {@link Code#QUOTA} failure also says which limit it hit: its {@link Scope}.
 */
public final class StoreException extends RuntimeException {
  public enum Code { NOT_FOUND, CONFLICT, TOO_LARGE, QUOTA, INVALID, UNAVAILABLE }

  /** Which byte limit a quota failure hit: one file's, one session's, or the owner's total over all sessions. */
  public enum Scope { FILE, SESSION, USER }

  private final Code code;
  private final Scope scope;

  public StoreException(Code code, String message) {
    super(message, null, false, false);
    this.code = code;
    this.scope = null;
  }

  public StoreException(Code code, String message, Throwable cause) {
    super(message, cause, false, true);
    this.code = code;
    this.scope = null;
  }

  private StoreException(Scope scope, String message) {
    super(message, null, false, false);
    this.code = Code.QUOTA;
    this.scope = scope;
  }

  /** A {@link Code#QUOTA} failure over the limit of {@code scope}. */
  public static StoreException quota(Scope scope, String message) {
    return new StoreException(scope, message);
  }

  public Code code() {
    return code;
  }

  /** The limit a {@link Code#QUOTA} failure hit; null for every other code. */
  public Scope scope() {
    return scope;
  }
}
