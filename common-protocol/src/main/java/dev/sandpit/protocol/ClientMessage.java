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
})
public sealed interface ClientMessage {

  /** Start a run. Only {@code language} and {@code code} are required. */
  record Execute(
      String language,
      String code,
      List<SourceFile> files,
      String stdin,
      List<String> args,
      Limits limits,
      List<String> compilerFlags,
      String requestId)
      implements ClientMessage {}

  /** Text written to the program's stdin. */
  record InputResponse(String jobId, String data) implements ClientMessage {}

  /** Close the program's stdin. */
  record Eof(String jobId) implements ClientMessage {}

  /** Stop the run: SIGINT, then SIGKILL after a grace period. */
  record Stop(String jobId) implements ClientMessage {}

  /** Follow a job from after {@code afterSeq} (0 = from the start). */
  record Attach(String jobId, Long afterSeq) implements ClientMessage {}
}
