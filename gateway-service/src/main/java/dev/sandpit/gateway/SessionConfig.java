package dev.sandpit.gateway;

import dev.sandpit.config.Settings;
import dev.sandpit.gateway.store.FileLimits;

/**
 * Per-user limits of sessions and runs.
 *
 * @param fileMaxBytes {@code SANDPIT_FILE_MAX_BYTES}: one workspace file
 * @param sessionMaxBytes {@code SANDPIT_SESSION_MAX_BYTES}: all files of one session
 * @param userMaxBytes {@code SANDPIT_USER_MAX_BYTES}: all files of all sessions a user owns
 * @param userMaxRuns {@code SANDPIT_USER_MAX_RUNS}: runs of one user going on at once
 * @param userRunsPerMinute {@code SANDPIT_USER_RUNS_PER_MINUTE}
 */
public record SessionConfig(long fileMaxBytes, long sessionMaxBytes, long userMaxBytes, int userMaxRuns, int userRunsPerMinute) {
  public static final String FILE_MAX_BYTES = "SANDPIT_FILE_MAX_BYTES";
  public static final String SESSION_MAX_BYTES = "SANDPIT_SESSION_MAX_BYTES";
  public static final String USER_MAX_BYTES = "SANDPIT_USER_MAX_BYTES";
  public static final String USER_MAX_RUNS = "SANDPIT_USER_MAX_RUNS";
  public static final String USER_RUNS_PER_MINUTE = "SANDPIT_USER_RUNS_PER_MINUTE";

  public static SessionConfig from(Settings s) {
    return new SessionConfig(
        s.longValue(FILE_MAX_BYTES, 1 << 20, 1, 1L << 30),
        s.longValue(SESSION_MAX_BYTES, 8L << 20, 1, 1L << 34),
        s.longValue(USER_MAX_BYTES, 64L << 20, 1, 1L << 40),
        s.intValue(USER_MAX_RUNS, 4, 1, 10_000),
        s.intValue(USER_RUNS_PER_MINUTE, 60, 1, 1_000_000));
  }

  public FileLimits fileLimits() {
    return new FileLimits(fileMaxBytes, sessionMaxBytes, userMaxBytes);
  }
}
