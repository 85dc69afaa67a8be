package dev.sandpit.gateway;

import dev.sandpit.config.LimitsConfig;
import dev.sandpit.config.RedisConfig;
import dev.sandpit.config.Settings;
import dev.sandpit.gateway.auth.AuthConfig;
import dev.sandpit.gateway.store.StoreConfig;

/**
 * Gateway configuration ({@code SANDPIT_*} environment variables, units in the names).
 *
 * @param port {@code SANDPIT_HTTP_PORT}
 * @param host {@code SANDPIT_HTTP_HOST}
 * @param frontendDir {@code SANDPIT_FRONTEND_DIR}: the built frontend served at / (optional)
 * @param maxCodeBytes {@code SANDPIT_MAX_CODE_BYTES}: code plus files of one run
 * @param maxFiles {@code SANDPIT_MAX_FILES}: files of one run
 * @param maxRunsPerConnection {@code SANDPIT_WS_MAX_RUNS}: live runs on one WebSocket
 * @param maxMessageBytes {@code SANDPIT_WS_MAX_MESSAGE_BYTES}: larger frames close the socket
 * @param messagesPerS {@code SANDPIT_WS_MESSAGES_PER_S}: frames one WebSocket may send per second
 *     (a burst of twice as many); more are refused with {@code rate_limited}
 * @param queueTimeoutMs {@code SANDPIT_QUEUE_TIMEOUT_MS}: a job no worker took by then ends
 * @param reaperIntervalMs {@code SANDPIT_REAPER_INTERVAL_MS}: how often jobs of dead workers are looked for
 * @param eventTtlS {@code SANDPIT_EVENT_TTL_S}: how long job event logs are kept
 */
public record GatewayConfig(
    int port, String host, String frontendDir, int maxCodeBytes, int maxFiles, int maxRunsPerConnection,
    int maxMessageBytes, int messagesPerS, long queueTimeoutMs, long reaperIntervalMs, long eventTtlS, RedisConfig redis,
    LimitsConfig limits, StoreConfig store, AuthConfig auth, SessionConfig sessions) {

  public static final String PORT = "SANDPIT_HTTP_PORT";
  public static final String HOST = "SANDPIT_HTTP_HOST";
  public static final String FRONTEND_DIR = "SANDPIT_FRONTEND_DIR";
  public static final String MAX_CODE_BYTES = "SANDPIT_MAX_CODE_BYTES";
  public static final String MAX_FILES = "SANDPIT_MAX_FILES";
  public static final String WS_MAX_RUNS = "SANDPIT_WS_MAX_RUNS";
  public static final String WS_MAX_MESSAGE_BYTES = "SANDPIT_WS_MAX_MESSAGE_BYTES";
  public static final String WS_MESSAGES_PER_S = "SANDPIT_WS_MESSAGES_PER_S";
  public static final String QUEUE_TIMEOUT_MS = "SANDPIT_QUEUE_TIMEOUT_MS";
  public static final String REAPER_INTERVAL_MS = "SANDPIT_REAPER_INTERVAL_MS";

  public static GatewayConfig from(Settings s) {
    return new GatewayConfig(
        s.intValue(PORT, 8080, 0, 65535),
        s.string(HOST, "0.0.0.0"),
        s.string(FRONTEND_DIR, ""),
        s.intValue(MAX_CODE_BYTES, 262_144, 1024, 64 << 20),
        s.intValue(MAX_FILES, 64, 1, 10_000),
        s.intValue(WS_MAX_RUNS, 8, 1, 10_000),
        s.intValue(WS_MAX_MESSAGE_BYTES, 4 << 20, 65_536, 256 << 20),
        s.intValue(WS_MESSAGES_PER_S, 500, 1, 1_000_000),
        s.longValue(QUEUE_TIMEOUT_MS, 60_000, 1000, 3_600_000),
        s.longValue(REAPER_INTERVAL_MS, 1000, 100, 60_000),
        s.longValue(dev.sandpit.config.WorkerConfig.EVENT_TTL_S, 3600, 10, 30L * 86400),
        RedisConfig.from(s),
        LimitsConfig.from(s),
        storeConfig(s),
        AuthConfig.from(s, storeConfig(s).dataDir()),
        SessionConfig.from(s));
  }

  private static StoreConfig storeConfig(Settings s) {
    return StoreConfig.from(s);
  }

  public GatewayConfig withPort(int p) {
    return new GatewayConfig(p, host, frontendDir, maxCodeBytes, maxFiles, maxRunsPerConnection, maxMessageBytes,
        messagesPerS, queueTimeoutMs, reaperIntervalMs, eventTtlS, redis, limits, store, auth, sessions);
  }
}
