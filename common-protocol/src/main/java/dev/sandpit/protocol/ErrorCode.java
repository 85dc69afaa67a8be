package dev.sandpit.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The one closed vocabulary of error codes, shared by WebSocket {@code error} events, HTTP error
 * bodies and WebSocket close codes. {@link #retriable()} says whether trying again later can help.
 */
public enum ErrorCode {
  BAD_JSON("bad_json", 400, false),
  UNKNOWN_TYPE("unknown_type", 400, false),
  MISSING_FIELD("missing_field", 400, false),
  INVALID_FIELD("invalid_field", 400, false),
  UNKNOWN_LANGUAGE("unknown_language", 400, false),
  CODE_TOO_LARGE("code_too_large", 413, false),
  MESSAGE_TOO_LARGE("message_too_large", 413, false),
  LIMIT_EXCEEDED("limit_exceeded", 400, false),
  TOO_MANY_RUNS("too_many_runs", 429, true),
  UNKNOWN_JOB("unknown_job", 404, false),
  AMBIGUOUS_JOB("ambiguous_job", 400, false),
  JOB_FINISHED("job_finished", 409, false),
  LANGUAGE_UNAVAILABLE("language_unavailable", 503, true),
  UNAUTHORIZED("unauthorized", 401, false),
  FORBIDDEN("forbidden", 403, false),
  NOT_FOUND("not_found", 404, false),
  CONFLICT("conflict", 409, false),
  TOO_LARGE("too_large", 413, false),
  QUOTA_EXCEEDED("quota_exceeded", 429, false),
  RATE_LIMITED("rate_limited", 429, true),
  UNAVAILABLE("unavailable", 503, true),
  INTERNAL("internal", 500, true);

  private final String wire;
  private final int httpStatus;
  private final boolean retriable;

  ErrorCode(String wire, int httpStatus, boolean retriable) {
    this.wire = wire;
    this.httpStatus = httpStatus;
    this.retriable = retriable;
  }

  @JsonValue
  public String wire() {
    return wire;
  }

  public int httpStatus() {
    return httpStatus;
  }

  /** WebSocket close code used when a connection must be closed for this reason (4000 + HTTP). */
  public int closeCode() {
    return 4000 + httpStatus % 1000;
  }

  public boolean retriable() {
    return retriable;
  }

  @JsonCreator
  public static ErrorCode fromWire(String s) {
    for (ErrorCode c : values()) {
      if (c.wire.equals(s)) return c;
    }
    throw new IllegalArgumentException("unknown error code " + s);
  }
}
