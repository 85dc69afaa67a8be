package dev.sandpit.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The flag allowlist: every accepted family, every refused one with a message naming the flag. */
class CompilerFlagsTest {
  static final Language C = Languages.find("c");
  static final Language CPP = Languages.find("cpp");

  static ProtocolException refused(Language lang, String flag) {
    ProtocolException e = assertThrows(ProtocolException.class, () -> CompilerFlags.validate(lang, List.of("-O2", flag)),
        flag + " should be refused");
    assertEquals(ErrorCode.INVALID_FIELD, e.code());
    assertTrue(e.getMessage().contains("'" + flag + "'"), "the message names the flag: " + e.getMessage());
    return e;
  }

  @Test
  void everyAllowedFamilyPassesForItsLanguage() {
    List<String> both = List.of("-O0", "-O1", "-O2", "-O3", "-Os", "-Og", "-Ofast", "-O",
        "-Wall", "-Wextra", "-Werror", "-Wpedantic", "-pedantic", "-pedantic-errors", "-w", "-Wshadow", "-Wno-unused-variable",
        "-Werror=return-type", "-Wno-error=deprecated", "-Wformat=2", "-Wframe-larger-than=4096", "-Wlogical-op", "-Waddress",
        "-Warray-bounds", "-Wlong-long", "-fmax-errors=5", "-ferror-limit=20",
        "-g", "-g0", "-g3", "-ggdb", "-ggdb3", "-gdwarf-4", "-gline-tables-only", "-fno-omit-frame-pointer",
        "-DNDEBUG", "-DN=10", "-DNAME=\"hello\"", "-DSQ(x)=((x)*(x))", "-DLIST={1,2,3}", "-UNDEBUG",
        "-fsanitize=address", "-fsanitize=undefined", "-fsanitize=leak", "-fsanitize=address,undefined,leak",
        "-fsanitize=signed-integer-overflow,bounds", "-fno-sanitize=vptr", "-fno-sanitize-recover=all", "-fsanitize-recover",
        "-pthread", "-lm", "-lpthread", "-lstdc++fs", "-latomic", "-static-libstdc++", "-no-pie",
        "-ffast-math", "-fno-exceptions", "-fno-rtti", "-fwrapv", "-ftrapv", "-flto", "-flto=auto", "-fstack-protector-strong",
        "-fopenmp", "-funroll-loops", "-fPIC",
        "-Iinclude", "-Isrc/include", "-iquoteinc", "-isystemthird_party/x", "-Llib", "-I/usr/include/eigen3", "-L/usr/lib/x86_64-linux-gnu");
    for (String f : both) {
      assertNull(CompilerFlags.refusal(C, f), f);
      assertNull(CompilerFlags.refusal(CPP, f), f);
    }
    assertEquals(both.subList(0, 40), CompilerFlags.validate(CPP, both.subList(0, 40)));
    List<String> cStd = List.of("-std=c89", "-std=c99", "-std=c11", "-std=c17", "-std=c18", "-std=c2x", "-std=gnu11", "-std=gnu17",
        "-std=iso9899:1999", "-ansi");
    assertEquals(cStd, CompilerFlags.validate(C, cStd));
    List<String> cppStd = List.of("-std=c++98", "-std=c++11", "-std=c++14", "-std=c++17", "-std=c++20", "-std=c++23", "-std=c++2b",
        "-std=gnu++17", "-std=gnu++20", "-std=c++2a", "-fpermissive");
    assertEquals(cppStd, CompilerFlags.validate(CPP, cppStd));
    assertEquals(List.of(), CompilerFlags.validate(C, null));
  }

  @Test
  void standardsOfTheOtherLanguageAreRefused() {
    assertTrue(refused(C, "-std=c++20").getMessage().contains("not a C standard"));
    assertTrue(refused(CPP, "-std=c11").getMessage().contains("not a C++ standard"));
    refused(CPP, "-std=c++99");
  }

