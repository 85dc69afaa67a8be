package dev.sandpit.protocol;

/** The rules for file names clients send: relative, inside the workspace, nothing a shell or sandbox could abuse. */
public final class FileNames {
  private FileNames() {}

  public static final int MAX_LENGTH = 255;

  public static String validate(String name) {
    if (name == null || name.isEmpty()) throw bad(name, "is empty");
    if (name.length() > MAX_LENGTH) throw bad(name, "is longer than " + MAX_LENGTH + " characters");
    if (name.startsWith("/")) throw bad(name, "is absolute");
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '\\') throw bad(name, "contains a control character or backslash");
    }
    for (String part : name.split("/", -1)) {
      if (part.isEmpty() || part.equals(".") || part.equals("..")) {
        throw bad(name, "has an empty, '.' or '..' component");
      }
      if (part.startsWith("-")) throw bad(name, "has a component starting with '-'");
    }
    return name;
  }

  private static ProtocolException bad(String name, String why) {
    return new ProtocolException(ErrorCode.INVALID_FIELD, "file name '" + name + "' " + why);
  }
}
