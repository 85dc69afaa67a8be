package dev.sandpit.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CodecTest {
  private static ErrorCode codeOf(String json) {
    return assertThrows(ProtocolException.class, () -> Codec.decodeClient(json)).code();
  }

  @Test
  void decodesAnExecuteWithEveryOptionalField() {
    ClientMessage m = Codec.decodeClient("{\"type\":\"execute\",\"language\":\"python\",\"code\":\"print(1)\","
        + "\"files\":[{\"name\":\"util.py\",\"content\":\"x=1\"}],\"stdin\":\"a\\n\",\"args\":[\"-v\"],"
        + "\"limits\":{\"wall_ms\":500,\"memory_mb\":64},\"compiler_flags\":[\"-O2\"],\"request_id\":\"r7\"}");
    ClientMessage.Execute e = (ClientMessage.Execute) m;
    assertEquals("python", e.language());
    assertEquals(List.of(new SourceFile("util.py", "x=1")), e.files());
    assertEquals(500L, e.limits().wallMs());
    assertEquals(64L, e.limits().memoryMb());
    assertEquals(null, e.limits().cpuMs());
    assertEquals("r7", e.requestId());
    assertEquals(List.of("-O2"), e.compilerFlags());
  }

  @Test
  void decodesControlMessagesWithAndWithoutJobId() {
    assertEquals(new ClientMessage.InputResponse("j1", "Ada\n"), Codec.decodeClient("{\"type\":\"input_response\",\"job_id\":\"j1\",\"data\":\"Ada\\n\"}"));
    assertEquals(new ClientMessage.Eof(null), Codec.decodeClient("{\"type\":\"eof\"}"));
    assertEquals(new ClientMessage.Stop("j2"), Codec.decodeClient("{\"type\":\"stop\",\"job_id\":\"j2\"}"));
    assertEquals(new ClientMessage.Attach("j3", 5L), Codec.decodeClient("{\"type\":\"attach\",\"job_id\":\"j3\",\"after_seq\":5}"));
  }

  @Test
  void malformedJsonIsBadJson() {
    assertEquals(ErrorCode.BAD_JSON, codeOf("{\"type\":"));
    assertEquals(ErrorCode.BAD_JSON, codeOf("not json"));
    assertEquals(ErrorCode.BAD_JSON, codeOf("[1,2]"));
    assertEquals(ErrorCode.BAD_JSON, codeOf(""));
  }

  @Test
  void typeProblemsHaveTheirOwnCodes() {
    assertEquals(ErrorCode.MISSING_FIELD, codeOf("{\"language\":\"python\"}"));
    assertEquals(ErrorCode.UNKNOWN_TYPE, codeOf("{\"type\":\"launch\"}"));
  }

  @Test
  void wrongFieldTypesAreRefusedNotCoerced() {
    assertEquals(ErrorCode.INVALID_FIELD, codeOf("{\"type\":\"execute\",\"language\":\"python\",\"code\":5}"));
    assertEquals(ErrorCode.INVALID_FIELD, codeOf("{\"type\":\"execute\",\"language\":\"python\",\"code\":\"x\",\"limits\":{\"wall_ms\":\"100\"}}"));
    assertEquals(ErrorCode.INVALID_FIELD, codeOf("{\"type\":\"execute\",\"language\":\"python\",\"code\":\"x\",\"args\":\"-v\"}"));
    assertEquals(ErrorCode.INVALID_FIELD, codeOf("{\"type\":\"execute\",\"language\":\"python\",\"code\":\"x\",\"limits\":{\"wall_ms\":1.5}}"));
  }

  @Test
  void numbersOutOfRangeAreInvalidFieldAndDeepNestingIsBadJson() {
    // valid JSON with a value no field can hold: the field is wrong, not the JSON
    assertEquals(ErrorCode.INVALID_FIELD, codeOf("{\"type\":\"attach\",\"job_id\":\"j\",\"after_seq\":1180591620717411303424}"));
    assertEquals(ErrorCode.INVALID_FIELD, codeOf("{\"type\":\"execute\",\"language\":\"python\",\"code\":\"x\",\"limits\":{\"wall_ms\":1180591620717411303424}}"));
    assertEquals(ErrorCode.INVALID_FIELD, codeOf("{\"type\":\"execute\",\"language\":\"python\",\"code\":\"x\",\"limits\":{\"wall_ms\":1e400}}"));
    // past Jackson's nesting limit (1000), however deep
    assertEquals(ErrorCode.BAD_JSON, codeOf("{\"type\":\"eof\",\"x\":" + "[".repeat(100_000)));
  }

  @Test
  void unknownFieldsAreIgnoredForForwardCompatibility() {
    ClientMessage m = Codec.decodeClient("{\"type\":\"eof\",\"job_id\":\"j\",\"future_field\":{\"a\":1}}");
    assertEquals(new ClientMessage.Eof("j"), m);
  }

  @Test
  void eventsEncodeSnakeCaseWithTypeFirstAndNoNulls() {
    String json = Codec.encode(new ServerEvent.Complete(null, "j", 0, 12L, RunStatus.OK, 3L, 900L, null, null, null));
    assertEquals("{\"type\":\"complete\",\"job_id\":\"j\",\"exit_code\":0,\"execution_time\":12,\"status\":\"ok\",\"cpu_ms\":3,\"memory_kb\":900}", json);
  }

  @Test
  void everyEventTypeRoundTrips() {
    List<ServerEvent> all = List.of(
        new ServerEvent.Accepted(1L, "j", "r", "python"),
        new ServerEvent.Output(2L, "j", "stderr", "boom\n"),
        new ServerEvent.InputRequest(3L, "j", "Name? "),
        new ServerEvent.Compile(4L, "j", "error", List.of(new Diagnostic("main.c", 3, 5, "error", "expected ';'")), "raw", false, 80L),
        new ServerEvent.Complete(5L, "j", 137, 10L, RunStatus.MEMORY_LIMIT, 4L, 65536L, "SIGKILL", null, "memory limit"),
        new ServerEvent.Error(null, null, "r9", ErrorCode.TOO_MANY_RUNS, "slow down"));
    for (ServerEvent e : all) assertEquals(e, Codec.decodeEvent(Codec.encode(e)));
  }

  @Test
  void peekSeqReadsTheLoggedPrefixOnly() {
    assertEquals(42, Codec.peekSeq("{\"seq\":42,\"type\":\"output\"}"));
    assertEquals(-1, Codec.peekSeq("{\"type\":\"output\",\"seq\":42}"));
    assertEquals(-1, Codec.peekSeq("{\"seq\":,"));
  }

  @Test
  void statusVocabularyIsClosedAndDocumentedOnTheWire() {
    assertEquals(List.of("ok", "runtime_error", "compile_error", "timeout", "memory_limit", "output_limit", "stopped",
        "executor_lost", "internal_error"), java.util.Arrays.stream(RunStatus.values()).map(RunStatus::wire).toList());
    assertTrue(java.util.Arrays.stream(ErrorCode.values()).allMatch(c -> c.closeCode() >= 4000 && c.closeCode() < 5000));
  }

  @Test
  void anEventEncodedAsBytesIsItsJsonInUtf8WhateverItsText() {
    String[] texts = {"plain", "é 日本 😀 \u0000 \u001f \" \\ \u2028", "x".repeat(100_000) + "é", "\uFFFD\uFFFF"};
    for (String t : texts) {
      ServerEvent e = new ServerEvent.Output(3L, "j1", "stdout", t);
      byte[] bytes = Codec.encodeBytes(e);
      // what went to Redis before: the JSON string as UTF-8
      org.junit.jupiter.api.Assertions.assertArrayEquals(Codec.encode(e).getBytes(java.nio.charset.StandardCharsets.UTF_8), bytes, "text " + t.length());
      assertEquals(e, Codec.decodeEvent(new String(bytes, java.nio.charset.StandardCharsets.UTF_8)));
    }
    // a lone surrogate (from a client's JSON escape) is escaped, not lost to '?' as the String's UTF-8 had it
    for (String t : new String[] {"lone \ud800 surrogate", "\udc00 low first", "end \ud83d"}) {
      ServerEvent e = new ServerEvent.Output(3L, "j1", "stdout", t);
      assertEquals(e, Codec.decodeEvent(new String(Codec.encodeBytes(e), java.nio.charset.StandardCharsets.UTF_8)));
    }
  }
}
