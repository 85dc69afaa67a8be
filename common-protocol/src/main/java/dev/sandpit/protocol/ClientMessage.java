package dev.sandpit.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/** Client to server frames on {@code /ws/execute}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = ClientMessage.Execute.class, name = "execute"),
  @JsonSubTypes.Type(value = ClientMessage.InputResponse.class, name = "input_response"),
  @JsonSubTypes.Type(value = ClientMessage.Eof.class, name = "eof"),
  @JsonSubTypes.Type(value = ClientMessage.Stop.class, name = "stop"),
  @JsonSubTypes.Type(value = ClientMessage.Attach.class, name = "attach"),
  @JsonSubTypes.Type(value = ClientMessage.Watch.class, name = "watch"),
  @JsonSubTypes.Type(value = ClientMessage.Unwatch.class, name = "unwatch"),
})
public sealed interface ClientMessage {

  /**
   * Start a run. {@code language} and {@code code} are required, unless {@code sessionId} names a
   * session: then the run uses the session's files ({@code main} chooses the main file, else the
   * language's convention) and its language unless one is given, and files the program writes come
   * back into the session. {@code compiler} chooses the compiler of C and C++ ({@code gcc} or
   * {@code clang}, {@code g++} or {@code clang++}; the language's default when absent).
   */
  record Execute(
      String language,
      String code,
      List<SourceFile> files,
      String stdin,
      List<String> args,
      Limits limits,
      List<String> compilerFlags,
      String requestId,
      String sessionId,
      String main,
      String compiler)
      implements ClientMessage {
    public Execute(String language, String code, List<SourceFile> files, String stdin, List<String> args, Limits limits,
        List<String> compilerFlags, String requestId) {
      this(language, code, files, stdin, args, limits, compilerFlags, requestId, null, null, null);
    }

    public Execute(String language, String code, List<SourceFile> files, String stdin, List<String> args, Limits limits,
        List<String> compilerFlags, String requestId, String sessionId, String main) {
      this(language, code, files, stdin, args, limits, compilerFlags, requestId, sessionId, main, null);
    }
  }

  /** Text written to the program's stdin. */
  record InputResponse(String jobId, String data) implements ClientMessage {}

  /** Close the program's stdin. */
  record Eof(String jobId) implements ClientMessage {}

  /** Stop the run: SIGINT, then SIGKILL after a grace period. */
  record Stop(String jobId) implements ClientMessage {}

  /** Follow a job from after {@code afterSeq} (0 = from the start). */
  record Attach(String jobId, Long afterSeq) implements ClientMessage {}

  /** Be told what happens to a session (runs starting and ending, files changing). */
  record Watch(String sessionId) implements ClientMessage {}

  record Unwatch(String sessionId) implements ClientMessage {}
}