  @Test
  void everyRefusedFamilyIsRefusedWithItsReason() {
    Map<String, String> refusedWithReason = new java.util.LinkedHashMap<>();
    refusedWithReason.put("-fplugin=./evil.so", "plugin");
    refusedWithReason.put("-fplugin-arg-evil-x=y", "plugin");
    refusedWithReason.put("-B/tmp", "its own programs");
    refusedWithReason.put("-Bprefix", "its own programs");
    refusedWithReason.put("-wrapper", "another program");
    refusedWithReason.put("@flags.txt", "@file");
    refusedWithReason.put("@/etc/passwd", "@file");
    refusedWithReason.put("-specs=evil.specs", "spec file");
    refusedWithReason.put("--specs=x", "spec file");
    refusedWithReason.put("-o", "output file");
    refusedWithReason.put("-o/etc/passwd", "output file");
    refusedWithReason.put("-omain2", "output file");
    refusedWithReason.put("-I/root", "outside the project");
    refusedWithReason.put("-I/etc", "outside the project");
    refusedWithReason.put("-I../secret", "'..'");
    refusedWithReason.put("-Iinclude/../../x", "'..'");
    refusedWithReason.put("-isystem/opt/x", "outside the project");
    refusedWithReason.put("-idirafter/var", "outside the project");
    refusedWithReason.put("-iquote/home", "outside the project");
    refusedWithReason.put("-L/tmp", "outside the project");
    refusedWithReason.put("-L../lib", "'..'");
    refusedWithReason.put("-I/usr/include/../../etc", "'..'");
    refusedWithReason.put("-I", "same word");
    refusedWithReason.put("-Xlinker", "another tool");
    refusedWithReason.put("-Wl,-plugin,/tmp/x.so", "another tool");
    refusedWithReason.put("-Wl,--wrap=malloc", "another tool");
    refusedWithReason.put("-Wa,-adhln", "another tool");
    refusedWithReason.put("-Wp,-include,/etc/passwd", "another tool");
    refusedWithReason.put("-Xclang", "another tool");
    refusedWithReason.put("-Xassembler", "another tool");
    refusedWithReason.put("--sysroot=/", "headers, libraries or tools");
    refusedWithReason.put("-isysroot/x", "headers, libraries or tools");
    refusedWithReason.put("-iprefix/x", "headers, libraries or tools");
    refusedWithReason.put("--gcc-toolchain=/x", "headers, libraries or tools");
    refusedWithReason.put("-nostdinc", "headers, libraries or tools");
    refusedWithReason.put("-include/etc/passwd", "outside the project");
    refusedWithReason.put("-imacros/dev/zero", "outside the project");
    refusedWithReason.put("-include", "separate word");
    refusedWithReason.put("-includeconfig.h", "separate word");
    refusedWithReason.put("-fdump-tree-all", "extra files");
    refusedWithReason.put("-fdump-rtl-expand=/tmp/x", "extra files");
    refusedWithReason.put("-save-temps", "extra files");
    refusedWithReason.put("-save-temps=obj", "extra files");
    refusedWithReason.put("-fprofile-generate", "extra files");
    refusedWithReason.put("-fprofile-use=/x", "extra files");
    refusedWithReason.put("--coverage", "extra files");
    refusedWithReason.put("-ftest-coverage", "extra files");
    refusedWithReason.put("-gsplit-dwarf", "extra files");
    refusedWithReason.put("-fdebug-prefix-map=/a=/b", "extra files");
    refusedWithReason.put("-fuse-ld=gold", "linker program");
    refusedWithReason.put("--ld-path=/tmp/ld", "linker program");
    refusedWithReason.put("-march=native", "another machine");
    refusedWithReason.put("-mtune=native", "another machine");
    refusedWithReason.put("-m32", "target options");
    refusedWithReason.put("-mavx512f", "target options");
    refusedWithReason.put("-E", "decides what it produces");
    refusedWithReason.put("-S", "decides what it produces");
    refusedWithReason.put("-c", "decides what it produces");
    refusedWithReason.put("-MMD", "decides what it produces");
    refusedWithReason.put("-MF/tmp/x", "decides what it produces");
    refusedWithReason.put("-shared", "decides what it produces");
    refusedWithReason.put("-xc", "decides what it produces");
    refusedWithReason.put("-fsyntax-only", "decides what it produces");
    refusedWithReason.put("-nostdlib", "decides what it produces");
    refusedWithReason.put("-v", "information");
    refusedWithReason.put("--version", "information");
    refusedWithReason.put("-print-search-dirs", "information");
    refusedWithReason.put("-dumpspecs", "information");
    refusedWithReason.put("-###", "information");
    refusedWithReason.put("--param=max-inline-insns-single=1000000", "internal limits");
    refusedWithReason.put("-ftemplate-depth=100000", "internal limits");
    refusedWithReason.put("-fconstexpr-ops-limit=999999999999", "internal limits");
    refusedWithReason.put("-fdiagnostics-format=json", "diagnostics format");
    refusedWithReason.put("-fdiagnostics-color=always", "diagnostics format");
    refusedWithReason.put("-fsanitize=thread", "not available");
    refusedWithReason.put("-fsanitize=address,memory", "not available");
    refusedWithReason.put("-fsanitize=", "not a sanitizer option");
    refusedWithReason.put("-DX=$(id)", "allowlist");
    refusedWithReason.put("-DX=`id`", "allowlist");
    refusedWithReason.put("-DX=a;b", "allowlist");
    refusedWithReason.put("-DX=a b", "allowlist");
    refusedWithReason.put("-DX=a\\b", "allowlist");
    refusedWithReason.put("-D1BAD", "allowlist");
    refusedWithReason.put("-frandom-thing", "allowlist");
    refusedWithReason.put("/etc/shadow", "not an option");
    refusedWithReason.put("main.c", "not an option");
    refusedWithReason.put("", "empty");
    refusedWithReason.put("-DX=é", "non-ASCII");
    refusedWithReason.put("-Wall\n-B/tmp", "control");
    refusedWithReason.put("-D" + "A".repeat(300), "longer than");
    for (var e : refusedWithReason.entrySet()) {
      for (Language lang : List.of(C, CPP)) {
        ProtocolException ex = refused(lang, e.getKey());
        assertTrue(ex.getMessage().contains(e.getValue()), e.getKey() + ": " + ex.getMessage());
        assertTrue(ex.getMessage().contains("not allowed for " + lang.id()), ex.getMessage());
      }
    }
  }

