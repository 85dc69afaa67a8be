package dev.sandpit.worker;

import org.slf4j.Logger;

/**
 * One logger per job: every line of a job starts with {@code job <id>:}, so a job's whole story
 * can be read with one grep, whichever class wrote it (as Piston's job logger does). A thin prefix
 * over the class's own slf4j logger, not a logger per id: slf4j keeps every logger it made.
 */
public final class JobLog {
  private final Logger log;
  private final String prefix;

  public JobLog(Logger log, String jobId) {
    this.log = log;
    this.prefix = "job " + jobId + ": ";
  }

  public void debug(String format, Object... args) {
    if (log.isDebugEnabled()) log.debug(prefix + format, args);
  }

  public void info(String format, Object... args) {
    log.info(prefix + format, args);
  }

  public void warn(String format, Object... args) {
    log.warn(prefix + format, args);
  }

  public void error(String format, Object... args) {
    log.error(prefix + format, args);
  }
}
