package dev.sandpit.gateway.store;

import java.util.List;

/**
 * The settings of a session, shared by everyone in it: the C/C++ compiler and its flags (null
 * compiler: the language's default; empty flags: none).
 */
public record SessionSettings(String compiler, List<String> compilerFlags) {
  public static final SessionSettings NONE = new SessionSettings(null, List.of());

  public SessionSettings {
    compilerFlags = compilerFlags == null ? List.of() : List.copyOf(compilerFlags);
  }
}