  @Test
  void nullFlagsAndTooManyAreRefused() {
    List<String> withNull = new ArrayList<>(List.of("-O2"));
    withNull.add(null);
    assertEquals(ErrorCode.INVALID_FIELD, assertThrows(ProtocolException.class, () -> CompilerFlags.validate(C, withNull)).code());
    List<String> many = Collections.nCopies(CompilerFlags.MAX_FLAGS + 1, "-Wall");
    assertTrue(assertThrows(ProtocolException.class, () -> CompilerFlags.validate(C, many)).getMessage().contains("more than"));
  }

  @Test
  void onlyCAndCppTakeFlagsAndACompilerChoice() {
    ProtocolException rust = assertThrows(ProtocolException.class, () -> CompilerFlags.validate(Languages.find("rust"), List.of("-O")));
    assertTrue(rust.getMessage().contains("'-O'") && rust.getMessage().contains("only C and C++"), rust.getMessage());
    ProtocolException py = assertThrows(ProtocolException.class, () -> CompilerFlags.validate(Languages.find("python"), List.of("-O2")));
    assertTrue(py.getMessage().contains("interpreted"), py.getMessage());
    assertNull(CompilerFlags.compiler(Languages.find("go"), null));
    assertEquals(ErrorCode.INVALID_FIELD, assertThrows(ProtocolException.class,
        () -> CompilerFlags.compiler(Languages.find("go"), "gcc")).code());
  }

  @Test
  void compilersResolveByNameAliasAndDefault() {
    assertEquals("gcc", CompilerFlags.compiler(C, null).id());
    assertEquals("/usr/bin/gcc", CompilerFlags.compiler(C, "gcc").path());
    assertEquals("/usr/bin/clang", CompilerFlags.compiler(C, "clang").path());
    assertEquals("g++", CompilerFlags.compiler(CPP, null).id());
    assertEquals("/usr/bin/clang++", CompilerFlags.compiler(CPP, "clang++").path());
    assertEquals("clang++", CompilerFlags.compiler(CPP, "Clang").id());
    assertEquals("g++", CompilerFlags.compiler(CPP, "gcc").id());
    ProtocolException e = assertThrows(ProtocolException.class, () -> CompilerFlags.compiler(C, "tcc"));
    assertEquals(ErrorCode.INVALID_FIELD, e.code());
    assertTrue(e.getMessage().contains("'tcc'") && e.getMessage().contains("gcc, clang"), e.getMessage());
    assertThrows(ProtocolException.class, () -> CompilerFlags.compiler(C, "clang++"));
  }

  @Test
  void sanitizersAreReadFromTheFlags() {
    assertEquals(Set.of("address", "undefined"), CompilerFlags.sanitizers(List.of("-O1", "-fsanitize=address,undefined")));
    assertEquals(Set.of("address"), CompilerFlags.sanitizers(List.of("-fsanitize=address,leak", "-fno-sanitize=leak",
        "-fno-sanitize-recover=all")));
    assertEquals(Set.of(), CompilerFlags.sanitizers(List.of("-O2")));
  }
}
