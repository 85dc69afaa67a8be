package dev.sandpit.gateway.http;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CSPHandler;
import io.vertx.ext.web.handler.XFrameHandler;

/**
 * The page's own defences, on every HTTP response of the gateway (the IDE, its assets, the API):
 * a Content-Security-Policy that allows nothing but the gateway's own origin (no inline script, no
 * eval, no remote origin, no plugin, no framing), {@code X-Frame-Options: DENY} for browsers without
 * {@code frame-ancestors}, {@code X-Content-Type-Options: nosniff} and {@code Referrer-Policy:
 * no-referrer} (a join link's token never leaves in a Referer).
 *
 * <p>{@code style-src} allows inline styles: Monaco and xterm.js build their themes and measure
 * fonts with {@code <style>} elements they create at run time. {@code connect-src 'self'} covers
 * the WebSocket of the same host and port (CSP Level 3: 'self' matches ws:/wss: of the origin).
 */
public final class SecurityHeaders {
  /** The policy, directive by directive (CSPHandler quotes the keywords). */
  public static final String[][] POLICY = {
    {"default-src", "self"},
    {"script-src", "self"},
    {"style-src", "self"},
    {"style-src", "unsafe-inline"},
    {"img-src", "self"},
    {"img-src", "data:"},
    {"img-src", "blob:"},
    {"font-src", "self"},
    {"font-src", "data:"},
    {"worker-src", "self"},
    {"connect-src", "self"},
    {"object-src", "none"},
    {"base-uri", "self"},
    {"frame-ancestors", "none"},
    {"form-action", "self"},
  };

  private SecurityHeaders() {}

  /** Register the headers once, first, for every route. */
  public static void mount(Router router) {
    CSPHandler csp = CSPHandler.create();
    java.util.Set<String> set = new java.util.HashSet<>();
    // the first value of a directive replaces CSPHandler's default (default-src 'self'), later ones add to it
    for (String[] d : POLICY) {
      if (set.add(d[0])) csp.setDirective(d[0], d[1]);
      else csp.addDirective(d[0], d[1]);
    }
    router.route().handler(csp).handler(XFrameHandler.create(XFrameHandler.DENY)).handler(SecurityHeaders::others);
  }

  private static void others(RoutingContext ctx) {
    ctx.response().putHeader("X-Content-Type-Options", "nosniff").putHeader("Referrer-Policy", "no-referrer");
    ctx.next();
  }
}
