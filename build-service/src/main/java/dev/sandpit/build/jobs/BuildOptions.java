package dev.sandpit.build.jobs;

/**
 * How a build worker builds.
 *
 * @param jobs translation units compiled at once within one build ({@code SANDPIT_BUILD_JOBS};
 *     {@code make -jN}, {@code cmake --build --parallel N}); the worker's sandboxes get a CPU quota
 *     of as many cores ({@code SANDPIT_BUILD_CPU_PERCENT})
 * @param cacheMaxBytes programs larger than this are not kept in the shared cache
 *     ({@code SANDPIT_BUILD_CACHE_MAX_MB}); they still reach the executor, under a key of their
 *     own job that expires soon after the job's queue deadline
 */
public record BuildOptions(int jobs, long cacheMaxBytes) {
  public static final String JOBS = "SANDPIT_BUILD_JOBS";
  public static final String CPU_PERCENT = "SANDPIT_BUILD_CPU_PERCENT";
  public static final String CACHE_MAX_MB = "SANDPIT_BUILD_CACHE_MAX_MB";
  /** Without {@link #JOBS}: as many compile jobs as cores, up to this. */
  public static final int MAX_DEFAULT_JOBS = 4;
  public static final int MAX_JOBS = 64;
  public static final long DEFAULT_CACHE_MAX_MB = 32;
  public static final long MAX_CACHE_MAX_MB = 512;
  /** Without {@link #CPU_PERCENT}: this share of a core per compile job. */
  public static final int CPU_PERCENT_PER_JOB = 100;
  public static final int MAX_CPU_PERCENT = 6400;

  public static int defaultJobs() {
    return Math.max(1, Math.min(MAX_DEFAULT_JOBS, Runtime.getRuntime().availableProcessors()));
  }

  public static BuildOptions defaults() {
    return new BuildOptions(defaultJobs(), DEFAULT_CACHE_MAX_MB << 20);
  }
}
