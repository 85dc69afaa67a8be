package dev.sandpit.gateway.auth;

import dev.sandpit.config.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Token signing.
 *
 * @param secret {@code SANDPIT_JWT_SECRET}; when unset a key is generated once and kept in
 *     {@code SANDPIT_DATA_DIR/jwt.key} so a restart does not log everyone out
 * @param ttlS {@code SANDPIT_JWT_TTL_S}: token lifetime
 * @param required {@code SANDPIT_AUTH_REQUIRED}: whether code-only runs on the WebSocket need a token
 */
public record AuthConfig(String secret, long ttlS, boolean required) {
  public static final String JWT_SECRET = "SANDPIT_JWT_SECRET";
  public static final String JWT_TTL_S = "SANDPIT_JWT_TTL_S";
  public static final String AUTH_REQUIRED = "SANDPIT_AUTH_REQUIRED";

  public static AuthConfig from(Settings s, Path dataDir) {
    String secret = s.string(JWT_SECRET, "");
    if (!secret.isEmpty() && secret.length() < 32) {
      throw new Settings.ConfigException(JWT_SECRET, "must be at least 32 characters");
    }
    if (secret.isEmpty()) secret = keyFile(dataDir.resolve("jwt.key"));
    return new AuthConfig(secret, s.longValue(JWT_TTL_S, 7 * 86400, 60, 365L * 86400), s.bool(AUTH_REQUIRED, false));
  }

  static String keyFile(Path file) {
    try {
      if (Files.exists(file)) return Files.readString(file).trim();
      Files.createDirectories(file.getParent());
      byte[] key = new byte[48];
      new SecureRandom().nextBytes(key);
      String k = Base64.getEncoder().encodeToString(key);
      Path tmp = Files.createTempFile(file.getParent(), "jwt", ".tmp");
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      Files.writeString(tmp, k);
      try {
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      } catch (java.nio.file.FileAlreadyExistsException e) {
        Files.deleteIfExists(tmp); // another gateway won the race: use its key
      }
      return Files.readString(file).trim();
    } catch (IOException e) {
      throw new Settings.ConfigException(JWT_SECRET, "unset, and the key file " + file + " cannot be used: " + e.getMessage());
    }
  }
}
