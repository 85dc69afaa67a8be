package dev.sandpit.gateway;

import dev.sandpit.config.Launcher;
import dev.sandpit.config.Settings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** Starts a gateway process. */
public final class GatewayMain {
  private GatewayMain() {}

  public static void main(String[] args) {
    GatewayConfig config = Launcher.config(() -> GatewayConfig.from(Settings.fromEnv()));
    Launcher.run("gateway", Vertx.vertx(), new GatewayVerticle(config), Future::succeededFuture, 0, () -> {});
  }
}
