package dev.sandpit.config;

import java.util.Map;

/**
 * Typed access to configuration given as environment variables ({@code SANDPIT_*}). Every key
 * carries its unit in its name; a bad value fails start-up with a message naming the key.
 */
public final class Settings {
  private final Map<String, String> env;

  public Settings(Map<String, String> env) {
    this.env = env;
  }

  public static Settings fromEnv() {
    return new Settings(System.getenv());
  }

  public String string(String key, String def) {
    String v = env.get(key);
    return v == null || v.isBlank() ? def : v.trim();
  }

  public long longValue(String key, long def, long min, long max) {
    String v = env.get(key);
    if (v == null || v.isBlank()) return def;
    long n;
    try {
      n = Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(key, "'" + v + "' is not a whole number");
    }
    if (n < min || n > max) {
      throw new ConfigException(key, n + " is outside [" + min + ", " + max + "]");
    }
    return n;
  }

  public int intValue(String key, int def, int min, int max) {
    return (int) longValue(key, def, min, max);
  }

  public boolean bool(String key, boolean def) {
    String v = env.get(key);
    if (v == null || v.isBlank()) return def;
    return switch (v.trim().toLowerCase()) {
      case "1", "true", "yes", "on" -> true;
      case "0", "false", "no", "off" -> false;
      default -> throw new ConfigException(key, "'" + v + "' is not a boolean");
    };
  }

  /** Bad configuration: names the key, no stack trace needed. */
  public static final class ConfigException extends RuntimeException {
    public ConfigException(String key, String problem) {
      super("configuration " + key + ": " + problem, null, false, false);
    }
  }
}
