package dev.sandpit.gateway.auth;

import dev.sandpit.protocol.ServerEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

/** Issues and checks the JWTs (HS256, vertx-auth-jwt) used as Bearer tokens and as {@code ?token=} on WebSockets. */
public final class Tokens {
  private final JWTAuth jwt;
  private final long ttlS;

  public Tokens(Vertx vertx, AuthConfig config) {
    this.jwt = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(config.secret())));
    this.ttlS = config.ttlS();
  }

  public String issue(String userId, String username, boolean guest) {
    return jwt.generateToken(new JsonObject().put("sub", userId).put("name", username).put("guest", guest),
        new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds((int) Math.min(Integer.MAX_VALUE, ttlS)).setIssuer("sandpit"));
  }

  /** The user id of a valid token; fails for expired, forged or malformed tokens. */
  public Future<String> verify(String token) {
    return verifyUser(token).map(ServerEvent.By::id);
  }

  /** The user of a valid token: id and the name it was issued for (null in a token without one). */
  public Future<ServerEvent.By> verifyUser(String token) {
    if (token == null || token.isBlank()) return Future.failedFuture("missing token");
    return jwt.authenticate(new TokenCredentials(token)).map(u -> {
      String sub = u.principal().getString("sub");
      if (sub == null) throw new IllegalArgumentException("token without subject");
      Object name = u.principal().getValue("name");
      return new ServerEvent.By(sub, name instanceof String s ? s : null);
    });
  }
}
