package dev.sandpit.protocol;

/**
 * Every Redis key and channel name Sandpit uses. Per-job names follow seed 004: {@code
 * job:<id>:output}, {@code job:<id>:input_request}, {@code job:<id>:input_response}, {@code
 * job:<id>:complete}; this adds a status channel (accepted, compile), a control channel (eof,
 * stop), the per-job event log stream and the per-job input stream.
 */
public final class Keys {
  private Keys() {}

  /** Work queue (stream) read by executors through consumer group {@link #EXEC_GROUP}. */
  public static final String EXEC_QUEUE = "sandpit:queue:exec";
  public static final String EXEC_GROUP = "executors";
  /** Work queue (stream) read by build workers through consumer group {@link #BUILD_GROUP}. */
  public static final String BUILD_QUEUE = "sandpit:queue:build";
  public static final String BUILD_GROUP = "builders";
  /** Set of worker ids that have announced themselves; liveness is the heartbeat key. */
  public static final String WORKERS = "sandpit:workers";

  public static String workerHeartbeat(String workerId) {
    return "sandpit:worker:" + workerId;
  }

  public static String artifact(String hash) {
    return "sandpit:artifact:" + hash;
  }

  /** Event log of a job: a stream whose entry ids are {@code 0-<seq>}. */
  public static String events(String jobId) {
    return "job:" + jobId + ":events";
  }

  public static String seq(String jobId) {
    return "job:" + jobId + ":seq";
  }

  /** Set once the job's {@code complete} was logged; later events are dropped. */
  public static String done(String jobId) {
    return "job:" + jobId + ":done";
  }

  /** Client-to-job messages (input, eof, stop) in order; executors read it after a notification. */
  public static String input(String jobId) {
    return "job:" + jobId + ":input";
  }

  /** Which worker is running the job (value: worker id). */
  public static String owner(String jobId) {
    return "job:" + jobId + ":owner";
  }

  public static String outputChannel(String jobId) {
    return "job:" + jobId + ":output";
  }

  public static String inputRequestChannel(String jobId) {
    return "job:" + jobId + ":input_request";
  }

  public static String inputResponseChannel(String jobId) {
    return "job:" + jobId + ":input_response";
  }

  public static String completeChannel(String jobId) {
    return "job:" + jobId + ":complete";
  }

  public static String statusChannel(String jobId) {
    return "job:" + jobId + ":status";
  }

  public static String controlChannel(String jobId) {
    return "job:" + jobId + ":control";
  }

  /** Session watch channel: run started/finished, files changed, session changed. */
  public static String sessionEvents(String sessionId) {
    return "session:" + sessionId + ":events";
  }

  /** Files a run wrote in its workspace, handed from the executor to the gateway (hash path → bytes). */
  public static String runFiles(String jobId) {
    return "job:" + jobId + ":files";
  }

  /** Where a build-only job's program is (the artifact key suffix), for seed 000's build/cpp. */
  public static String builtArtifact(String jobId) {
    return "job:" + jobId + ":artifact";
  }

  /** A session's built binary by path (JSON: artifact, language, run args), for seed 000's execute/binary. */
  public static String sessionBinary(String sessionId, String path) {
    return "session:" + sessionId + ":binary:" + path;
  }

  /** Jobs of a user going on now (a set), for the per-user concurrency limit. */
  public static String userRunning(String userId) {
    return "user:" + userId + ":running";
  }

  /** Runs a user started in one minute (a counter), for the per-user rate limit. */
  public static String userRunsInMinute(String userId, long minute) {
    return "user:" + userId + ":runs:" + minute;
  }

  /**
   * A co-edited document's update log (a stream; fields {@code o} origin gateway, {@code u} the Yjs
   * update bytes). The kind comes before the path, so no path can make one key look like another.
   */
  public static String collabStream(String sessionId, String path) {
    return "collab:" + sessionId + ":doc:" + path;
  }

  /** A co-edited document's channel: new-entry notices and awareness, between gateways. */
  public static String collabChannel(String sessionId, String path) {
    return "collab:" + sessionId + ":events:" + path;
  }

  /** The compaction lease of a co-edited document (SET NX PX; value: the holder's token). */
  public static String collabLease(String sessionId, String path) {
    return "collab:" + sessionId + ":lease:" + path;
  }

  /** The channels a listener of a job subscribes to, in no particular order. */
  public static String[] listenerChannels(String jobId) {
    return new String[] {
      outputChannel(jobId), inputRequestChannel(jobId), statusChannel(jobId), completeChannel(jobId)
    };
  }

  /** Job id from a per-job key or channel name ({@code job:<id>:...}), or null. */
  public static String jobIdOf(String key) {
    if (!key.startsWith("job:")) return null;
    int end = key.indexOf(':', 4);
    return end < 0 ? null : key.substring(4, end);
  }

  /** The channel an event of the given wire type is published on. */
  public static String channelFor(String jobId, String eventType) {
    return switch (eventType) {
      case "output" -> outputChannel(jobId);
      case "input_request" -> inputRequestChannel(jobId);
      case "complete" -> completeChannel(jobId);
      default -> statusChannel(jobId);
    };
  }
}
