package dev.sandpit.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/**
 * Server to client events. Every event of a job carries {@code job_id} and a per-job {@code seq}
 * that increases by one; the seq is assigned in Redis when the event is logged (see {@link
 * dev.sandpit.bus.EventLog}), so producers build events with {@code seq == null}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = ServerEvent.Accepted.class, name = "accepted"),
  @JsonSubTypes.Type(value = ServerEvent.Output.class, name = "output"),
  @JsonSubTypes.Type(value = ServerEvent.InputRequest.class, name = "input_request"),
  @JsonSubTypes.Type(value = ServerEvent.Input.class, name = "input"),
  @JsonSubTypes.Type(value = ServerEvent.Started.class, name = "started"),
  @JsonSubTypes.Type(value = ServerEvent.Compile.class, name = "compile"),
  @JsonSubTypes.Type(value = ServerEvent.Complete.class, name = "complete"),
  @JsonSubTypes.Type(value = ServerEvent.Error.class, name = "error"),
  @JsonSubTypes.Type(value = ServerEvent.SessionEvent.class, name = "session_event"),
  @JsonSubTypes.Type(value = ServerEvent.Attached.class, name = "attached"),
})
public sealed interface ServerEvent {
  Long seq();

  String jobId();

  /** The job was queued. {@code request_id} echoes the client's. */
  record Accepted(Long seq, String jobId, String requestId, String language) implements ServerEvent {}

  /** A chunk of the program's output, in the order it was written. */
  record Output(Long seq, String jobId, String stream, String data) implements ServerEvent {}

  /** The program is blocked reading stdin; {@code prompt} is the trailing unterminated line. */
  record InputRequest(Long seq, String jobId, String prompt) implements ServerEvent {}

  /**
   * Input a follower gave the run ({@code input_response}), logged when the gateway accepted it and
   * before the program can read it: numbered with the output, so every follower (on any gateway,
   * also after a reload) sees every input in the order it was given, and {@code by} whom.
   */
  record Input(Long seq, String jobId, String data, By by) implements ServerEvent {}

  /** Who gave an input: the user's id and name (absent for an anonymous connection). */
  record By(String id, String name) {}

  /**
   * A worker took the job and began a stage: {@code stage} is {@code compile} (a build worker
   * started the compiler; not sent when the program came from the build cache) or {@code run}
   * (the program was handed to its sandbox; every output follows this event). Until then the job
   * waits in a queue.
   */
  record Started(Long seq, String jobId, String stage) implements ServerEvent {}

  /** Result of the compile stage of a compiled language. */
  record Compile(
      Long seq,
      String jobId,
      String status,
      List<Diagnostic> diagnostics,
      String output,
      Boolean cached,
      Long durationMs)
      implements ServerEvent {}

  /** The last event of every job. */
  record Complete(
      Long seq,
      String jobId,
      Integer exitCode,
      Long executionTime,
      RunStatus status,
      Long cpuMs,
      Long memoryKb,
      String signal,
      Boolean truncated,
      String message)
      implements ServerEvent {

    /**
     * A job that ended without a program's result (Sandpit's own failure, a refusal, a queue
     * deadline, a lost worker): no exit code, no time. The one way every module writes one.
     */
    public static Complete failed(String jobId, RunStatus status, String message) {
      return new Complete(null, jobId, null, null, status, null, null, null, null, message);
    }

    /** As {@link #failed(String, RunStatus, String)}, after {@code elapsedMs} of the worker's own work. */
    public static Complete failed(String jobId, RunStatus status, long elapsedMs, String message) {
      return new Complete(null, jobId, null, elapsedMs, status, null, null, null, null, message);
    }
  }

  /**
   * Something happened to a watched session: {@code kind} is run_started, run_finished,
   * files_changed, session_updated or session_deleted. Not numbered ({@code seq} absent);
   * {@code job_id} names the run for run events; {@code user_name} is the username of who started
   * a run (run_started).
   */
  record SessionEvent(Long seq, String jobId, String sessionId, String kind, Long at, List<String> paths, String status,
      String userId, String name, String language, String userName) implements ServerEvent {}

  /**
   * The answer to {@code attach}: from now on this connection follows the job (input may be sent);
   * events after {@code after_seq} follow. Not numbered.
   */
  record Attached(Long seq, String jobId, Long afterSeq) implements ServerEvent {}

  /** A bad request. Sent for the request only; {@code job_id} and {@code seq} may be absent. */
  record Error(Long seq, String jobId, String requestId, ErrorCode code, String message)
      implements ServerEvent {}
}
