package dev.sandpit.build.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.sandpit.protocol.SourceFile;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArtifactKeyTest {
  static final List<String> CMD = List.of("/usr/bin/gcc", "{flags}", "{sources}");
  static final List<SourceFile> FILES = List.of(new SourceFile("main.c", "int main(){}"), new SourceFile("a.h", "#define A 1"));

  @Test
  void sameInputsGiveTheSameKeyWhateverTheFileOrder() {
    assertEquals(ArtifactKey.of("c", "gcc 12", CMD, List.of("-O2"), FILES),
        ArtifactKey.of("c", "gcc 12", CMD, List.of("-O2"), List.of(FILES.get(0), FILES.get(1))));
  }

  @Test
  void everyInputChangesTheKey() {
    String base = ArtifactKey.of("c", "gcc 12", CMD, List.of("-O2"), FILES);
    assertNotEquals(base, ArtifactKey.of("c", "gcc 13", CMD, List.of("-O2"), FILES));
    assertNotEquals(base, ArtifactKey.of("c", "gcc 12", CMD, List.of("-O3"), FILES));
    assertNotEquals(base, ArtifactKey.of("cpp", "gcc 12", CMD, List.of("-O2"), FILES));
    assertNotEquals(base, ArtifactKey.of("c", "gcc 12", CMD, List.of("-O2"), List.of(FILES.get(0), new SourceFile("a.h", "#define A 2"))));
    assertNotEquals(base, ArtifactKey.of("c", "gcc 12", CMD, List.of("-O2"), List.of(FILES.get(1), FILES.get(0))), "which file is main");
    assertNotEquals(ArtifactKey.of("c", "v", CMD, List.of("-DA", "B"), FILES), ArtifactKey.of("c", "v", CMD, List.of("-DAB"), FILES));
  }
}
