package dev.sandpit.gateway.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sandpit.config.Settings;
import dev.sandpit.gateway.GatewayConfig;
import dev.sandpit.protocol.ClientMessage;
import dev.sandpit.protocol.ErrorCode;
import dev.sandpit.protocol.JobSpec;
import dev.sandpit.protocol.Languages;
import dev.sandpit.protocol.ProtocolException;
import dev.sandpit.protocol.SourceFile;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Validation of execute requests. The fleet is empty (nothing known), which the real-Redis tests
 * cover; here only the request itself is judged.
 */
class JobSubmitterTest {
  final GatewayConfig cfg = GatewayConfig.from(new Settings(Map.of(GatewayConfig.MAX_CODE_BYTES, "2048", GatewayConfig.MAX_FILES, "3")));
  final JobSubmitter s = new JobSubmitter(null, cfg, new Fleet(null, null, 1000));

  static ClientMessage.Execute exec(String lang, String code, List<SourceFile> files, List<String> args, List<String> flags) {
    return new ClientMessage.Execute(lang, code, files, null, args, null, flags, "r");
  }

  ErrorCode refused(ClientMessage.Execute m) {
    return assertThrows(ProtocolException.class, () -> s.validate("j", m)).code();
  }

  @Test
  void aValidRequestBecomesAJobWithTheMainFileFirstAndDefaultLimits() {
    JobSpec j = s.validate("j", exec("py", "print(1)", List.of(new SourceFile("lib/util.py", "x=1")), List.of("a b"), null));
    assertEquals("python", j.language());
    assertEquals("main.py", j.files().get(0).name());
    assertEquals("lib/util.py", j.files().get(1).name());
    assertEquals(30_000L, j.limits().wallMs());
    assertEquals(List.of("a b"), j.args());
  }

  @Test
  void javaMainFileIsNamedAfterItsPublicClass() {
    assertEquals("Hello.java", s.validate("j", exec("java", "public final class Hello { }", null, null, null)).files().get(0).name());
    assertEquals("Main.java", JobSubmitter.mainName(Languages.find("java"), "class X {}"));
  }

  @Test
  void missingOrUnknownThingsHaveTheirCodes() {
    assertEquals(ErrorCode.MISSING_FIELD, refused(exec(null, "x", null, null, null)));
    assertEquals(ErrorCode.MISSING_FIELD, refused(exec("python", null, null, null, null)));
    assertEquals(ErrorCode.UNKNOWN_LANGUAGE, refused(exec("brainfuck", "+", null, null, null)));
  }

  @Test
  void oversizedCodeAndTooManyFilesAreCodeTooLarge() {
    assertEquals(ErrorCode.CODE_TOO_LARGE, refused(exec("python", "#".repeat(3000), null, null, null)));
    assertEquals(ErrorCode.CODE_TOO_LARGE, refused(exec("python", "x", List.of(new SourceFile("a", ""), new SourceFile("b", ""),
        new SourceFile("c", ""), new SourceFile("d", "")), null, null)));
  }

  @Test
  void pathTraversalDuplicatesAndClashesAreRefused() {
    assertEquals(ErrorCode.INVALID_FIELD, refused(exec("python", "x", List.of(new SourceFile("../etc/passwd", "")), null, null)));
    assertEquals(ErrorCode.INVALID_FIELD, refused(exec("python", "x", List.of(new SourceFile("main.py", "")), null, null)));
    assertEquals(ErrorCode.INVALID_FIELD, refused(exec("python", null, List.of(new SourceFile("a.py", ""), new SourceFile("a.py", "")), null, null)));
  }

  @Test
  void argsWithLineBreaksAreRefused() {
    assertEquals(ErrorCode.INVALID_FIELD, refused(exec("python", "x", null, List.of("a\nb"), null)));
  }

  @Test
  void compilerFlagsOutsideTheAllowlistAreRefusedNamingTheFlag() {
    assertEquals(List.of("-O3", "-Wall", "-std=c++20", "-fsanitize=address,undefined"),
        s.validate("j", exec("cpp", "int main(){}", null, null, List.of("-O3", "-Wall", "-std=c++20", "-fsanitize=address,undefined"))).compilerFlags());
    for (String bad : List.of("-fplugin=x.so", "-B/tmp", "@file", "-specs=x", "-o/etc/x", "-I/root", "-wrapper")) {
      ProtocolException e = assertThrows(ProtocolException.class, () -> s.validate("j", exec("c", "int main(){}", null, null, List.of(bad))));
      assertEquals(ErrorCode.INVALID_FIELD, e.code());
      assertEquals(true, e.getMessage().contains(bad), e.getMessage());
    }
    assertEquals(ErrorCode.INVALID_FIELD, refused(exec("python", "x", null, null, List.of("-O2"))));
  }
}
