package dev.sandpit.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/**
 * A job as it travels on the Redis work queues (gateway to build worker to executor). Internal:
 * clients never see it.
 *
 * @param files every source file, the main one first
 * @param limits resolved limits (server defaults filled in, maxima enforced)
 * @param queueDeadlineMs epoch ms after which a worker must not start the job any more
 * @param artifact content hash of the compiled artifact in Redis (compiled languages, set by the
 *     build worker)
 * @param runArgs for compiled languages, the command the build decided on (e.g. the Java main
 *     class); null means the language's default
 * @param returnFiles hand the files the program wrote back (session runs): the executor puts
 *     them in {@code job:<id>:files} before it logs {@code complete}
 * @param compiler the compiler chosen for C and C++ (its wire name); null means the language's
 *     default
 */
public record JobSpec(
    String jobId,
    String language,
    List<SourceFile> files,
    String stdin,
    List<String> args,
    Limits limits,
    List<String> compilerFlags,
    long enqueuedAtMs,
    long queueDeadlineMs,
    String artifact,
    List<String> runArgs,
    boolean returnFiles,
    String compiler,
    Boolean buildOnly) {

  public JobSpec(String jobId, String language, List<SourceFile> files, String stdin, List<String> args, Limits limits,
      List<String> compilerFlags, long enqueuedAtMs, long queueDeadlineMs, String artifact, List<String> runArgs,
      boolean returnFiles, String compiler) {
    this(jobId, language, files, stdin, args, limits, compilerFlags, enqueuedAtMs, queueDeadlineMs, artifact, runArgs,
        returnFiles, compiler, null);
  }

  /** Whether the job only builds (absent on the wire means no). */
  @JsonIgnore
  public boolean onlyBuilds() {
    return Boolean.TRUE.equals(buildOnly);
  }

  public JobSpec(String jobId, String language, List<SourceFile> files, String stdin, List<String> args, Limits limits,
      List<String> compilerFlags, long enqueuedAtMs, long queueDeadlineMs, String artifact, List<String> runArgs,
      boolean returnFiles) {
    this(jobId, language, files, stdin, args, limits, compilerFlags, enqueuedAtMs, queueDeadlineMs, artifact, runArgs,
        returnFiles, null);
  }

  public JobSpec withArtifact(String hash, List<String> run) {
    return new JobSpec(jobId, language, files, stdin, args, limits, compilerFlags, enqueuedAtMs,
        queueDeadlineMs, hash, run, returnFiles, compiler, buildOnly);
  }

  /** The job only builds: the build worker records where the program is and completes it (seed 000's build/cpp). */
  public JobSpec asBuildOnly() {
    return new JobSpec(jobId, language, files, stdin, args, limits, compilerFlags, enqueuedAtMs, queueDeadlineMs, artifact,
        runArgs, returnFiles, compiler, Boolean.TRUE);
  }

  /** A run of an already built program: straight to the executors. */
  public JobSpec withBuiltArtifact(String hash, List<String> run) {
    return new JobSpec(jobId, language, files, stdin, args, limits, compilerFlags, enqueuedAtMs, queueDeadlineMs, hash,
        run, returnFiles, compiler, null);
  }
}
