package dev.sandpit.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.spec.KeySpec;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Slow salted password hashes: PBKDF2-HMAC-SHA256 (the JDK's, no extra library), 210,000
 * iterations (OWASP's 2023 figure for this function), 16-byte random salt, stored as
 * {@code pbkdf2-sha256$iterations$salt$hash}; verification in constant time.
 */
public final class Passwords {
  private Passwords() {}

  static final int ITERATIONS = 210_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  public static String hash(String password) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    return format(ITERATIONS, salt, derive(password, salt, ITERATIONS));
  }

  public static boolean verify(String password, String stored) {
    if (stored == null) return false;
    String[] p = stored.split("\\$");
    if (p.length != 4 || !p[0].equals("pbkdf2-sha256")) return false;
    int iterations = Integer.parseInt(p[1]);
    byte[] salt = Base64.getDecoder().decode(p[2]);
    byte[] expected = Base64.getDecoder().decode(p[3]);
    return MessageDigest.isEqual(expected, derive(password, salt, iterations));
  }

  private static String format(int iterations, byte[] salt, byte[] hash) {
    Base64.Encoder e = Base64.getEncoder().withoutPadding();
    return "pbkdf2-sha256$" + iterations + "$" + e.encodeToString(salt) + "$" + e.encodeToString(hash);
  }

  private static byte[] derive(String password, byte[] salt, int iterations) {
    try {
      KeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
