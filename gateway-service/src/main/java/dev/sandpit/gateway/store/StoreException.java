package dev.sandpit.gateway.store;

/** A store failure with a code the HTTP layer maps to a status. */
public final class StoreException extends RuntimeException {
  public enum Code { NOT_FOUND, CONFLICT, TOO_LARGE, QUOTA, INVALID, UNAVAILABLE }

  private final Code code;

  public StoreException(Code code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public StoreException(Code code, String message, Throwable cause) {
    super(message, cause, false, true);
    this.code = code;
  }

  public Code code() {
    return code;
  }
}
